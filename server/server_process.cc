// ServerProcess (see server_process.h): the steps that build a running
// sorn-server, in the order they run.
#include "server/server_process.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"
#include "server/auth/tls_credentials.h"

namespace sorn::server {
namespace {

// SIGINT and SIGTERM are blocked in every thread (main blocks them before
// gRPC starts its threads) and taken by this one thread with sigwait, so the
// shutdown runs as ordinary code, not in a signal handler. (It also lets
// ThreadSanitizer builds shut down: TSan delivers handler-based signals only
// at points the main thread, parked in gRPC, never reaches.) New calls are
// refused at once; running ones get the grace period, then are cancelled
// (their sessions are saved as they end).
void StopOnSignal(grpc::Server* server, int grace_seconds) {
  std::thread([server, grace_seconds] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int signal = 0;
    sigwait(&set, &signal);
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::seconds(grace_seconds));
  }).detach();  // exits with the process; Wait() returns after Shutdown.
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const ServerOptions& options) {
  std::unique_ptr<ServerProcess> process(new ServerProcess(options));
  RETURN_IF_ERROR(process->LoadTokens());
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   ServerCredentialsFor(options));
  RETURN_IF_ERROR(process->ServeMetrics());
  RETURN_IF_ERROR(process->OpenSessions());
  RETURN_IF_ERROR(process->Listen(std::move(credentials)));
  process->Announce();
  return process;
}

void ServerProcess::Wait() {
  server_->Wait();
  std::printf("sorn-server stopped\n");
}

absl::Status ServerProcess::LoadTokens() {
  if (options_.auth_tokens.empty()) return absl::OkStatus();  // local mode.
  ASSIGN_OR_RETURN(tokens_, AccessTokens::Load(options_.auth_tokens,
                                               {options_.tenant_max_sessions,
                                                options_.tenant_max_neurons,
                                                options_.tenant_max_streams}));
  return absl::OkStatus();
}

absl::Status ServerProcess::ServeMetrics() {
  if (options_.metrics_port < 0) return absl::OkStatus();
  const std::string at =
      absl::StrCat(options_.host, ":", options_.metrics_port);
  // CivetWeb serves each connection on one of num_threads workers, which
  // waits up to request_timeout_ms for the request (from its first byte to
  // the end of its headers, so trickling bytes does not extend it). With one
  // thread and CivetWeb's default 30 s, a single client that sent half a
  // request blocked every scrape for 30 s.
  const std::vector<std::string> civetweb_options = {
      "listening_ports",    at,
      "num_threads",        std::to_string(options_.metrics_threads),
      "request_timeout_ms", std::to_string(options_.metrics_request_timeout_ms),
  };
  try {  // prometheus-cpp (CivetWeb) reports a taken port by throwing.
    exposer_ = std::make_unique<prometheus::Exposer>(civetweb_options);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", at, ": ", e.what()));
  }
  exposer_->RegisterCollectable(metrics_.registry());
  exposer_->RegisterCollectable(process_metrics_);
  return absl::OkStatus();
}

absl::Status ServerProcess::OpenSessions() {
  if (!options_.data_dir.empty()) {
    files_ = std::make_unique<SessionFiles>(options_.data_dir);
    RETURN_IF_ERROR(files_->Open());
    archive_ = std::make_unique<FileArchive>(files_.get());
  }
  store_ = std::make_unique<SessionStore>(options_, archive_.get(), &metrics_);
  if (archive_ != nullptr) {
    const int loaded = store_->LoadFromDisk([](const std::string& problem) {
      std::fprintf(stderr, "sorn-server: %s\n", problem.c_str());
    });
    std::printf("sorn-server loaded %d session(s) from %s\n", loaded,
                options_.data_dir.c_str());
  }
  if (options_.ephemeral_session_ttl_seconds > 0) {
    reaper_ = std::make_unique<IdleReaper>(
        store_.get(),
        std::chrono::seconds(options_.ephemeral_session_ttl_seconds),
        [](const std::string& line) {
          std::fprintf(stderr, "sorn-server: %s\n", line.c_str());
        });
  }
  service_ = std::make_unique<SornService>(options_, &tokens_, store_.get(),
                                           &metrics_);
  return absl::OkStatus();
}

absl::Status ServerProcess::Listen(
    std::shared_ptr<grpc::ServerCredentials> credentials) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  const std::string address = absl::StrCat(options_.host, ":", options_.port);
  builder.AddListeningPort(address, credentials, &port_);
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  // Responses are built to fit this (ResponseBounds); the limit makes gRPC
  // refuse, not protobuf abort, should one ever pass it.
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  // Idle pool threads poll for work this often; it bounds how long shutdown
  // waits for them.
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::CQ_TIMEOUT_MSEC, 100);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError("cannot listen on " + address);
  }
  StopOnSignal(server_.get(), options_.grace_period_seconds);
  return absl::OkStatus();
}

void ServerProcess::Announce() const {
  // Before the listening line: whoever waits for that one may stop reading.
  if (exposer_ != nullptr) {
    std::printf("sorn-server metrics on %s:%d/metrics\n", options_.host.c_str(),
                exposer_->GetListeningPorts().front());
  }
  const std::string security = options_.tls_cert.empty()        ? "plaintext"
                               : options_.tls_client_ca.empty() ? "TLS"
                                                                : "mutual TLS";
  const std::string how =
      tokens_.local_mode()
          ? absl::StrCat(
                "single-user local mode: no authentication, every "
                "call is tenant \"",
                kLocalTenant, "\"")
          : absl::StrCat("bearer tokens of ", tokens_.tenant_count(),
                         " tenant(s) from ", options_.auth_tokens);
  std::printf("sorn-server listening on %s:%d (%s; %s; replica %s)\n",
              options_.host.c_str(), port_, security.c_str(), how.c_str(),
              options_.replica_id.c_str());
  std::fflush(stdout);
}

}  // namespace sorn::server
