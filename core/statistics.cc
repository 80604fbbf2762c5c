#include "core/statistics.h"

#include <cmath>

#include "Eigen/Dense"
#include "absl/strings/str_cat.h"

namespace sorn {
namespace {

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
  std::vector<double> rates(train.steps, 0.0);
  for (int t = 0; t < train.steps; ++t) {
    int64_t active = 0;
    for (int i = 0; i < train.neurons; ++i) active += train.at(t, i) != 0;
    rates[t] = double(active);
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

absl::StatusOr<Correlation> CorrelationMatrix(const SpikeTrain& train) {
  if (train.steps < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("correlation needs at least 2 steps, got ", train.steps));
  }
  const int n = train.neurons;
  Eigen::MatrixXd s(train.steps, n);
  for (int t = 0; t < train.steps; ++t) {
    for (int i = 0; i < n; ++i) s(t, i) = train.at(t, i);
  }
  s.rowwise() -= s.colwise().mean();
  const Eigen::MatrixXd cov = s.transpose() * s;
  Correlation out;
  out.matrix = DenseMatrix(n, n);
  std::vector<bool> varies(n);
  for (int i = 0; i < n; ++i) {
    varies[i] = cov(i, i) > 0.0;
    out.varying_neurons += varies[i];
  }
  double sum = 0.0;
  int64_t pairs = 0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      double c = 0.0;
      if (i == j) {
        c = 1.0;
      } else if (varies[i] && varies[j]) {
        c = cov(i, j) / std::sqrt(cov(i, i) * cov(j, j));
        sum += c;
        ++pairs;
      }
      out.matrix.at(i, j) = c;
    }
  }
  out.mean = pairs > 0 ? sum / double(pairs) : 0.0;
  return out;
}

std::vector<std::vector<int64_t>> SpikeTimes(const SpikeTrain& train) {
  std::vector<std::vector<int64_t>> times(train.neurons);
  for (int t = 0; t < train.steps; ++t) {
    for (int i = 0; i < train.neurons; ++i) {
      if (train.at(t, i)) times[i].push_back(t);
    }
  }
  return times;
}

std::vector<std::vector<int64_t>> InterSpikeIntervals(const SpikeTrain& train) {
  std::vector<std::vector<int64_t>> intervals = SpikeTimes(train);
  for (std::vector<int64_t>& v : intervals) {
    for (size_t k = 1; k < v.size(); ++k) v[k - 1] = v[k] - v[k - 1];
    if (!v.empty()) v.pop_back();
  }
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

absl::StatusOr<double> SpikeSourceEntropy(const SpikeTrain& train, int n) {
  if (n < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("spike source entropy needs n >= 2, got ", n));
  }
  std::vector<int64_t> per_neuron(train.neurons, 0);
  int64_t total = 0;
  for (int t = 0; t < train.steps; ++t) {
    for (int i = 0; i < train.neurons; ++i) {
      if (train.at(t, i)) {
        ++per_neuron[i];
        ++total;
      }
    }
  }
  if (total == 0) {
    return absl::FailedPreconditionError(
        "spike source entropy is undefined for a train without spikes");
  }
  double sum = 0.0;
  for (int64_t c : per_neuron) {
    if (c == 0) continue;
    const double p = double(c) / double(total);
    sum += p * std::log(p);
  }
  return sum / std::log(1.0 / n);
}

}  // namespace sorn
