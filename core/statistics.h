// The statistics of SPEC.md as plain functions over spike trains, correct for
// any number of neurons. Where a quantity is undefined (an empty train, a
// silent neuron, a constant series) the function returns INVALID_ARGUMENT or
// FAILED_PRECONDITION saying why, never a NaN by accident. The ones whose
// work grows with steps x neurons (or neurons^2) take a StopCheck, so that a
// server can abandon them when their caller goes away.
#ifndef SORN_CORE_STATISTICS_H_
#define SORN_CORE_STATISTICS_H_

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "core/sparse_weights.h"

namespace sorn {

// A T x n spike train: row t is the activity of step t, 0 or 1 per neuron.
struct SpikeTrain {
  int steps = 0;
  int neurons = 0;
  std::vector<uint8_t> spikes;  // steps * neurons, row-major.

  SpikeTrain() = default;
  SpikeTrain(int t, int n) : steps(t), neurons(n), spikes(size_t(t) * n, 0) {}
  uint8_t at(int t, int i) const { return spikes[size_t(t) * neurons + i]; }
  void set(int t, int i, uint8_t v) { spikes[size_t(t) * neurons + i] = v; }
};

// Asked between pieces of a long computation, every millisecond or so of
// work; when it returns true the computation stops and returns CANCELLED.
// An empty function never stops one.
using StopCheck = std::function<bool()>;

// Active neurons per step (length T).
std::vector<double> FiringRateNetwork(const SpikeTrain& train);
// The same, or CANCELLED when `stop` says so.
absl::StatusOr<std::vector<double>> FiringRateNetwork(const SpikeTrain& train,
                                                      const StopCheck& stop);

struct NeuronRate {
  // Spikes in each bin of `bin_size` steps; a last, shorter bin holds the
  // remaining steps.
  std::vector<int64_t> counts;
  // The reference's figure: total spikes * bin_size / T.
  double mean_per_bin = 0.0;
};
absl::StatusOr<NeuronRate> FiringRateNeuron(const SpikeTrain& train, int neuron,
                                            int bin_size);

// std(diff(rates)) (population standard deviation). Needs >= 2 rates.
absl::StatusOr<double> ScaleDependentSmoothness(std::span<const double> rates);
// std(diff) / |mean(diff)|. FAILED_PRECONDITION when mean(diff) is 0.
absl::StatusOr<double> ScaleIndependentSmoothness(
    std::span<const double> rates);

// Pearson correlation of rates[0 .. n-lag) with rates[lag .. n). Needs
// 1 <= lag <= n - 2; FAILED_PRECONDITION when either part is constant.
absl::StatusOr<double> Autocorrelation(std::span<const double> rates, int lag);

// The mean of the Pearson correlations between neurons (avg_corr_coeff):
// over pairs i != j of neurons that both vary; 0 when no pair does.
struct CorrelationMean {
  double mean = 0.0;
  // How many neurons vary (took part in the mean).
  int varying_neurons = 0;
};
// Needs T >= 2. O(T n) time and O(n) memory, without the matrix: the sum of
// all correlations is sum_t (sum_i z_i(t))^2 for the standardized activity
// z_i of the varying neurons, and the diagonal contributes exactly 1 each.
// Equals CorrelationMatrix's mean up to rounding (~1e-14 relative).
absl::StatusOr<CorrelationMean> MeanCorrelation(const SpikeTrain& train,
                                                const StopCheck& stop = {});

struct Correlation {
  // n x n Pearson correlations between neurons, row-major. A neuron whose
  // activity is constant (e.g. silent) correlates 0 with the others and 1
  // with itself.
  DenseMatrix matrix;
  // The mean of the matrix's entries as CorrelationMean defines it.
  double mean = 0.0;
  int varying_neurons = 0;
};
// Needs T >= 2. O(T n^2) time; O(n^2) memory for the matrix (and a few MiB
// of work buffers, whatever T).
absl::StatusOr<Correlation> CorrelationMatrix(const SpikeTrain& train,
                                              const StopCheck& stop = {});
// The same matrix written into `out` (a caller's buffer, e.g. a response
// field, so that the matrix exists once); returns its mean.
// INVALID_ARGUMENT unless out.size() == n * n.
absl::StatusOr<CorrelationMean> FillCorrelationMatrix(const SpikeTrain& train,
                                                      std::span<double> out,
                                                      const StopCheck& stop);
// Bytes FillCorrelationMatrix allocates besides `out` and the train.
int64_t CorrelationWorkBytes(int neurons);

// The steps at which each neuron fired (n lists).
std::vector<std::vector<int64_t>> SpikeTimes(const SpikeTrain& train);
// The same, or CANCELLED; each list is allocated at its exact size.
absl::StatusOr<std::vector<std::vector<int64_t>>> SpikeTimes(
    const SpikeTrain& train, const StopCheck& stop);
// Differences between consecutive spike times (one fewer than `times`).
std::vector<int64_t> Intervals(std::span<const int64_t> times);
// Intervals between consecutive spikes of each neuron (n lists).
std::vector<std::vector<int64_t>> InterSpikeIntervals(const SpikeTrain& train);

// Per step, the number of neurons whose state differs. Shapes must match.
absl::StatusOr<std::vector<int64_t>> HammingDistance(const SpikeTrain& a,
                                                     const SpikeTrain& b);

struct Fano {
  double mean = 0.0;      // mean spike count per window.
  double variance = 0.0;  // population variance of the counts.
  double factor = 0.0;    // variance / mean.
  int windows = 0;        // complete windows used.
};
// Spike counts of `neuron` over consecutive windows of `window_size` steps; a
// last partial window is dropped (the reference instead needs T to divide
// evenly). INVALID_ARGUMENT without a complete window; FAILED_PRECONDITION
// when the neuron never fires in them.
absl::StatusOr<Fano> FanoFactor(const SpikeTrain& train, int neuron,
                                int window_size);

// sum_i p_i log p_i / log(1 / n), p_i = share of all spikes fired by neuron i
// (0 log 0 = 0). Needs n >= 2; FAILED_PRECONDITION for a train without spikes.
absl::StatusOr<double> SpikeSourceEntropy(const SpikeTrain& train, int n,
                                          const StopCheck& stop = {});

}  // namespace sorn

#endif  // SORN_CORE_STATISTICS_H_
