// ServerProcess: everything one running sorn-server is made of (tokens,
// metrics and their endpoint, the session archive and store, the service and
// gRPC's server), built from ServerOptions in named steps, each of which can
// refuse to start with a message for the operator.
#ifndef SORN_SERVER_SERVER_PROCESS_H_
#define SORN_SERVER_SERVER_PROCESS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "prometheus/exposer.h"
#include "server/auth/access_tokens.h"
#include "server/metrics/process_metrics.h"
#include "server/metrics/server_metrics.h"
#include "server/server_options.h"
#include "server/service/sorn_service.h"
#include "server/sessions/idle_reaper.h"
#include "server/sessions/session_store.h"
#include "server/storage/file_archive.h"
#include "server/storage/session_files.h"

namespace sorn::server {

// Owned by main; Wait blocks its thread until the server shuts down (on
// SIGINT or SIGTERM, which the process must block in every thread before
// Start: see main.cc).
class ServerProcess {
 public:
  // Builds and starts the server: it accepts calls when this returns, and
  // has printed its "listening" line.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const ServerOptions& options);

  // Until a stop signal's shutdown (with the grace period) completes.
  void Wait();

 private:
  explicit ServerProcess(const ServerOptions& options) : options_(options) {}

  absl::Status LoadTokens();
  absl::Status ServeMetrics();
  absl::Status OpenSessions();
  absl::Status Listen(std::shared_ptr<grpc::ServerCredentials> credentials);
  void Announce() const;

  const ServerOptions options_;
  AccessTokens tokens_;
  ServerMetrics metrics_;
  // process_* metrics beside metrics_'s, on the same endpoint.
  std::shared_ptr<ProcessMetrics> process_metrics_ =
      std::make_shared<ProcessMetrics>();
  std::unique_ptr<prometheus::Exposer> exposer_;  // null: --metrics_port=-1.
  std::unique_ptr<SessionFiles> files_;           // null without --data_dir.
  std::unique_ptr<FileArchive> archive_;
  std::unique_ptr<SessionStore> store_;
  std::unique_ptr<IdleReaper> reaper_;  // null: --ephemeral_session_ttl=0.
  std::unique_ptr<SornService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;  // the port gRPC listens on (--port=0: the one it picked).
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SERVER_PROCESS_H_
