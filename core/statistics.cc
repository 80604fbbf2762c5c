#include "core/statistics.h"

#include <algorithm>
#include <cmath>

#include "Eigen/Dense"
#include "absl/strings/str_cat.h"

namespace sorn {
namespace {

// Elements of a train (bytes read, one add each) between two StopChecks:
// about a millisecond of work, and a call of `stop` costs far less.
constexpr int64_t kElementsPerCheck = int64_t{1} << 20;

// The correlation matrix is computed in tiles of kTile x kTile neurons over
// chunks of kChunk steps: each product is ~8.4e6 multiply-adds (a
// millisecond or two, checked after each), its buffers are a few hundred
// KiB whatever T and n.
constexpr int kTile = 128;
constexpr int kChunk = 512;

absl::Status Stopped() {
  return absl::CancelledError("the computation was stopped");
}

// Asks `stop` about every kElementsPerCheck elements of rows of `width`.
class RowStopper {
 public:
  RowStopper(const StopCheck& stop, int width)
      : stop_(stop),
        rows_per_check_(std::max<int64_t>(
            1, kElementsPerCheck / std::max<int64_t>(1, width))) {}
  // Call after each row; true once `stop` said so.
  bool Stopped() {
    if (!stop_ || ++rows_ < rows_per_check_) return false;
    rows_ = 0;
    return stop_();
  }

 private:
  const StopCheck& stop_;
  const int64_t rows_per_check_;
  int64_t rows_ = 0;
};

// Spikes of each neuron over the whole train.
absl::StatusOr<std::vector<int64_t>> NeuronCounts(const SpikeTrain& train,
                                                  const StopCheck& stop) {
  std::vector<int64_t> counts(train.neurons, 0);
  RowStopper stopper(stop, train.neurons);
  for (int t = 0; t < train.steps; ++t) {
    const uint8_t* row = train.spikes.data() + size_t(t) * train.neurons;
    for (int i = 0; i < train.neurons; ++i) counts[i] += row[i] != 0;
    if (stopper.Stopped()) return Stopped();
  }
  return counts;
}

// Steps [t0, t0 + rows) of neurons [i0, i0 + width) into the top-left of
// `out` as 0 / 1 (exact in float, and so are the chunk's sums of products).
void LoadPanel(const SpikeTrain& train, int t0, int rows, int i0, int width,
               Eigen::MatrixXf* out) {
  for (int r = 0; r < rows; ++r) {
    const uint8_t* row =
        train.spikes.data() + size_t(t0 + r) * train.neurons + i0;
    for (int c = 0; c < width; ++c) (*out)(r, c) = row[c] != 0 ? 1.0f : 0.0f;
  }
}

absl::Status CheckNeuron(const SpikeTrain& train, int neuron) {
  if (neuron < 0 || neuron >= train.neurons) {
    return absl::InvalidArgumentError(absl::StrCat(
        "neuron ", neuron, " is outside [0, ", train.neurons, ")"));
  }
  return absl::OkStatus();
}

double Mean(std::span<const double> v) {
  double sum = 0.0;
  for (double x : v) sum += x;
  return sum / double(v.size());
}

// Population variance, as numpy.var.
double Variance(std::span<const double> v) {
  const double m = Mean(v);
  double ss = 0.0;
  for (double x : v) ss += (x - m) * (x - m);
  return ss / double(v.size());
}

double StdDev(std::span<const double> v) { return std::sqrt(Variance(v)); }

absl::StatusOr<std::vector<double>> Diff(std::span<const double> rates) {
  if (rates.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("smoothness needs at least 2 rates, got ", rates.size()));
  }
  std::vector<double> d(rates.size() - 1);
  for (size_t t = 0; t + 1 < rates.size(); ++t) d[t] = rates[t + 1] - rates[t];
  return d;
}

}  // namespace

std::vector<double> FiringRateNetwork(const SpikeTrain& train) {
  return *FiringRateNetwork(train, StopCheck());
}

absl::StatusOr<std::vector<double>> FiringRateNetwork(const SpikeTrain& train,
                                                      const StopCheck& stop) {
  std::vector<double> rates(train.steps, 0.0);
  RowStopper stopper(stop, train.neurons);
  for (int t = 0; t < train.steps; ++t) {
    int64_t active = 0;
    for (int i = 0; i < train.neurons; ++i) active += train.at(t, i) != 0;
    rates[t] = double(active);
    if (stopper.Stopped()) return Stopped();
  }
  return rates;
}

