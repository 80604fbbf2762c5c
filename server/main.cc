// sorn-server: serves named SORN sessions over gRPC (sorn.v1.Sorn), with the
// standard health service and server reflection.
//
//   sorn-server [--host=127.0.0.1] [--port=50051] [limits...]
//               [--auth_tokens=FILE] [--tls_cert=PEM --tls_key=PEM
//               [--tls_client_ca=PEM]] [--metrics_port=N [--metrics_threads=N]
//               [--metrics_request_timeout_ms=MS]] [--data_dir=DIR]
//
// Prints "sorn-server listening on HOST:PORT (...)" once it accepts calls
// (with --port=0, the port the system picked), and "sorn-server metrics on
// HOST:PORT" when serving metrics. SIGINT or SIGTERM shut it down.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "prometheus/exposer.h"
#include "server/auth/access_tokens.h"
#include "server/auth/tls_credentials.h"
#include "server/metrics/server_metrics.h"
#include "server/server_options.h"
#include "server/service/sorn_service.h"
#include "server/sessions/session_store.h"
#include "server/storage/file_archive.h"

namespace {
const sorn::server::ServerOptions kDefaults;
}  // namespace

ABSL_FLAG(std::string, host, kDefaults.host,
          "address to listen on (0.0.0.0 for every interface)");
ABSL_FLAG(int, port, kDefaults.port, "gRPC port; 0 picks a free one");
ABSL_FLAG(int, max_sessions, kDefaults.max_sessions, "sessions held at once");
ABSL_FLAG(int, max_ne, kDefaults.max_ne, "largest ne of a session");
ABSL_FLAG(int64_t, max_steps_per_call, kDefaults.max_steps_per_call,
          "largest timesteps of one Simulate or Train call");
ABSL_FLAG(int64_t, record_buffer_steps, kDefaults.record_buffer_steps,
          "steps of activity a session keeps for GetStatistics, by default");
ABSL_FLAG(int64_t, max_record_buffer_steps, kDefaults.max_record_buffer_steps,
          "largest record buffer a session may ask for");
ABSL_FLAG(int, max_message_bytes, kDefaults.max_message_bytes,
          "largest message accepted or sent (responses are split to fit)");
ABSL_FLAG(int64_t, max_state_bytes, kDefaults.max_state_bytes,
          "largest state ImportState accepts");
ABSL_FLAG(int64_t, max_readout_bytes, kDefaults.max_readout_bytes,
          "largest FitReadout, in bytes of features, targets and normal "
          "equations held at once; also the most bytes of weights one "
          "session's readouts hold");
ABSL_FLAG(std::string, data_dir, kDefaults.data_dir,
          "directory where sessions survive restarts (empty: memory only)");
ABSL_FLAG(int64_t, checkpoint_every_steps, kDefaults.checkpoint_every_steps,
          "during long Simulate/Train/Step calls, save the session this often "
          "(0: at the end of each call only)");
ABSL_FLAG(int, grace_period, kDefaults.grace_period_seconds,
          "seconds running calls get on SIGTERM before they are cancelled");
ABSL_FLAG(int64_t, max_memory_bytes, 0,
          "memory all sessions may reserve (0: 80% of physical memory)");
ABSL_FLAG(std::string, auth_tokens, "",
          "bearer tokens file (lines: TOKEN TENANT user|admin [sessions=N] "
          "[neurons=N] [streams=N]); empty: single-user local mode");
ABSL_FLAG(int, tenant_max_sessions, kDefaults.tenant_max_sessions,
          "a tenant's sessions, unless its tokens line says (0: no limit)");
ABSL_FLAG(int64_t, tenant_max_neurons, kDefaults.tenant_max_neurons,
          "a tenant's neurons (ne + ni) over its sessions (0: no limit)");
ABSL_FLAG(int, tenant_max_streams, kDefaults.tenant_max_streams,
          "a tenant's concurrent streaming calls (0: no limit)");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain: serve TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA that client certificates must chain to (mutual TLS)");
ABSL_FLAG(int, metrics_port, kDefaults.metrics_port,
          "Prometheus /metrics port on --host (0: a free one; -1: off)");
ABSL_FLAG(int, metrics_threads, kDefaults.metrics_threads,
          "threads serving /metrics (a stalled client holds one)");
ABSL_FLAG(int, metrics_request_timeout_ms, kDefaults.metrics_request_timeout_ms,
          "a /metrics connection whose request has not arrived within this "
          "many milliseconds is closed");
ABSL_FLAG(std::string, replica_id, "",
          "name of this replica, sent as x-sorn-replica metadata with every "
          "response; empty: the host name");
ABSL_FLAG(bool, log_rpcs, kDefaults.log_rpcs,
          "one JSON line per call on stderr");

