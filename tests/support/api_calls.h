// One call of the sorn.v1.Sorn API as tests make it again and again:
// create, get, delete a session, run Simulate or Train to the end, and move
// a state out (ExportState) and in (ImportState).
#ifndef SORN_TESTS_SUPPORT_API_CALLS_H_
#define SORN_TESTS_SUPPORT_API_CALLS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "sorn/v1/sorn.grpc.pb.h"

namespace sorn {

// Creates session `name` from `seed` with default parameters, unless `edit`
// changes the request; the call's status, and the session in *info if given.
grpc::Status CreateTestSession(
    v1::Sorn::Stub* stub, const std::string& name, uint64_t seed = 1,
    const std::function<void(v1::CreateSessionRequest&)>& edit = {},
    v1::SessionInfo* info = nullptr);

// GetSession of `name`: the session (empty on error), the status in *status
// if given.
v1::SessionInfo GetSessionInfo(v1::Sorn::Stub* stub, const std::string& name,
                               grpc::Status* status = nullptr);

// The step count of session `name`, or -1 if GetSession fails (its status in
// *status if given).
int64_t StepOf(v1::Sorn::Stub* stub, const std::string& name,
               grpc::Status* status = nullptr);

// DeleteSession of `name`.
grpc::Status DeleteTestSession(v1::Sorn::Stub* stub, const std::string& name);

// Every response of a Simulate (or, with `train`, Train) call.
std::vector<v1::RunResponse> RunCall(v1::Sorn::Stub* stub,
                                     const v1::RunRequest& req, bool train,
                                     grpc::Status* status);

// A run on inputs U(0, 1) generated on the server from `seed`.
v1::RunRequest UniformRun(const std::string& session, int64_t steps,
                          uint64_t seed);

// All packed x bits of a Simulate call, which must succeed (a failure is
// reported to the running test).
std::string SimulateX(v1::Sorn::Stub* stub, const v1::RunRequest& req);

// The serialized state of a session, gathered from ExportState's chunks.
std::string ExportStateBytes(v1::Sorn::Stub* stub, const std::string& session,
                             grpc::Status* status = nullptr);

// How ImportStateBytes streams a state.
struct ImportOptions {
  // Header fields: replace an existing session of the name; announce the
  // size (total_bytes) so that the server reserves it up front; the format
  // (unspecified: NATIVE).
  bool replace = false;
  bool announce = false;
  v1::ImportStateRequest::Header::Format format =
      v1::ImportStateRequest::Header::FORMAT_UNSPECIFIED;
  // The bytes go in messages of this many after the header...
  size_t chunk_bytes = size_t{1} << 20;
  // ...or the first of them in the header's own message.
  bool data_in_header = false;
};

// ImportState of `bytes` as session `name`: a header, then the data in
// chunks, stopping early if the server ends the stream. The call's status,
// and the session in *info if given.
grpc::Status ImportStateBytes(v1::Sorn::Stub* stub, const std::string& name,
                              const std::string& bytes,
                              const ImportOptions& options = {},
                              v1::SessionInfo* info = nullptr);

}  // namespace sorn

#endif  // SORN_TESTS_SUPPORT_API_CALLS_H_
