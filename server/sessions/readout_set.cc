#include "server/sessions/readout_set.h"

#include <cmath>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace sorn::server {
namespace {

int PopulationSize(Population population, const ReadoutShape& shape) {
  return population == Population::kInhibitory ? shape.ni : shape.ne;
}

const std::vector<uint8_t>& Bits(Population population,
                                 const StepRecord& record) {
  return population == Population::kInhibitory  ? record.y
         : population == Population::kRecurrent ? record.r
                                                : record.x;
}

// The features of the log's steps (the bias is the Readout's own).
Eigen::MatrixXd Features(const ReadoutFeatures& features,
                         const ReadoutShape& shape, const ActivityLog& log,
                         int64_t rows, int64_t skip_last) {
  const SpikeTrain train = log.Train(features.population, rows, skip_last);
  const int n = train.neurons;
  const int nu = features.include_input ? shape.nu : 0;
  Eigen::MatrixXd x(rows, n + nu);
  for (int64_t t = 0; t < rows; ++t) {
    for (int i = 0; i < n; ++i) x(t, i) = train.at(int(t), i);
  }
  if (nu > 0) {
    const std::vector<double> inputs = log.Inputs(rows, skip_last);
    for (int64_t t = 0; t < rows; ++t) {
      for (int k = 0; k < nu; ++k) x(t, n + k) = inputs[t * nu + k];
    }
  }
  return x;
}

}  // namespace

int64_t ReadoutSet::FeatureCount(const ReadoutFeatures& features,
                                 const ReadoutShape& shape) {
  return int64_t{PopulationSize(features.population, shape)} +
         (features.include_input ? shape.nu : 0) + (features.bias ? 1 : 0);
}

int64_t ReadoutSet::FitBytes(int64_t rows, int64_t features, int64_t outputs,
                             double regularization) {
  // The features twice (as read from the log, and with the bias column in
  // Readout's design matrix) and the targets; then ridge's X'X and X'Y, or
  // least squares' decomposition of a copy of X and its Q'Y (rows x outputs).
  const double r = double(rows), f = double(features), o = double(outputs);
  const double solver = regularization > 0 ? f * (f + o) : r * (f + o) + f * f;
  const double doubles = 2.0 * r * f + r * o + solver;
  return doubles * sizeof(double) > 9e18 ? INT64_MAX
                                         : int64_t(doubles * sizeof(double));
}

absl::StatusOr<ReadoutFit> ReadoutSet::Prepare(
    const std::string& name, const ReadoutFeatures& features,
    const ReadoutTargets& targets, double regularization, int64_t skip_last,
    const ActivityLog& log, const ReadoutShape& shape, int64_t session_step,
    int64_t max_bytes) const {
  if (!readouts_.contains(name) && int(readouts_.size()) >= kMaxReadouts) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a session holds at most ", kMaxReadouts,
                     " readouts; delete one first"));
  }
  const int64_t columns = FeatureCount(features, shape);
  const int64_t fit_bytes =
      FitBytes(targets.rows(), columns, targets.outputs(), regularization);
  if (fit_bytes > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "this fit needs ", fit_bytes, " bytes; the server's limit is ",
        max_bytes, " (--max_readout_bytes): fit on fewer steps"));
  }
  int64_t held = columns * targets.outputs() * int64_t{sizeof(double)};
  for (const auto& [other, readout] : readouts_) {
    if (other != name)
      held += readout.readout.weights().size() * sizeof(double);
  }
  if (held > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the session's readouts would hold ", held,
                     " bytes of weights; the server's limit is ", max_bytes,
                     " (--max_readout_bytes): delete a readout first"));
  }
  if (skip_last < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("skip_last must be >= 0, got ", skip_last));
  }
  const int64_t rows = targets.rows();
  if (rows < 1) {
    return absl::InvalidArgumentError("targets have no rows");
  }
  const int64_t available = log.size() > skip_last ? log.size() - skip_last : 0;
  if (rows > available) {
    return absl::InvalidArgumentError(absl::StrCat(
        "targets have ", rows, " rows but the session has ", available,
        " recorded steps before the last ", skip_last, " (", log.size(),
        " recorded, record buffer ", log.capacity(), ")"));
  }
  return ReadoutFit{features, regularization, session_step - skip_last,
                    Features(features, shape, log, rows, skip_last)};
}

