// SornService: the gRPC handlers of sorn.v1.Sorn. Each handler runs its body
// through Serve, which authenticates the caller, holds a stream slot for
// streaming calls and long unary ones, turns an allocation failure into
// RESOURCE_EXHAUSTED, and when the body's absl::Status comes back writes the
// call's log line, records its metrics and maps the status with
// ToGrpcStatus, the one place where codes are chosen. Bodies convert the
// request and call the session store and the engine. Streaming handlers hold
// their session as its driver.
#ifndef SORN_SERVER_SERVICE_SORN_SERVICE_H_
#define SORN_SERVER_SERVICE_SORN_SERVICE_H_

#include <chrono>
#include <new>
#include <stdexcept>

#include "absl/status/status.h"
#include "server/auth/access_tokens.h"
#include "server/metrics/server_metrics.h"
#include "server/server_options.h"
#include "server/service/call_log.h"
#include "server/service/run_messages.h"
#include "server/service/run_streams.h"
#include "server/service/status_convert.h"
#include "server/service/stream_slots.h"
#include "server/sessions/session_run.h"
#include "server/sessions/session_store.h"
#include "sorn/v1/sorn.grpc.pb.h"

namespace sorn::server {

// Initial metadata of every response: the replica that served the call
// (ServerOptions::replica_id).
inline constexpr char kReplicaMetadataKey[] = "x-sorn-replica";

// Thread-safe; one instance serves every call. Uses gRPC's synchronous API:
// each call runs on a thread of gRPC's pool, so a long Simulate never blocks
// another session.
class SornService final : public ::sorn::v1::Sorn::Service {
 public:
  // Every pointer must outlive the service.
  SornService(const ServerOptions& options, const AccessTokens* tokens,
              SessionStore* store, ServerMetrics* metrics)
      : options_(options), tokens_(tokens), store_(store), metrics_(metrics) {}

  grpc::Status CreateSession(grpc::ServerContext*,
                             const ::sorn::v1::CreateSessionRequest*,
                             ::sorn::v1::SessionInfo*) override;
  grpc::Status GetSession(grpc::ServerContext*,
                          const ::sorn::v1::GetSessionRequest*,
                          ::sorn::v1::SessionInfo*) override;
  grpc::Status ListSessions(grpc::ServerContext*,
                            const ::sorn::v1::ListSessionsRequest*,
                            ::sorn::v1::ListSessionsResponse*) override;
  grpc::Status DeleteSession(grpc::ServerContext*,
                             const ::sorn::v1::DeleteSessionRequest*,
                             ::sorn::v1::DeleteSessionResponse*) override;
  grpc::Status Freeze(grpc::ServerContext*, const ::sorn::v1::FreezeRequest*,
                      ::sorn::v1::SessionInfo*) override;
  grpc::Status ForkSession(grpc::ServerContext*,
                           const ::sorn::v1::ForkSessionRequest*,
                           ::sorn::v1::SessionInfo*) override;
  grpc::Status Simulate(grpc::ServerContext*, const ::sorn::v1::RunRequest*,
                        grpc::ServerWriter<::sorn::v1::RunResponse>*) override;
  grpc::Status Train(grpc::ServerContext*, const ::sorn::v1::RunRequest*,
                     grpc::ServerWriter<::sorn::v1::RunResponse>*) override;
  grpc::Status Step(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<::sorn::v1::StepResponse,
                               ::sorn::v1::StepRequest>*) override;
  grpc::Status GetStatistics(grpc::ServerContext*,
                             const ::sorn::v1::GetStatisticsRequest*,
                             ::sorn::v1::Statistics*) override;
  grpc::Status ExportState(
      grpc::ServerContext*, const ::sorn::v1::ExportStateRequest*,
      grpc::ServerWriter<::sorn::v1::StateChunk>*) override;
  grpc::Status ImportState(grpc::ServerContext*,
                           grpc::ServerReader<::sorn::v1::ImportStateRequest>*,
                           ::sorn::v1::SessionInfo*) override;
  grpc::Status FitReadout(grpc::ServerContext*,
                          const ::sorn::v1::FitReadoutRequest*,
                          ::sorn::v1::FitReadoutResponse*) override;
  grpc::Status DeleteReadout(grpc::ServerContext*,
                             const ::sorn::v1::DeleteReadoutRequest*,
                             ::sorn::v1::SessionInfo*) override;