absl::StatusOr<NeuronRate> FiringRateNeuron(const SpikeTrain& train, int neuron,
                                            int bin_size) {
  if (absl::Status s = CheckNeuron(train, neuron); !s.ok()) return s;
  if (bin_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("bin_size must be >= 1, got ", bin_size));
  }
  if (train.steps == 0) {
    return absl::InvalidArgumentError("the spike train has no steps");
  }
  NeuronRate rate;
  int64_t total = 0;
  for (int start = 0; start < train.steps; start += bin_size) {
    int64_t count = 0;
    for (int t = start; t < std::min(train.steps, start + bin_size); ++t) {
      count += train.at(t, neuron) != 0;
    }
    rate.counts.push_back(count);
    total += count;
  }
  rate.mean_per_bin = double(total) * bin_size / train.steps;
  return rate;
}

absl::StatusOr<double> ScaleDependentSmoothness(std::span<const double> rates) {
  absl::StatusOr<std::vector<double>> d = Diff(rates);
  if (!d.ok()) return d.status();
  return StdDev(*d);
}

absl::StatusOr<double> ScaleIndependentSmoothness(
    std::span<const double> rates) {
  absl::StatusOr<std::vector<double>> d = Diff(rates);
  if (!d.ok()) return d.status();
  const double mean = Mean(*d);
  if (mean == 0.0) {
    return absl::FailedPreconditionError(
        "scale-independent smoothness is undefined: the mean of the rate "
        "differences is 0");
  }
  return StdDev(*d) / std::abs(mean);
}

absl::StatusOr<double> Autocorrelation(std::span<const double> rates, int lag) {
  const int n = static_cast<int>(rates.size());
  if (lag < 1 || lag > n - 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "lag must be in [1, ", n - 2, "] for ", n, " rates, got ", lag));
  }
  std::span<const double> a = rates.first(n - lag);
  std::span<const double> b = rates.subspan(lag);
  const double ma = Mean(a);
  const double mb = Mean(b);
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (size_t t = 0; t < a.size(); ++t) {
    sab += (a[t] - ma) * (b[t] - mb);
    saa += (a[t] - ma) * (a[t] - ma);
    sbb += (b[t] - mb) * (b[t] - mb);
  }
  if (saa == 0.0 || sbb == 0.0) {
    return absl::FailedPreconditionError(
        "autocorrelation is undefined for a constant series");
  }
  return sab / std::sqrt(saa * sbb);
}

absl::StatusOr<CorrelationMean> MeanCorrelation(const SpikeTrain& train,
                                                const StopCheck& stop) {
  if (train.steps < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("correlation needs at least 2 steps, got ", train.steps));
  }
  absl::StatusOr<std::vector<int64_t>> counts = NeuronCounts(train, stop);
  if (!counts.ok()) return counts.status();
  const int n = train.neurons;
  const double steps = train.steps;
  // z_i(t) = (s_i(t) - mu_i) / sd_i with sd_i^2 = sum_t (s_i(t) - mu_i)^2
  // = c_i (T - c_i) / T for c_i spikes: `on` when the neuron fires, `off`
  // when not; both 0 for a neuron that never varies (it takes no part).
  std::vector<double> on(n, 0.0), off(n, 0.0);
  CorrelationMean out;
  for (int i = 0; i < n; ++i) {
    const int64_t c = (*counts)[i];
    if (c == 0 || c == train.steps) continue;
    const double mu = double(c) / steps;
    const double sd = std::sqrt(double(c) * double(train.steps - c) / steps);
    on[i] = (1.0 - mu) / sd;
    off[i] = -mu / sd;
    ++out.varying_neurons;
  }
  const int m = out.varying_neurons;
  if (m < 2) return out;
  // sum over all ordered pairs (i, j) of varying neurons of r_ij
  // = sum_t (sum_i z_i(t))^2; the m diagonal terms are 1 each.
  double total = 0.0;
  RowStopper stopper(stop, n);
  for (int t = 0; t < train.steps; ++t) {
    const uint8_t* row = train.spikes.data() + size_t(t) * n;
    // Four partial sums: independent adds, and rounding no worse.
    double z[4] = {0.0, 0.0, 0.0, 0.0};
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      for (int k = 0; k < 4; ++k) {
        z[k] += row[i + k] != 0 ? on[i + k] : off[i + k];
      }
    }
    for (; i < n; ++i) z[0] += row[i] != 0 ? on[i] : off[i];
    const double sum = (z[0] + z[1]) + (z[2] + z[3]);
    total += sum * sum;
    if (stopper.Stopped()) return Stopped();
  }
  out.mean = (total - m) / (double(m) * double(m - 1));
  return out;
}

