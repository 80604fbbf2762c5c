// CheckpointSchedule: when a driving call (Simulate, Train, Step) writes its
// session: every --checkpoint_every_steps steps while it runs, and once when
// it ends if steps ran since the last write.
#ifndef SORN_SERVER_SESSIONS_CHECKPOINT_SCHEDULE_H_
#define SORN_SERVER_SESSIONS_CHECKPOINT_SCHEDULE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "server/sessions/session.h"
#include "server/sessions/session_store.h"

namespace sorn::server {

// Not thread-safe: one per call, used by the thread driving the session.
class CheckpointSchedule {
 public:
  // `every`: steps between writes while the call runs (0: only at the end).
  // REQUIRES: the caller holds the session's Driver for the schedule's life;
  // `store` and `session` outlive it.
  CheckpointSchedule(SessionStore* store, Session* session, int64_t every)
      : store_(store), session_(session), every_(every) {}

  // Reserves the memory the call's writes take, for its whole life (so that
  // its last write cannot be refused for memory taken meanwhile): call
  // before the first step; RESOURCE_EXHAUSTED refuses the call.
  absl::Status Start();

  // Counts `steps` more steps and writes the session when a checkpoint is
  // due. A failed write has rolled the session back (SessionStore::Persist):
  // its error must end the call.
  absl::Status Ran(int64_t steps);

  // The call's status when it ends with `result`: writes the steps since the
  // last write first (a cancelled call's steps ran, and are state), unless a
  // write already failed. A failed final write replaces an OK result.
  absl::Status Finish(absl::Status result);

 private:
  SessionStore* const store_;
  Session* const session_;
  const int64_t every_;
  MemoryBudget::Reservation memory_;
  int64_t unsaved_ = 0;  // steps since the last write.
  bool failed_ = false;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSIONS_CHECKPOINT_SCHEDULE_H_
