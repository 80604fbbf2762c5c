// ResponseBounds: how large one response of a Simulate, Train or Step call
// may grow, and upper bounds of what one step adds to it. A response never
// exceeds --max_message_bytes (gRPC would abort the server) nor the memory
// the call reserved for it: steps_per_message is a most, and a batch is sent
// early when the next step might not fit.
#ifndef SORN_SERVER_SERVICE_RESPONSE_BOUNDS_H_
#define SORN_SERVER_SERVICE_RESPONSE_BOUNDS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "server/sessions/memory_budget.h"

namespace sorn::server {

// What a response carries per step (RecordSelection with the API's
// defaults).
struct Selection {
  bool x, y, r, counts, thresholds;
  int weights_every;
  // Which matrices a weight snapshot holds (bounds count both).
  bool snapshot_wee = true, snapshot_wei = true;
};

// Upper bound of the serialized bytes one step adds to a response: its
// packed activity, thresholds, counts and `readout_outputs` scores (and one
// class per classifier, counted among them), with field overheads.
int64_t StepBytes(const Selection& select, int ne, int ni,
                  int64_t readout_outputs);
// Upper bound of the serialized bytes of one WeightSnapshot of Wee and Wei
// with these many entries, over `rows` rows in all.
int64_t SnapshotBytes(int64_t entries, int64_t rows);

// Not thread-safe: one per call.
class ResponseBounds {
 public:
  // `message_limit`: --max_message_bytes.
  explicit ResponseBounds(int64_t message_limit) : limit_(message_limit) {}

  // Reserves from `budget` what the call's responses take while it runs:
  // a response of `typical_bytes` (capped at the message limit), its
  // serialized copy inside gRPC, and the engine's copy of one snapshot
  // (`snapshot_bytes`, 0 when none is recorded). RESOURCE_EXHAUSTED with the
  // figures when `largest_step` (one step with its snapshot) can never be
  // sent, or the budget has no room.
  absl::Status Reserve(MemoryBudget* budget, int64_t typical_bytes,
                       int64_t largest_step, int64_t snapshot_bytes);

  // Whether a response now holding `so_far` bytes can take `next` more
  // without passing the cap. When it cannot, and `so_far` is 0 (a step
  // alone), the cap is grown to `next` if the limit and the budget allow;
  // else RESOURCE_EXHAUSTED.
  absl::StatusOr<bool> Fits(int64_t so_far, int64_t next);

  // Bytes a response may hold (<= the message limit).
  int64_t cap() const { return cap_; }

 private:
  const int64_t limit_;
  int64_t cap_ = 0;
  int64_t snapshot_bytes_ = 0;
  MemoryBudget::Reservation memory_;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SERVICE_RESPONSE_BOUNDS_H_
