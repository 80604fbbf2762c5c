// ServerOptions: the limits and addresses of one sorn-server, set from flags
// in main.cc. Every default lets a new user start the server with no flags.
#ifndef SORN_SERVER_SERVER_OPTIONS_H_
#define SORN_SERVER_SERVER_OPTIONS_H_

#include <cstdint>
#include <string>

namespace sorn::server {

struct ServerOptions {
  // Address to listen on. Loopback by default: without authentication the
  // server is a single user's local service.
  std::string host = "127.0.0.1";
  // gRPC port; 0 picks a free port (printed at start).
  int port = 50051;
  // Sessions the server holds at once.
  int max_sessions = 1000;
  // Largest ne a session may have.
  int max_ne = 100000;
  // Largest `timesteps` of one Simulate or Train call.
  int64_t max_steps_per_call = 100'000'000;
  // Record buffer (GetStatistics) of a session that does not choose one.
  int64_t record_buffer_steps = 10'000;
  // Largest record buffer a session may ask for.
  int64_t max_record_buffer_steps = 1'000'000;
  // Largest message gRPC accepts (explicit inputs are the big ones) or
  // sends: Simulate and Train split their responses to fit it.
  int max_message_bytes = 64 << 20;
  // Largest serialized state ImportState accepts, over all its chunks.
  int64_t max_state_bytes = int64_t{2} << 30;
  // Largest FitReadout: the bytes its features, targets and normal
  // equations take at once (ReadoutSet::FitBytes). 1 GiB fits ne = 1,000
  // over 60,000 steps, or ne = 5,000 over 10,000. Also the most bytes of
  // weights one session's readouts hold together.
  int64_t max_readout_bytes = int64_t{1} << 30;
  // Directory where sessions are kept across restarts; empty: in memory only.
  std::string data_dir;
  // During a Simulate, Train or Step call, the session is also written every
  // this many steps (0: only when the call ends).
  int64_t checkpoint_every_steps = 100'000;
  // On SIGTERM, calls still running after this many seconds are cancelled
  // (and their sessions saved) before the server exits.
  int grace_period_seconds = 10;
  // Ephemeral sessions (CreateSessionRequest.ephemeral) that no call used
  // for this long are deleted; 0: never. Named sessions are never deleted.
  int64_t ephemeral_session_ttl_seconds = 600;
  // Memory all sessions together may reserve (each session's need is
  // estimated before it is built); main sets 80 % of physical memory when
  // the flag is 0.
  int64_t max_memory_bytes = int64_t{1} << 40;
  // Bearer tokens file (AccessTokens); empty: single-user local mode.
  std::string auth_tokens;
  // Quotas of a tenant whose line in the tokens file does not set them
  // (0: no limit).
  int tenant_max_sessions = 100;
  int64_t tenant_max_neurons = 2'000'000;
  int tenant_max_streams = 16;
  // TLS: PEM files of the server's certificate chain and key (both or
  // neither), and of the CA that client certificates must be signed by
  // (mutual TLS; needs the other two).
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  // Port of the Prometheus /metrics endpoint on `host`; 0 picks a free
  // port (printed at start); -1: not served.
  int metrics_port = -1;
  // Threads serving /metrics, and how long one request may take to arrive
  // before its connection is closed: a client that opens a connection and
  // stalls holds one thread for at most the timeout, and the other threads
  // keep answering scrapes.
  int metrics_threads = 4;
  int metrics_request_timeout_ms = 5000;
  // One JSON line per call on stderr.
  bool log_rpcs = true;
  // Name of this server among the replicas behind one address, sent with
  // every response as `x-sorn-replica` initial metadata (and logged), so that
  // a client or operator sees which replica holds a session; main sets the
  // host name when the flag is empty (a StatefulSet pod's name).
  std::string replica_id;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SERVER_OPTIONS_H_