int64_t CorrelationWorkBytes(int neurons) {
  // Two float panels, the double tile and the float product, the counts and
  // scales per neuron, and Eigen's packing buffers of one product.
  return 2 * int64_t{kChunk} * kTile * 4 + int64_t{kTile} * kTile * 12 +
         16 * int64_t{neurons} + (int64_t{1} << 20);
}

absl::StatusOr<CorrelationMean> FillCorrelationMatrix(const SpikeTrain& train,
                                                      std::span<double> out,
                                                      const StopCheck& stop) {
  if (train.steps < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("correlation needs at least 2 steps, got ", train.steps));
  }
  const int n = train.neurons;
  if (out.size() != size_t(n) * size_t(n)) {
    return absl::InvalidArgumentError(
        absl::StrCat("a correlation matrix of ", n, " neurons has ",
                     size_t(n) * size_t(n), " entries, not ", out.size()));
  }
  absl::StatusOr<std::vector<int64_t>> counts = NeuronCounts(train, stop);
  if (!counts.ok()) return counts.status();
  const int64_t steps = train.steps;
  // With c_i spikes and c_ij steps where both fire, T^2 cov_ij = T c_ij -
  // c_i c_j and T^2 var_i = c_i (T - c_i): integers, exact in int64 (T <
  // 2^31), so only the division rounds.
  std::vector<double> inverse_sd(n, 0.0);
  std::vector<bool> varies(n, false);
  CorrelationMean mean;
  for (int i = 0; i < n; ++i) {
    const int64_t c = (*counts)[i];
    varies[i] = c > 0 && c < steps;
    if (!varies[i]) continue;
    inverse_sd[i] = 1.0 / std::sqrt(double(c) * double(steps - c));
    ++mean.varying_neurons;
  }
  Eigen::MatrixXf a(kChunk, kTile), b(kChunk, kTile);
  Eigen::MatrixXd both(kTile, kTile);  // c_ij of one tile.
  double sum = 0.0;                    // over pairs i > j.
  // Tiles on and below the diagonal; each entry is mirrored above it.
  for (int j0 = 0; j0 < n; j0 += kTile) {
    const int wj = std::min(kTile, n - j0);
    for (int i0 = j0; i0 < n; i0 += kTile) {
      const int wi = std::min(kTile, n - i0);
      both.setZero();
      for (int t0 = 0; t0 < steps; t0 += kChunk) {
        const int rows =
            static_cast<int>(std::min<int64_t>(kChunk, steps - t0));
        LoadPanel(train, t0, rows, i0, wi, &a);
        LoadPanel(train, t0, rows, j0, wj, &b);
        both.topLeftCorner(wi, wj) +=
            (a.topLeftCorner(rows, wi).transpose() * b.topLeftCorner(rows, wj))
                .cast<double>();
        if (stop && stop()) return Stopped();
      }
      for (int ii = 0; ii < wi; ++ii) {
        const int i = i0 + ii;
        for (int jj = 0; jj < wj; ++jj) {
          const int j = j0 + jj;
          if (j > i) break;
          double r = 0.0;
          if (i == j) {
            r = 1.0;
          } else if (varies[i] && varies[j]) {
            const int64_t c_ij = std::llround(both(ii, jj));
            const int64_t covariance =
                steps * c_ij - (*counts)[i] * (*counts)[j];
            r = double(covariance) * inverse_sd[i] * inverse_sd[j];
            sum += r;
          }
          out[size_t(i) * n + j] = r;
          out[size_t(j) * n + i] = r;
        }
      }
    }
  }
  const int m = mean.varying_neurons;
  if (m >= 2) mean.mean = 2.0 * sum / (double(m) * double(m - 1));
  return mean;
}

absl::StatusOr<Correlation> CorrelationMatrix(const SpikeTrain& train,
                                              const StopCheck& stop) {
  if (train.steps < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("correlation needs at least 2 steps, got ", train.steps));
  }
  Correlation out;
  out.matrix = DenseMatrix(train.neurons, train.neurons);
  absl::StatusOr<CorrelationMean> mean =
      FillCorrelationMatrix(train, out.matrix.data, stop);
  if (!mean.ok()) return mean.status();
  out.mean = mean->mean;
  out.varying_neurons = mean->varying_neurons;
  return out;
}

