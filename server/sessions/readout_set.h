// ReadoutSet: a session's named readouts. Each is fitted on the session's
// recorded steps (ActivityLog) and evaluated on every new step a call asks
// it for, so a caller gets its prediction in the same round trip.
#ifndef SORN_SERVER_SESSIONS_READOUT_SET_H_
#define SORN_SERVER_SESSIONS_READOUT_SET_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "Eigen/Dense"
#include "absl/status/statusor.h"
#include "core/network.h"
#include "core/readout.h"
#include "core/step_record.h"
#include "server/sessions/activity_log.h"

namespace sorn::server {

// What one step contributes to a readout's features, in this order: the
// population's activity (0 or 1 per neuron), the step's input values, 1.
struct ReadoutFeatures {
  Population population = Population::kExcitatory;
  bool include_input = false;
  bool bias = true;
};

// The network shape features are taken from.
struct ReadoutShape {
  int ne = 0;
  int ni = 0;
  int nu = 0;
};
inline ReadoutShape ShapeOf(const Network& network) {
  return {network.ne(), network.ni(), network.nu()};
}

// Targets of a fit, one row per step: class labels (a classifier) or real
// values (steps x outputs).
struct ReadoutTargets {
  bool classifier = false;
  std::vector<int32_t> labels;  // classifier: in [0, classes).
  int classes = 0;
  Eigen::MatrixXd values;  // otherwise.

  int64_t rows() const {
    return classifier ? int64_t(labels.size()) : int64_t(values.rows());
  }
  int outputs() const { return classifier ? classes : int(values.cols()); }
};

// A fit read from the log under the session's lock and solved outside it,
// so that a long fit does not hold up readers (GetSession, ListSessions).
struct ReadoutFit {
  ReadoutFeatures features;
  double regularization = 0;
  int64_t fitted_at_step = 0;
  Eigen::MatrixXd x;  // one row of features per target row, without bias.
};

struct NamedReadout {
  Readout readout;
  ReadoutFeatures features;
  double regularization = 0;
  int64_t fitted_steps = 0;      // rows it was fitted on.
  int64_t fitted_at_step = 0;    // session step of the last row.
  double training_error = 0;     // mean squared error on the fitted rows.
  double training_accuracy = 0;  // classifiers: fraction correct.
};

// A value type owned by its Session, which guards it; not thread-safe.
class ReadoutSet {
 public:
  // A session holds at most this many readouts.
  static constexpr int kMaxReadouts = 64;

  // Columns of the features (the bias included) for a network of `shape`.
  static int64_t FeatureCount(const ReadoutFeatures& features,
                              const ReadoutShape& shape);
  // Bytes a fit of `rows` x `features` to `outputs` needs at its peak
  // (the features twice, the targets, and the solver's: ridge's X'X and X'Y,
  // or for regularization 0 a decomposed copy of X and Q'Y), for the
  // server's limit.
  static int64_t FitBytes(int64_t rows, int64_t features, int64_t outputs,
                          double regularization);

  // A fit of `name` (replacing a readout of that name) is three calls:
  // Prepare and Install under the session's lock, Solve between them
  // without it. The caller must drive the session throughout, so that
  // neither the log nor the set changes in between.
  //
  // Checks the fit and reads its features: the log's steps that end
  // `skip_last` before its last one, one per row of `targets`;
  // `session_step` is the session's step count now. `max_bytes` bounds both
  // the fit's working memory (FitBytes) and the weights all the session's
  // readouts hold together.
  // INVALID_ARGUMENT: fewer recorded steps than rows, no rows, negative
  // skip_last; RESOURCE_EXHAUSTED: over `max_bytes`, or a new name beyond
  // kMaxReadouts.
  absl::StatusOr<ReadoutFit> Prepare(
      const std::string& name, const ReadoutFeatures& features,
      const ReadoutTargets& targets, double regularization, int64_t skip_last,
      const ActivityLog& log, const ReadoutShape& shape, int64_t session_step,
      int64_t max_bytes) const;
  // The ridge regression itself; INVALID_ARGUMENT for bad targets or
  // regularization, collinear features without regularization, or a fit
  // whose weights, error or accuracy are not finite (nothing is changed).
  static absl::StatusOr<NamedReadout> Solve(const ReadoutFit& fit,
                                            const ReadoutTargets& targets);
  const NamedReadout* Install(const std::string& name, NamedReadout readout);
  // Adds a restored readout; INVALID_ARGUMENT if its weights do not fit the
  // shape's features or the name is taken.
  absl::Status Restore(const std::string& name, NamedReadout readout,
                       const ReadoutShape& shape);
  // NOT_FOUND if there is no such readout.
  absl::Status Remove(const std::string& name);
  // The named readouts, in order; NOT_FOUND names the first unknown one,
  // INVALID_ARGUMENT the first named twice.
  absl::StatusOr<std::vector<const NamedReadout*>> Select(
      const std::vector<std::string>& names) const;

  const std::map<std::string, NamedReadout>& readouts() const {
    return readouts_;
  }

  // One step's scores (`readout.outputs()` of them) into `scores`; returns
  // the class (highest score, lowest index on ties).
  // REQUIRES: `record` and `input` come from a network of the fitted shape.
  static int32_t Score(const NamedReadout& readout, const StepRecord& record,
                       std::span<const double> input, double* scores);

 private:
  std::map<std::string, NamedReadout> readouts_;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSIONS_READOUT_SET_H_
