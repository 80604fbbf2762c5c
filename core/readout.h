// Readout: a linear map from a reservoir's recorded states (and, if the
// caller includes them, its inputs) to outputs, fitted by ridge regression in
// closed form. It is how SORN experiments read a frozen reservoir: class
// scores of the next symbol, or real-valued targets.
#ifndef SORN_CORE_READOUT_H_
#define SORN_CORE_READOUT_H_

#include <cstdint>
#include <span>
#include <vector>

#include "Eigen/Dense"
#include "absl/status/statusor.h"

namespace sorn {

struct ReadoutOptions {
  // Ridge strength lambda >= 0: minimizes |X W - Y|^2 + lambda |W|^2 (the
  // bias is not penalized). 0 is least squares, of minimum norm when the
  // features are collinear (the pseudo-inverse solution).
  double regularization = 1e-6;
  // Adds a constant feature 1, so that outputs need not pass through 0.
  bool bias = true;
};

// A fitted readout. A value type; not synchronized (callers own it).
class Readout {
 public:
  // Fits outputs = features * W (+ bias) to real-valued `targets`.
  // REQUIRES nothing; errors (InvalidArgument) name what is wrong: rows of
  // features and targets differ or are 0, a non-finite value, a negative or
  // non-finite regularization, values so large that the weights or the training
  // error overflow.
  static absl::StatusOr<Readout> FitValues(const Eigen::MatrixXd& features,
                                           const Eigen::MatrixXd& targets,
                                           const ReadoutOptions& options);
  // Fits one-hot scores of `classes` classes to `labels` (one per row of
  // features, each in [0, classes)); Classify then picks the highest score.
  static absl::StatusOr<Readout> FitClasses(const Eigen::MatrixXd& features,
                                            std::span<const int32_t> labels,
                                            int classes,
                                            const ReadoutOptions& options);
  // Rebuilds a readout from its parts (a restored session).
  // REQUIRES: weights.rows() == features + (bias ? 1 : 0).
  static absl::StatusOr<Readout> FromWeights(Eigen::MatrixXd weights, bool bias,
                                             bool classifier);

  int features() const { return int(weights_.rows()) - (bias_ ? 1 : 0); }
  int outputs() const { return int(weights_.cols()); }
  bool bias() const { return bias_; }
  bool classifier() const { return classifier_; }
  // features() + bias rows (bias last) x outputs().
  const Eigen::MatrixXd& weights() const { return weights_; }

  // Outputs (scores) of each row of `features`.
  // REQUIRES: features.cols() == features().
  Eigen::MatrixXd Predict(const Eigen::MatrixXd& features) const;
  // The class of each row: the index of its highest score (lowest on ties).
  std::vector<int32_t> Classify(const Eigen::MatrixXd& features) const;

  // On the training data: mean squared error over all outputs, and (for a
  // classifier) the fraction of rows classified correctly.
  double training_error() const { return training_error_; }
  double training_accuracy() const { return training_accuracy_; }

 private:
  Readout(Eigen::MatrixXd weights, bool bias, bool classifier)
      : weights_(std::move(weights)), bias_(bias), classifier_(classifier) {}

  Eigen::MatrixXd weights_;
  bool bias_ = true;
  bool classifier_ = false;
  double training_error_ = 0;
  double training_accuracy_ = 0;
};

}  // namespace sorn

#endif  // SORN_CORE_READOUT_H_
