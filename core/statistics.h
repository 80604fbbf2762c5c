// The statistics of SPEC.md as plain functions over spike trains, correct for
// any number of neurons. Where a quantity is undefined (an empty train, a
// silent neuron, a constant series) the function returns INVALID_ARGUMENT or
// FAILED_PRECONDITION saying why, never a NaN by accident.
#ifndef SORN_CORE_STATISTICS_H_
#define SORN_CORE_STATISTICS_H_

#include <cstdint>
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

// Active neurons per step (length T).
std::vector<double> FiringRateNetwork(const SpikeTrain& train);

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

struct Correlation {
  // n x n Pearson correlations between neurons, row-major. A neuron whose
  // activity is constant (e.g. silent) correlates 0 with the others and 1
  // with itself.
  DenseMatrix matrix;
  // Mean over pairs i != j of neurons that both vary; 0 when no pair does.
  double mean = 0.0;
  // How many neurons vary (took part in the mean).
  int varying_neurons = 0;
};
// Needs T >= 2.
absl::StatusOr<Correlation> CorrelationMatrix(const SpikeTrain& train);

// The steps at which each neuron fired (n lists).
std::vector<std::vector<int64_t>> SpikeTimes(const SpikeTrain& train);
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
absl::StatusOr<double> SpikeSourceEntropy(const SpikeTrain& train, int n);

}  // namespace sorn

#endif  // SORN_CORE_STATISTICS_H_