namespace {

// SIGINT and SIGTERM are blocked in every thread (main blocks them before
// gRPC starts its threads) and taken by this one thread with sigwait, so the
// shutdown runs as ordinary code, not in a signal handler. (It also lets
// ThreadSanitizer builds shut down: TSan delivers handler-based signals only
// at points the main thread, parked in gRPC, never reaches.)
sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// New calls are refused at once; running ones get the grace period, then are
// cancelled (their sessions are saved as they end).
std::thread StopOnSignal(grpc::Server* server, int grace_seconds) {
  return std::thread([server, grace_seconds] {
    const sigset_t set = StopSignals();
    int signal = 0;
    sigwait(&set, &signal);
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::seconds(grace_seconds));
  });
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "sorn-server: %s\n",
               std::string(status.message()).c_str());
  return 1;
}

// Flags whose values the types admit but the server does not: a negative
// quota would silently mean "no limit" (only 0 says so), a metrics endpoint
// without threads would never answer.
absl::Status CheckFlags(const sorn::server::ServerOptions& options) {
  auto at_least = [](const char* flag, int64_t value, int64_t min) {
    return value >= min
               ? absl::OkStatus()
               : absl::InvalidArgumentError(absl::StrCat(
                     "--", flag, " must be >= ", min, ", got ", value));
  };
  for (absl::Status s : {
           at_least("tenant_max_sessions", options.tenant_max_sessions, 0),
           at_least("tenant_max_neurons", options.tenant_max_neurons, 0),
           at_least("tenant_max_streams", options.tenant_max_streams, 0),
           at_least("metrics_threads", options.metrics_threads, 1),
           at_least("metrics_request_timeout_ms",
                    options.metrics_request_timeout_ms, 1),
           at_least("max_state_bytes", options.max_state_bytes, 1),
       }) {
    if (!s.ok()) return s;
  }
  // protobuf parses at most 2 GiB.
  if (options.max_state_bytes > (int64_t{1} << 31)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max_state_bytes must be <= 2 GiB (protobuf's limit), got ",
        options.max_state_bytes));
  }
  // Each thread is a civetweb worker with its own stack; a handful serve any
  // number of Prometheus servers.
  if (options.metrics_threads > 64) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--metrics_threads must be <= 64, got ", options.metrics_threads));
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Serves named SORN sessions over gRPC (see proto/sorn/v1/sorn.proto).");
  absl::ParseCommandLine(argc, argv);
  // gRPC runs each concurrent call on its own thread, and glibc gives threads
  // up to 8 malloc arenas per core; networks freed on one thread and built on
  // another then leave each arena fragmented, and resident memory creeps up
  // under many clients (the load test of 64 clients: 133-156 MB resident
  // without this, 70-85 MB with it). One arena per core (at least two) keeps
  // allocation parallel enough: the engine does not allocate per step.
  mallopt(M_ARENA_MAX,
          static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  // A network's arrays (hundreds of KB and up) are mapped on their own and
  // unmapped when the session goes. glibc would otherwise raise this
  // threshold to the size of the first such block freed and serve later
  // ones from the arenas, where sessions created and deleted in turn leave
  // holes (one CI load run: +29 % resident memory in its last third).
  mallopt(M_MMAP_THRESHOLD, 256 << 10);
  const sigset_t stop_signals = StopSignals();
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  sorn::server::ServerOptions options;
  options.host = absl::GetFlag(FLAGS_host);
  options.port = absl::GetFlag(FLAGS_port);
  options.max_sessions = absl::GetFlag(FLAGS_max_sessions);
  options.max_ne = absl::GetFlag(FLAGS_max_ne);
  options.max_steps_per_call = absl::GetFlag(FLAGS_max_steps_per_call);
  options.record_buffer_steps = absl::GetFlag(FLAGS_record_buffer_steps);
  options.max_record_buffer_steps =
      absl::GetFlag(FLAGS_max_record_buffer_steps);
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.max_state_bytes = absl::GetFlag(FLAGS_max_state_bytes);
  options.max_readout_bytes = absl::GetFlag(FLAGS_max_readout_bytes);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.checkpoint_every_steps = absl::GetFlag(FLAGS_checkpoint_every_steps);
  options.grace_period_seconds = absl::GetFlag(FLAGS_grace_period);
  options.max_memory_bytes = absl::GetFlag(FLAGS_max_memory_bytes);
  if (options.max_memory_bytes <= 0) {
    options.max_memory_bytes = int64_t(0.8 * double(sysconf(_SC_PHYS_PAGES)) *
                                       double(sysconf(_SC_PAGE_SIZE)));
  }
  options.auth_tokens = absl::GetFlag(FLAGS_auth_tokens);
  options.tenant_max_sessions = absl::GetFlag(FLAGS_tenant_max_sessions);
  options.tenant_max_neurons = absl::GetFlag(FLAGS_tenant_max_neurons);
  options.tenant_max_streams = absl::GetFlag(FLAGS_tenant_max_streams);
  options.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key = absl::GetFlag(FLAGS_tls_key);
  options.tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  options.metrics_port = absl::GetFlag(FLAGS_metrics_port);
  options.metrics_threads = absl::GetFlag(FLAGS_metrics_threads);
  options.metrics_request_timeout_ms =
      absl::GetFlag(FLAGS_metrics_request_timeout_ms);
  options.log_rpcs = absl::GetFlag(FLAGS_log_rpcs);
  options.replica_id = absl::GetFlag(FLAGS_replica_id);
  if (options.replica_id.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    options.replica_id = host;
  }

  if (absl::Status s = CheckFlags(options); !s.ok()) return Fail(s);
  sorn::server::AccessTokens tokens;
  if (!options.auth_tokens.empty()) {
    absl::StatusOr<sorn::server::AccessTokens> loaded =
        sorn::server::AccessTokens::Load(
            options.auth_tokens,
            {options.tenant_max_sessions, options.tenant_max_neurons,
             options.tenant_max_streams});
    if (!loaded.ok()) return Fail(loaded.status());
    tokens = *std::move(loaded);
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      sorn::server::ServerCredentialsFor(options);
  if (!credentials.ok()) return Fail(credentials.status());
  sorn::server::ServerMetrics metrics;
  std::unique_ptr<prometheus::Exposer> exposer;
  if (options.metrics_port >= 0) {
    const std::string at =
        options.host + ":" + std::to_string(options.metrics_port);
    // CivetWeb serves each connection on one of num_threads workers, which
    // waits up to request_timeout_ms for the request (from its first byte
    // to the end of its headers, so trickling bytes does not extend it).
    // With one thread and CivetWeb's default 30 s, a single client that
    // sent half a request blocked every scrape for 30 s.
    const std::vector<std::string> civetweb_options = {
        "listening_ports",
        at,
        "num_threads",
        std::to_string(options.metrics_threads),
        "request_timeout_ms",
        std::to_string(options.metrics_request_timeout_ms),
    };
    try {  // prometheus-cpp (CivetWeb) reports a taken port by throwing.
      exposer = std::make_unique<prometheus::Exposer>(civetweb_options);
    } catch (const std::exception& e) {
      return Fail(absl::UnavailableError("cannot serve metrics on " + at +
                                         ": " + e.what()));
    }
    exposer->RegisterCollectable(metrics.registry());
  }

  std::unique_ptr<sorn::server::SessionFiles> files;
  std::unique_ptr<sorn::server::FileArchive> archive;
  if (!options.data_dir.empty()) {
    files = std::make_unique<sorn::server::SessionFiles>(options.data_dir);
    if (absl::Status s = files->Open(); !s.ok()) return Fail(s);
    archive = std::make_unique<sorn::server::FileArchive>(files.get());
  }
  sorn::server::SessionStore store(options, archive.get(), &metrics);
  if (files != nullptr) {
    const int loaded = store.LoadFromDisk([](const std::string& problem) {
      std::fprintf(stderr, "sorn-server: %s\n", problem.c_str());
    });
    std::printf("sorn-server loaded %d session(s) from %s\n", loaded,
                options.data_dir.c_str());
  }
  sorn::server::SornService service(options, &tokens, &store, &metrics);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  const std::string address = options.host + ":" + std::to_string(options.port);
  builder.AddListeningPort(address, *credentials, &port);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  // Responses are built to fit this (ResponseBounds); the limit makes gRPC
  // refuse, not protobuf abort, should one ever pass it.
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  // Idle pool threads poll for work this often; it bounds how long shutdown
  // waits for them.
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::CQ_TIMEOUT_MSEC, 100);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "sorn-server: cannot listen on %s\n", address.c_str());
    return 1;
  }
  std::thread stopper =
      StopOnSignal(server.get(), options.grace_period_seconds);
  stopper.detach();  // exits with the process; Wait() returns after Shutdown.
  // Before the listening line: whoever waits for that one may stop reading.
  if (exposer != nullptr) {
    std::printf("sorn-server metrics on %s:%d/metrics\n", options.host.c_str(),
                exposer->GetListeningPorts().front());
  }
  const std::string security = options.tls_cert.empty()        ? "plaintext"
                               : options.tls_client_ca.empty() ? "TLS"
                                                               : "mutual TLS";
  if (tokens.local_mode()) {
    std::printf(
        "sorn-server listening on %s:%d (%s; single-user local mode: no "
        "authentication, every call is tenant \"%s\"; replica %s)\n",
        options.host.c_str(), port, security.c_str(),
        sorn::server::kLocalTenant, options.replica_id.c_str());
  } else {
    std::printf(
        "sorn-server listening on %s:%d (%s; bearer tokens of %d tenant(s) "
        "from %s; replica %s)\n",
        options.host.c_str(), port, security.c_str(), tokens.tenant_count(),
        options.auth_tokens.c_str(), options.replica_id.c_str());
  }
  std::fflush(stdout);
  server->Wait();
  std::printf("sorn-server stopped\n");
  return 0;
}
