// SessionRun: one call driving a session step by step, the run loop that
// Simulate, Train and the Step stream share. It holds the session's driver
// for its whole life, applies the call's frozen mechanisms to the call's
// steps only, steps the network in batches under the session's lock, logs,
// times and counts every step, and checkpoints the session every
// --checkpoint_every_steps steps and once at the end (CheckpointSchedule).
// What a step's results become (a response message) is the caller's.
#ifndef SORN_SERVER_SESSIONS_SESSION_RUN_H_
#define SORN_SERVER_SESSIONS_SESSION_RUN_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/mechanism.h"
#include "core/network.h"
#include "core/step_record.h"
#include "server/metrics/server_metrics.h"
#include "server/sessions/checkpoint_schedule.h"
#include "server/sessions/readout_set.h"
#include "server/sessions/session.h"
#include "server/sessions/session_store.h"

namespace sorn::server {

// Owned by the call's handler; not thread-safe (one call, one thread).
class SessionRun {
 public:
  struct Options {
    // Steps between checkpoints while the call runs (0: only at its end).
    int64_t checkpoint_every_steps = 0;
    // Mechanisms frozen for the call's steps, on top of the session's own.
    FreezeSet freeze;
    // The tenant whose step counter (sorn_steps_total) counts the steps.
    std::string tenant;
  };

  // Takes the session's driver (FAILED_PRECONDITION while another call
  // drives it) and selects the named readouts (NOT_FOUND, INVALID_ARGUMENT:
  // ReadoutSet::Select). `store` and `metrics` outlive the run.
  static absl::StatusOr<SessionRun> Begin(
      SessionStore* store, std::shared_ptr<Session> session,
      const std::vector<std::string>& readouts, const Options& options,
      ServerMetrics* metrics);
  SessionRun(SessionRun&&) = default;

  // Reserves the memory of the call's checkpoints for its whole life
  // (RESOURCE_EXHAUSTED): after the call's other reservations, before its
  // first step.
  absl::Status StartCheckpoints() { return checkpoints_->Start(); }

  Session& session() { return *session_; }
  // The selected readouts, in the order named; valid for the run's life
  // (fitting or deleting a readout needs the driver, which the run holds)
  // until a failed checkpoint rolls the session back, which ends the run.
  const std::vector<const NamedReadout*>& readouts() const { return readouts_; }
  // Steps run so far.
  int64_t steps() const { return steps_; }

  // What one batch did: its steps, the error that ended it early (the steps
  // before it ran and are logged; the caller still reports them), and the
  // checkpoint's error: the session was rolled back, and the run must end
  // with it.
  struct Batch {
    int steps = 0;
    absl::Status error;
    absl::Status checkpoint;
  };
  // Runs up to `count` steps under the session's lock. Before step k,
  // `next(k, network, options, input)` sets the step's input (and may
  // change its options): true runs the step, false ends the batch, an error
  // ends it with that error. After the step, `done(k, network, record,
  // input)` sees its results. Each step that ran is timed. Then the batch's
  // steps are counted and checkpointed when due.
  template <typename Next, typename Done>
  Batch RunBatch(int count, StepOptions options, Next next, Done done);

  // The call's status when it ends with `result`: the final checkpoint
  // (CheckpointSchedule::Finish).
  absl::Status Finish(absl::Status result) {
    return checkpoints_->Finish(std::move(result));
  }

 private:
  SessionRun(std::shared_ptr<Session> session, Session::Driver driver,
             SessionStore* store, const Options& options,
             ServerMetrics* metrics);
  // The counting and checkpointing after a batch.
  Batch Account(Batch batch);

  // Declared before the driver, which is released first.
  std::shared_ptr<Session> session_;
  Session::Driver driver_;
  FreezeSet freeze_;
  std::vector<const NamedReadout*> readouts_;
  prometheus::Counter* steps_metric_;
  std::unique_ptr<StepTimer> timer_;
  std::unique_ptr<CheckpointSchedule> checkpoints_;
  StepRecord record_;
  int64_t steps_ = 0;
};

// Adds a call's frozen mechanisms to the network's for the object's life,
// also when an exception (an allocation that failed) leaves a batch early.
class CallFreeze {
 public:
  CallFreeze(Network* net, FreezeSet call)
      : net_(net), session_(net->frozen()) {
    net_->set_frozen(FreezeSet::FromBits(session_.bits() | call.bits()));
  }
  ~CallFreeze() { net_->set_frozen(session_); }
  CallFreeze(const CallFreeze&) = delete;
  CallFreeze& operator=(const CallFreeze&) = delete;

 private:
  Network* const net_;
  const FreezeSet session_;
};

template <typename Next, typename Done>
SessionRun::Batch SessionRun::RunBatch(int count, StepOptions options,
                                       Next next, Done done) {
  Batch batch =
      session_->WithState([&](Network& net, ActivityLog& log, ReadoutSet&) {
        const CallFreeze freeze(&net, freeze_);
        Batch ran;
        std::span<const double> input;
        for (; ran.steps < count; ++ran.steps) {
          absl::StatusOr<bool> go = next(ran.steps, net, options, input);
          if (!go.ok()) ran.error = go.status();
          if (!go.ok() || !*go) break;
          const auto start = std::chrono::steady_clock::now();
          ran.error = net.Step(input, options, &record_);
          if (!ran.error.ok()) break;
          timer_->Observe(std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - start)
                              .count());
          log.Append(record_, input);
          done(ran.steps, net, record_, input);
        }
        return ran;
      });
  return Account(std::move(batch));
}

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSIONS_SESSION_RUN_H_
