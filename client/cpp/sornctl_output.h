// sornctl's output: what its commands print on stdout (a session's info, a
// line per session, statistics) and the .npz entries `sornctl export` writes.
#ifndef SORN_CLIENT_CPP_SORNCTL_OUTPUT_H_
#define SORN_CLIENT_CPP_SORNCTL_OUTPUT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/cpp/npz_file.h"
#include "sorn/v1/sorn.pb.h"

namespace sorn::ctl {

// A session's info, one "field: value" line per field.
void PrintInfo(const v1::SessionInfo& info);

// Prints the info, or returns its error.
absl::Status Print(absl::StatusOr<v1::SessionInfo> info);

// A session's line in `sornctl list`.
void PrintListLine(const v1::SessionInfo& info);

// The statistics, "name: value" for each one set and "name: undefined (why)"
// for each one the activity leaves undefined.
void PrintStatistics(const v1::Statistics& statistics);

// The exported state as arrays of the reference implementation's layout
// (Wee Wei Wie Te Ti X Y) and `serialized` itself as "sorn_state", for an
// exact import.
client::NpzEntries StateNpz(const v1::NetworkState& state,
                            const std::string& serialized);

}  // namespace sorn::ctl

#endif  // SORN_CLIENT_CPP_SORNCTL_OUTPUT_H_
