#include "server/service/run_messages.h"

#include "absl/strings/str_cat.h"

namespace sorn::server {

absl::StatusOr<Selection> SelectionFromProto(
    const sorn::v1::RecordSelection& p) {
  if (p.weights_every() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("weights_every must be >= 0, got ", p.weights_every()));
  }
  return Selection{p.has_x() ? p.x() : true,
                   p.has_y() ? p.y() : true,
                   p.has_r() ? p.r() : true,
                   p.has_counts() ? p.counts() : true,
                   p.thresholds(),
                   p.weights_every(),
                   p.has_snapshot_wee() ? p.snapshot_wee() : true,
                   p.has_snapshot_wei() ? p.snapshot_wei() : true};
}

int64_t StepResponseBytes(const Selection& select, int ne, int ni,
                          const std::vector<const NamedReadout*>& readouts,
                          const ReadoutNames& names) {
  // Scores, and one class per classifier.
  int64_t outputs = 0;
  for (const NamedReadout* r : readouts) {
    outputs += r->readout.outputs() + (r->readout.classifier() ? 1 : 0);
  }
  // At most 64 names of at most 64 characters, with field overhead.
  int64_t name_bytes = 0;
  for (const std::string& name : names) name_bytes += int64_t(name.size()) + 16;
  return StepBytes(select, ne, ni, outputs) + name_bytes;
}

void AppendBits(const std::vector<uint8_t>& bits, int index, std::string* out) {
  const size_t bytes = PackedBytes(static_cast<int>(bits.size()));
  out->resize((index + 1) * bytes);
  PackBits(bits.data(), static_cast<int>(bits.size()),
           reinterpret_cast<uint8_t*>(out->data()) + index * bytes);
}

}  // namespace sorn::server
