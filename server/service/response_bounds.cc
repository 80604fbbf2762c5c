#include "server/service/response_bounds.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace sorn::server {
namespace {

// Tag and length of one field, and a message's own framing.
constexpr int64_t kFieldOverhead = 12;

int64_t PackedBitsBytes(int n) { return (int64_t{n} + 7) / 8; }

}  // namespace

int64_t StepBytes(const Selection& select, int ne, int ni,
                  int64_t readout_outputs) {
  int64_t bytes = 4 * kFieldOverhead;
  if (select.x) bytes += PackedBitsBytes(ne) + kFieldOverhead;
  if (select.y) bytes += PackedBitsBytes(ni) + kFieldOverhead;
  if (select.r) bytes += PackedBitsBytes(ne) + kFieldOverhead;
  if (select.thresholds) bytes += 8 * (int64_t{ne} + ni) + 2 * kFieldOverhead;
  if (select.counts) bytes += 2 * 10 + 2 * kFieldOverhead;
  // A score is a double; a class (varint) never takes more than one.
  bytes += readout_outputs * 10 + readout_outputs * kFieldOverhead;
  return bytes;
}

int64_t SnapshotBytes(int64_t entries, int64_t rows) {
  // value: 8 bytes, post: a varint of at most 5; row_start: at most 10 each.
  return 13 * entries + 10 * (rows + 2) + 8 * kFieldOverhead;
}

absl::Status ResponseBounds::Reserve(MemoryBudget* budget,
                                     int64_t typical_bytes,
                                     int64_t largest_step,
                                     int64_t snapshot_bytes) {
  if (largest_step > limit_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "one step of this call takes up to ", largest_step,
        " bytes in a response, over this server's message limit of ", limit_,
        " bytes (--max_message_bytes); record fewer fields, or read the "
        "weights with ExportState"));
  }
  cap_ = std::min(limit_, std::max(typical_bytes, largest_step));
  snapshot_bytes_ = snapshot_bytes;
  ASSIGN_OR_RETURN(memory_, budget->Reserve(2 * cap_ + snapshot_bytes_,
                                            "the call's responses"));
  return absl::OkStatus();
}

absl::StatusOr<bool> ResponseBounds::Fits(int64_t so_far, int64_t next) {
  if (so_far + next <= cap_) return true;
  if (so_far > 0) return false;
  if (next > limit_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the next step takes up to ", next,
        " bytes in a response, over this server's message limit of ", limit_,
        " bytes (--max_message_bytes); the weights have grown: read them "
        "with ExportState"));
  }
  // The response, its serialized copy, and the engine's copy of the
  // snapshot that made it this large.
  RETURN_IF_ERROR(memory_.Resize(3 * next, "the call's responses"));
  cap_ = next;
  return true;
}

}  // namespace sorn::server
