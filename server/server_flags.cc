// sorn-server's flags (see server_flags.h).
#include "server/server_flags.h"

#include <unistd.h>

#include <cstdint>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"

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
ABSL_FLAG(int64_t, ephemeral_session_ttl,
          kDefaults.ephemeral_session_ttl_seconds,
          "seconds an ephemeral session (e.g. a Python state_dict's) may go "
          "unused before the server deletes it (0: never); named sessions "
          "are never deleted");
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

namespace sorn::server {

ServerOptions ServerOptionsFromFlags() {
  ServerOptions options;
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
  options.ephemeral_session_ttl_seconds =
      absl::GetFlag(FLAGS_ephemeral_session_ttl);
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

  return options;
}

// Flags whose values the types admit but the server does not: a negative
// quota would silently mean "no limit" (only 0 says so), a metrics endpoint
// without threads would never answer.
absl::Status CheckServerOptions(const ServerOptions& options) {
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
           at_least("ephemeral_session_ttl",
                    options.ephemeral_session_ttl_seconds, 0),
       }) {
    if (!s.ok()) return s;
  }
  // In nanoseconds of the steady clock, seconds past about 292 years
  // overflow; ten years is "never" enough.
  constexpr int64_t kMaxTtl = int64_t{10} * 365 * 24 * 3600;
  if (options.ephemeral_session_ttl_seconds > kMaxTtl) {
    return absl::InvalidArgumentError(
        absl::StrCat("--ephemeral_session_ttl must be <= ", kMaxTtl,
                     " s (ten years; 0 never deletes), got ",
                     options.ephemeral_session_ttl_seconds));
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

}  // namespace sorn::server
