#include "server/sessions/checkpoint_schedule.h"

#include "core/status_macros.h"

namespace sorn::server {

absl::Status CheckpointSchedule::Start() {
  ASSIGN_OR_RETURN(MemoryBudget::Reservation memory,
                   store_->ReserveWrite(*session_));
  memory_ = std::move(memory);
  return absl::OkStatus();
}

absl::Status CheckpointSchedule::Ran(int64_t steps) {
  unsaved_ += steps;
  if (every_ <= 0 || unsaved_ < every_) return absl::OkStatus();
  absl::Status saved = store_->Persist(*session_, /*memory_held=*/true);
  if (!saved.ok()) {
    failed_ = true;
    return saved;
  }
  unsaved_ = 0;
  return absl::OkStatus();
}

absl::Status CheckpointSchedule::Finish(absl::Status result) {
  if (failed_ || unsaved_ == 0) return result;
  absl::Status saved = store_->Persist(*session_, /*memory_held=*/true);
  unsaved_ = 0;
  // A failed write rolled the session back: whatever the call was about to
  // answer, its steps are gone, and the answer must say so.
  return saved.ok() ? result : saved;
}

}  // namespace sorn::server
