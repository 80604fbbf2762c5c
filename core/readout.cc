#include "core/readout.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace sorn {
namespace {

absl::Status CheckFinite(const Eigen::MatrixXd& m, const char* what) {
  if (!m.allFinite()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " hold a NaN or infinite value"));
  }
  return absl::OkStatus();
}

// [features, 1] when `bias`.
Eigen::MatrixXd Design(const Eigen::MatrixXd& features, bool bias) {
  if (!bias) return features;
  Eigen::MatrixXd x(features.rows(), features.cols() + 1);
  x << features, Eigen::VectorXd::Ones(features.rows());
  return x;
}

// argmax of each row; the lowest index on ties.
std::vector<int32_t> ArgMax(const Eigen::MatrixXd& scores) {
  std::vector<int32_t> classes(scores.rows(), 0);
  for (Eigen::Index t = 0; t < scores.rows(); ++t) {
    Eigen::Index best = 0;
    scores.row(t).maxCoeff(&best);
    classes[t] = static_cast<int32_t>(best);
  }
  return classes;
}

// W minimizing |X W - Y|^2 + lambda |W without its bias row|^2:
// (X'X + lambda D) W = X'Y, D the identity without the bias entry. Without
// ridge (lambda = 0) the least-squares W of minimum norm, X^+ Y (NumPy's
// pinv(X) @ Y), which is defined for collinear features too: reservoir
// states are often rank-deficient (silent or always-active neurons, pools
// that fire together).
Eigen::MatrixXd SolveRidge(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                           double lambda, bool bias) {
  if (lambda == 0) {
    return Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd>(x).solve(y);
  }
  Eigen::MatrixXd gram = x.transpose() * x;
  const Eigen::Index penalized = gram.rows() - (bias ? 1 : 0);
  gram.diagonal().head(penalized).array() += lambda;
  // Positive definite for lambda > 0 (semi-definite only if the bias column
  // is the sole feature that is 0 everywhere, which Design never makes).
  return Eigen::MatrixXd(
      Eigen::LDLT<Eigen::MatrixXd>(gram).solve(x.transpose() * y));
}

}  // namespace

absl::StatusOr<Readout> Readout::FitValues(const Eigen::MatrixXd& features,
                                           const Eigen::MatrixXd& targets,
                                           const ReadoutOptions& options) {
  if (features.rows() == 0 || features.rows() != targets.rows()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a readout needs one target row per feature row and at least one; "
        "got ",
        features.rows(), " feature rows and ", targets.rows(), " targets"));
  }
  if (features.cols() == 0 || targets.cols() == 0) {
    return absl::InvalidArgumentError(
        "a readout needs at least one feature and one output");
  }
  if (!(options.regularization >= 0) ||
      !std::isfinite(options.regularization)) {
    return absl::InvalidArgumentError(
        absl::StrCat("regularization must be finite and >= 0, got ",
                     options.regularization));
  }
  if (absl::Status s = CheckFinite(features, "features"); !s.ok()) return s;
  if (absl::Status s = CheckFinite(targets, "targets"); !s.ok()) return s;
  const Eigen::MatrixXd x = Design(features, options.bias);
  Readout readout(SolveRidge(x, targets, options.regularization, options.bias),
                  options.bias, /*classifier=*/false);
  readout.training_error_ =
      (x * readout.weights_ - targets).squaredNorm() / double(targets.size());
  // Finite inputs can still overflow: targets near 1e308 make X'Y infinite
  // and the weights NaN, targets of 1e200 an error of 1e400. Such a readout
  // would score NaN and could not be stored, so it is refused.
  if (!readout.weights_.allFinite() ||
      !std::isfinite(readout.training_error_)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the fit overflows double precision (weights or training error are "
        "not finite); the largest target is ",
        targets.cwiseAbs().maxCoeff(), " and the largest feature ",
        features.cwiseAbs().maxCoeff(), ": scale them down"));
  }
  return readout;
}

absl::StatusOr<Readout> Readout::FitClasses(const Eigen::MatrixXd& features,
                                            std::span<const int32_t> labels,
                                            int classes,
                                            const ReadoutOptions& options) {
  if (classes < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("a classifier needs at least 2 classes, got ", classes));
  }
  if (Eigen::Index(labels.size()) != features.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat("one label per feature row: got ", labels.size(),
                     " labels and ", features.rows(), " rows"));
  }
  Eigen::MatrixXd one_hot = Eigen::MatrixXd::Zero(features.rows(), classes);
  for (size_t t = 0; t < labels.size(); ++t) {
    if (labels[t] < 0 || labels[t] >= classes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "label ", t, " is ", labels[t], "; classes are 0 to ", classes - 1));
    }
    one_hot(Eigen::Index(t), labels[t]) = 1.0;
  }
  absl::StatusOr<Readout> readout = FitValues(features, one_hot, options);
  if (!readout.ok()) return readout.status();
  readout->classifier_ = true;
  const std::vector<int32_t> predicted = readout->Classify(features);
  int64_t correct = 0;
  for (size_t t = 0; t < labels.size(); ++t)
    correct += predicted[t] == labels[t];
  readout->training_accuracy_ = double(correct) / double(labels.size());
  return readout;
}

absl::StatusOr<Readout> Readout::FromWeights(Eigen::MatrixXd weights, bool bias,
                                             bool classifier) {
  if (weights.rows() < (bias ? 2 : 1) || weights.cols() < 1) {
    return absl::InvalidArgumentError("readout weights have no feature");
  }
  if (absl::Status s = CheckFinite(weights, "readout weights"); !s.ok()) {
    return s;
  }
  return Readout(std::move(weights), bias, classifier);
}

Eigen::MatrixXd Readout::Predict(const Eigen::MatrixXd& features) const {
  Eigen::MatrixXd scores =
      features * weights_.topRows(weights_.rows() - (bias_ ? 1 : 0));
  if (bias_) scores.rowwise() += weights_.row(weights_.rows() - 1);
  return scores;
}

std::vector<int32_t> Readout::Classify(const Eigen::MatrixXd& features) const {
  return ArgMax(Predict(features));
}

}  // namespace sorn
