// SornService: the gRPC handlers of sorn.v1.Sorn. Each handler converts the
// request, calls the session store and the engine (which return
// absl::Status), and maps the result with ToGrpcStatus, the one place where
// codes are chosen. Streaming handlers hold their session as its driver.
#ifndef SORN_SERVER_SORN_SERVICE_H_
#define SORN_SERVER_SORN_SERVICE_H_

#include "absl/status/status.h"
#include "server/server_options.h"
#include "server/session_store.h"
#include "sorn/v1/sorn.grpc.pb.h"

namespace sorn::server {

namespace pb = ::sorn::v1;

// Thread-safe; one instance serves every call. Uses gRPC's synchronous API:
// each call runs on a thread of gRPC's pool, so a long Simulate never blocks
// another session.
class SornService final : public pb::Sorn::Service {
 public:
  SornService(const ServerOptions& options, SessionStore* store)
      : options_(options), store_(store) {}

  grpc::Status CreateSession(grpc::ServerContext*,
                             const pb::CreateSessionRequest*,
                             pb::SessionInfo*) override;
  grpc::Status GetSession(grpc::ServerContext*, const pb::GetSessionRequest*,
                          pb::SessionInfo*) override;
  grpc::Status ListSessions(grpc::ServerContext*,
                            const pb::ListSessionsRequest*,
                            pb::ListSessionsResponse*) override;
  grpc::Status DeleteSession(grpc::ServerContext*,
                             const pb::DeleteSessionRequest*,
                             pb::DeleteSessionResponse*) override;
  grpc::Status Freeze(grpc::ServerContext*, const pb::FreezeRequest*,
                      pb::SessionInfo*) override;
  grpc::Status ForkSession(grpc::ServerContext*, const pb::ForkSessionRequest*,
                           pb::SessionInfo*) override;
  grpc::Status Simulate(grpc::ServerContext*, const pb::RunRequest*,
                        grpc::ServerWriter<pb::RunResponse>*) override;
  grpc::Status Train(grpc::ServerContext*, const pb::RunRequest*,
                     grpc::ServerWriter<pb::RunResponse>*) override;
  grpc::Status Step(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<pb::StepResponse, pb::StepRequest>*) override;
  grpc::Status GetStatistics(grpc::ServerContext*,
                             const pb::GetStatisticsRequest*,
                             pb::Statistics*) override;
  grpc::Status ExportState(grpc::ServerContext*, const pb::ExportStateRequest*,
                           grpc::ServerWriter<pb::StateChunk>*) override;
  grpc::Status ImportState(grpc::ServerContext*,
                           grpc::ServerReader<pb::ImportStateRequest>*,
                           pb::SessionInfo*) override;

 private:
  // Simulate and Train; `default_phase` applies when the request names none.
  absl::Status Run(grpc::ServerContext* context, const pb::RunRequest& request,
                   Phase default_phase,
                   grpc::ServerWriter<pb::RunResponse>* writer);
  absl::Status RunStepStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<pb::StepResponse, pb::StepRequest>* stream);
  absl::Status Import(grpc::ServerReader<pb::ImportStateRequest>* reader,
                      pb::SessionInfo* info);

  const ServerOptions options_;
  SessionStore* store_;
};

// Fills `info` from the session's current state.
void DescribeSession(const Session& session, pb::SessionInfo* info);

}  // namespace sorn::server

#endif  // SORN_SERVER_SORN_SERVICE_H_
