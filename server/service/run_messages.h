// What the responses of the stepping calls (Simulate, Train: RunResponse;
// Step: StepResponse, which shares their fields) carry per step, and the
// conversion of a request's RecordSelection and readout names: appending a
// step's packed activity, thresholds and readout outputs to a message, and
// upper bounds of the bytes they take (for ResponseBounds).
#ifndef SORN_SERVER_SERVICE_RUN_MESSAGES_H_
#define SORN_SERVER_SERVICE_RUN_MESSAGES_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/packed_bits.h"
#include "core/step_record.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "server/service/response_bounds.h"
#include "server/sessions/readout_set.h"
#include "sorn/v1/sorn.pb.h"

namespace sorn::server {

using ReadoutNames = google::protobuf::RepeatedPtrField<std::string>;

// The request's selection with the API's defaults (x, y, r and counts on).
absl::StatusOr<Selection> SelectionFromProto(
    const sorn::v1::RecordSelection& proto);

// Upper bound of the bytes one step adds to a response: its selected
// fields (StepBytes), the readouts' outputs and the readouts' names (which
// a response carries once; counted per step, which bounds them).
int64_t StepResponseBytes(const Selection& select, int ne, int ni,
                          const std::vector<const NamedReadout*>& readouts,
                          const ReadoutNames& names);

// Appends one step's bits to a packed field holding `index` steps so far.
void AppendBits(const std::vector<uint8_t>& bits, int index, std::string* out);

// Appends the selected activity and thresholds of step `index` of a message.
template <typename Response>
void AppendStep(const Selection& select, const StepRecord& record, int index,
                Response* response) {
  if (select.x) AppendBits(record.x, index, response->mutable_x());
  if (select.y) AppendBits(record.y, index, response->mutable_y());
  if (select.r) AppendBits(record.r, index, response->mutable_r());
  if (select.thresholds) {
    response->mutable_te()->Add(record.te.begin(), record.te.end());
    response->mutable_ti()->Add(record.ti.begin(), record.ti.end());
  }
}

// Starts a response's readout outputs, in the order they were requested.
template <typename Response>
void StartReadouts(const ReadoutNames& names, Response* response) {
  for (const std::string& name : names) {
    response->add_readouts()->set_name(name);
  }
}

// Appends one step's scores (and class) of every selected readout.
// REQUIRES: StartReadouts was called on `response`.
template <typename Response>
void AppendReadouts(const std::vector<const NamedReadout*>& readouts,
                    const StepRecord& record, std::span<const double> input,
                    Response* response) {
  for (size_t i = 0; i < readouts.size(); ++i) {
    sorn::v1::ReadoutOutput* out = response->mutable_readouts(int(i));
    const int outputs = readouts[i]->readout.outputs();
    google::protobuf::RepeatedField<double>* scores = out->mutable_scores();
    const int at = scores->size();
    scores->Resize(at + outputs, 0.0);
    const int32_t best = ReadoutSet::Score(*readouts[i], record, input,
                                           scores->mutable_data() + at);
    if (readouts[i]->readout.classifier()) out->add_classes(best);
  }
}

}  // namespace sorn::server

#endif  // SORN_SERVER_SERVICE_RUN_MESSAGES_H_