 private:
  // What a call holds of its tenant's `streams=` quota (StreamSlots): a
  // slot for its whole life for a stream (Simulate, Train, Step,
  // ExportState, ImportState) and for a long unary call (GetStatistics,
  // whose work grows with the record buffer: many at once would take every
  // core); none for the other unary calls, which are short.
  enum class Kind { kUnary, kStream, kLongUnary };
  // Runs `body(caller, call)` for an authenticated caller and finishes the
  // call (log line, metrics, status mapping).
  template <typename Body>
  grpc::Status Serve(grpc::ServerContext* context, const char* method,
                     Kind kind, Body&& body);
  // Authenticates the caller; for streams and long unary calls, also takes a
  // stream slot.
  absl::StatusOr<Caller> Admit(grpc::ServerContext* context, Kind kind,
                               std::optional<StreamSlots::Slot>* slot);
  grpc::Status Finish(const CallRecord& call, const absl::Status& status,
                      std::chrono::steady_clock::time_point start);
  // Logs an allocation that failed in `method` (`what`: the exception's)
  // and returns the call's RESOURCE_EXHAUSTED.
  static absl::Status OutOfMemory(const char* method, const char* what);

  // The caller's session `name` (recorded as the call's session): the one
  // lookup every handler that names a session starts with.
  absl::StatusOr<std::shared_ptr<Session>> Lookup(const Caller& caller,
                                                  const std::string& name,
                                                  CallRecord& call) const;
  // Begins a stepping call's run of `session` with its readouts and freeze.
  absl::StatusOr<SessionRun> BeginRun(const Caller& caller,
                                      std::shared_ptr<Session> session,
                                      const ReadoutNames& readouts,
                                      FreezeSet freeze);

  // Simulate and Train; `default_phase` applies when the request names none.
  absl::Status Run(grpc::ServerContext* context, const Caller& caller,
                   const ::sorn::v1::RunRequest& request, Phase default_phase,
                   grpc::ServerWriter<::sorn::v1::RunResponse>* writer,
                   CallRecord& call);
  // Runs `session` for a Simulate or Train request (checked in `plan`).
  absl::Status RunSession(grpc::ServerContext* context, const Caller& caller,
                          std::shared_ptr<Session> session,
                          const sorn::v1::RunRequest& request,
                          const RunPlan& plan,
                          grpc::ServerWriter<sorn::v1::RunResponse>* writer,
                          CallRecord& call);
  absl::Status RunStepStream(
      grpc::ServerContext* context, const Caller& caller,
      grpc::ServerReaderWriter<::sorn::v1::StepResponse,
                               ::sorn::v1::StepRequest>* stream,
      CallRecord& call);
  absl::Status Import(
      grpc::ServerContext* context, const Caller& caller,
      grpc::ServerReader<::sorn::v1::ImportStateRequest>* reader,
      ::sorn::v1::SessionInfo* info, CallRecord& call);

  const ServerOptions options_;
  const AccessTokens* const tokens_;
  SessionStore* const store_;
  ServerMetrics* const metrics_;
  StreamSlots stream_slots_;
};

template <typename Body>
grpc::Status SornService::Serve(grpc::ServerContext* context,
                                const char* method, Kind kind, Body&& body) {
  const auto start = std::chrono::steady_clock::now();
  // Before anything is written: initial metadata goes out with the first
  // message (or the status).
  if (!options_.replica_id.empty()) {
    context->AddInitialMetadata(kReplicaMetadataKey, options_.replica_id);
  }
  CallRecord call;
  call.method = method;
  call.peer = context->peer();
  std::optional<StreamSlots::Slot> slot;
  absl::Status status;
  // Every allocation a call makes is meant to be reserved from the memory
  // budget first; one that fails anyway (an estimate that was short, the
  // system out of memory) must not escape: gRPC would answer UNKNOWN. The
  // call's objects are released by their destructors on the way here.
  try {
    absl::StatusOr<Caller> caller = Admit(context, kind, &slot);
    status = caller.status();
    if (caller.ok()) {
      call.tenant = caller->tenant;
      status = body(*caller, call);
    }
  } catch (const std::bad_alloc& e) {
    status = OutOfMemory(method, e.what());
  } catch (const std::length_error& e) {  // a container asked for > max_size.
    status = OutOfMemory(method, e.what());
  }
  return Finish(call, status, start);
}

// Fills `info` from the session's current state.
void DescribeSession(const Session& session, ::sorn::v1::SessionInfo* info);

}  // namespace sorn::server

#endif  // SORN_SERVER_SERVICE_SORN_SERVICE_H_