std::vector<std::vector<int64_t>> SpikeTimes(const SpikeTrain& train) {
  return *SpikeTimes(train, StopCheck());
}

absl::StatusOr<std::vector<std::vector<int64_t>>> SpikeTimes(
    const SpikeTrain& train, const StopCheck& stop) {
  // Counted first, so that every list is allocated once at its size (a
  // growing vector holds up to twice its spikes).
  absl::StatusOr<std::vector<int64_t>> counts = NeuronCounts(train, stop);
  if (!counts.ok()) return counts.status();
  std::vector<std::vector<int64_t>> times(train.neurons);
  for (int i = 0; i < train.neurons; ++i) times[i].reserve((*counts)[i]);
  RowStopper stopper(stop, train.neurons);
  for (int t = 0; t < train.steps; ++t) {
    for (int i = 0; i < train.neurons; ++i) {
      if (train.at(t, i)) times[i].push_back(t);
    }
    if (stopper.Stopped()) return Stopped();
  }
  return times;
}

std::vector<int64_t> Intervals(std::span<const int64_t> times) {
  std::vector<int64_t> d(times.empty() ? 0 : times.size() - 1);
  for (size_t k = 1; k < times.size(); ++k) d[k - 1] = times[k] - times[k - 1];
  return d;
}

std::vector<std::vector<int64_t>> InterSpikeIntervals(const SpikeTrain& train) {
  std::vector<std::vector<int64_t>> intervals = SpikeTimes(train);
  for (std::vector<int64_t>& v : intervals) v = Intervals(v);
  return intervals;
}

absl::StatusOr<std::vector<int64_t>> HammingDistance(const SpikeTrain& a,
                                                     const SpikeTrain& b) {
  if (a.steps != b.steps || a.neurons != b.neurons) {
    return absl::InvalidArgumentError(
        absl::StrCat("spike trains differ in shape: ", a.steps, " x ",
                     a.neurons, " and ", b.steps, " x ", b.neurons));
  }
  std::vector<int64_t> d(a.steps, 0);
  for (int t = 0; t < a.steps; ++t) {
    for (int i = 0; i < a.neurons; ++i)
      d[t] += (a.at(t, i) != 0) != (b.at(t, i) != 0);
  }
  return d;
}

absl::StatusOr<Fano> FanoFactor(const SpikeTrain& train, int neuron,
                                int window_size) {
  if (absl::Status s = CheckNeuron(train, neuron); !s.ok()) return s;
  if (window_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("window_size must be >= 1, got ", window_size));
  }
  Fano fano;
  fano.windows = train.steps / window_size;
  if (fano.windows == 0) {
    return absl::InvalidArgumentError(absl::StrCat("no complete window of ",
                                                   window_size, " steps in ",
                                                   train.steps, " steps"));
  }
  std::vector<double> counts(fano.windows, 0.0);
  for (int w = 0; w < fano.windows; ++w) {
    for (int t = w * window_size; t < (w + 1) * window_size; ++t) {
      counts[w] += train.at(t, neuron) != 0;
    }
  }
  fano.mean = Mean(counts);
  if (fano.mean == 0.0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Fano factor is undefined: neuron ", neuron, " never fires"));
  }
  fano.variance = Variance(counts);
  fano.factor = fano.variance / fano.mean;
  return fano;
}

absl::StatusOr<double> SpikeSourceEntropy(const SpikeTrain& train, int n,
                                          const StopCheck& stop) {
  if (n < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("spike source entropy needs n >= 2, got ", n));
  }
  absl::StatusOr<std::vector<int64_t>> per_neuron = NeuronCounts(train, stop);
  if (!per_neuron.ok()) return per_neuron.status();
  int64_t total = 0;
  for (int64_t c : *per_neuron) total += c;
  if (total == 0) {
    return absl::FailedPreconditionError(
        "spike source entropy is undefined for a train without spikes");
  }
  double sum = 0.0;
  for (int64_t c : *per_neuron) {
    if (c == 0) continue;
    const double p = double(c) / double(total);
    sum += p * std::log(p);
  }
  return sum / std::log(1.0 / n);
}

}  // namespace sorn
