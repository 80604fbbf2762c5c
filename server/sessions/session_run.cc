#include "server/sessions/session_run.h"

#include <utility>

#include "core/status_macros.h"

namespace sorn::server {

SessionRun::SessionRun(std::shared_ptr<Session> session, Session::Driver driver,
                       SessionStore* store, const Options& options,
                       ServerMetrics* metrics)
    : session_(std::move(session)),
      driver_(std::move(driver)),
      freeze_(options.freeze),
      steps_metric_(&metrics->Steps(options.tenant)),
      timer_(std::make_unique<StepTimer>(metrics)),
      checkpoints_(std::make_unique<CheckpointSchedule>(
          store, session_.get(), options.checkpoint_every_steps)) {}

absl::StatusOr<SessionRun> SessionRun::Begin(
    SessionStore* store, std::shared_ptr<Session> session,
    const std::vector<std::string>& readouts, const Options& options,
    ServerMetrics* metrics) {
  ASSIGN_OR_RETURN(Session::Driver driver, session->TryDrive());
  SessionRun run(session, std::move(driver), store, options, metrics);
  ASSIGN_OR_RETURN(run.readouts_,
                   session->WithState([&](const Network&, const ActivityLog&,
                                          const ReadoutSet& set) {
                     return set.Select(readouts);
                   }));
  return run;
}

SessionRun::Batch SessionRun::Account(Batch batch) {
  steps_ += batch.steps;
  steps_metric_->Increment(double(batch.steps));
  batch.checkpoint = checkpoints_->Ran(batch.steps);
  return batch;
}

}  // namespace sorn::server