absl::StatusOr<NamedReadout> ReadoutSet::Solve(const ReadoutFit& fit,
                                               const ReadoutTargets& targets) {
  ReadoutOptions options;
  options.regularization = fit.regularization;
  options.bias = fit.features.bias;
  ASSIGN_OR_RETURN(
      Readout readout,
      targets.classifier
          ? Readout::FitClasses(fit.x, targets.labels, targets.classes, options)
          : Readout::FitValues(fit.x, targets.values, options));
  const double error = readout.training_error();
  const double accuracy = readout.training_accuracy();
  // Readout refuses fits that overflow; this keeps a non-finite figure out
  // of the session whatever the engine lets through, since a session file
  // holding one would be refused at load.
  if (!readout.weights().allFinite() || !std::isfinite(error) ||
      !std::isfinite(accuracy)) {
    return absl::InvalidArgumentError(
        "the fit's weights or training error are not finite; scale the "
        "targets down");
  }
  return NamedReadout{std::move(readout),
                      fit.features,
                      fit.regularization,
                      fit.x.rows(),
                      fit.fitted_at_step,
                      error,
                      accuracy};
}

const NamedReadout* ReadoutSet::Install(const std::string& name,
                                        NamedReadout readout) {
  return &readouts_.insert_or_assign(name, std::move(readout)).first->second;
}

absl::Status ReadoutSet::Restore(const std::string& name, NamedReadout readout,
                                 const ReadoutShape& shape) {
  const int64_t expected = FeatureCount(readout.features, shape);
  if (readout.readout.weights().rows() != expected ||
      readout.readout.bias() != readout.features.bias) {
    return absl::InvalidArgumentError(absl::StrCat(
        "readout \"", name, "\" has ", readout.readout.weights().rows(),
        " weight rows; its features need ", expected));
  }
  if (int(readouts_.size()) >= kMaxReadouts) {
    return absl::InvalidArgumentError(
        absl::StrCat("more than ", kMaxReadouts, " readouts"));
  }
  if (!readouts_.emplace(name, std::move(readout)).second) {
    return absl::InvalidArgumentError(
        absl::StrCat("readout \"", name, "\" appears twice"));
  }
  return absl::OkStatus();
}

absl::Status ReadoutSet::Remove(const std::string& name) {
  if (readouts_.erase(name) == 0) {
    return absl::NotFoundError(absl::StrCat("no readout \"", name, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<const NamedReadout*>> ReadoutSet::Select(
    const std::vector<std::string>& names) const {
  std::vector<const NamedReadout*> selected;
  std::set<std::string> seen;
  for (const std::string& name : names) {
    // Each name costs its scores in every response and its work in every
    // step: once is what a caller can mean.
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("readout \"", name, "\" is named twice"));
    }
    auto it = readouts_.find(name);
    if (it == readouts_.end()) {
      return absl::NotFoundError(absl::StrCat(
          "no readout \"", name, "\" in this session (FitReadout makes one)"));
    }
    selected.push_back(&it->second);
  }
  return selected;
}

int32_t ReadoutSet::Score(const NamedReadout& named, const StepRecord& record,
                          std::span<const double> input, double* scores) {
  const Eigen::MatrixXd& w = named.readout.weights();
  const int outputs = int(w.cols());
  const std::vector<uint8_t>& bits = Bits(named.features.population, record);
  const int n = int(bits.size());
  for (int o = 0; o < outputs; ++o) {
    // Binary features: the scores are sums of the active neurons' rows.
    double s = 0.0;
    for (int i = 0; i < n; ++i) {
      if (bits[i]) s += w(i, o);
    }
    if (named.features.include_input) {
      for (size_t k = 0; k < input.size(); ++k) s += input[k] * w(n + k, o);
    }
    if (named.features.bias) s += w(w.rows() - 1, o);
    scores[o] = s;
  }
  int32_t best = 0;
  for (int o = 1; o < outputs; ++o) {
    if (scores[o] > scores[best]) best = o;
  }
  return best;
}

}  // namespace sorn::server
