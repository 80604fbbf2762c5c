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

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "server/server_flags.h"
#include "server/server_process.h"

namespace {

// gRPC runs each concurrent call on its own thread, and glibc gives threads
// up to 8 malloc arenas per core; networks freed on one thread and built on
// another then leave each arena fragmented, and resident memory creeps up
// under many clients (the load test of 64 clients: 133-156 MB resident
// without this, 70-85 MB with it). One arena per core (at least two) keeps
// allocation parallel enough: the engine does not allocate per step.
// A network's arrays (hundreds of KB and up) are mapped on their own and
// unmapped when the session goes. glibc would otherwise raise the mmap
// threshold to the size of the first such block freed and serve later ones
// from the arenas, where sessions created and deleted in turn leave holes
// (one CI load run: +29 % resident memory in its last third).
void TuneMalloc() {
  mallopt(M_ARENA_MAX,
          static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  mallopt(M_MMAP_THRESHOLD, 256 << 10);
}

// In this thread before gRPC starts any, so that every thread inherits the
// mask and only ServerProcess's stop thread takes the signals.
void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "sorn-server: %s\n",
               std::string(status.message()).c_str());
  return 1;
}

// --help lists the server's flags: they are defined in server_flags.cc,
// which absl's default (files named like the program) does not match.
void ListServerFlagsInHelp() {
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "server/server_flags");
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  config.version_string = [] {
    return std::string("sorn-server " SORN_VERSION " (API sorn.v1)\n");
  };
  absl::SetFlagsUsageConfig(config);
}

}  // namespace

int main(int argc, char** argv) {
  ListServerFlagsInHelp();
  absl::SetProgramUsageMessage(
      "Serves named SORN sessions over gRPC (see proto/sorn/v1/sorn.proto).");
  absl::ParseCommandLine(argc, argv);
  TuneMalloc();
  BlockStopSignals();
  const sorn::server::ServerOptions options =
      sorn::server::ServerOptionsFromFlags();
  if (absl::Status s = sorn::server::CheckServerOptions(options); !s.ok()) {
    return Fail(s);
  }
  absl::StatusOr<std::unique_ptr<sorn::server::ServerProcess>> process =
      sorn::server::ServerProcess::Start(options);
  if (!process.ok()) return Fail(process.status());
  (*process)->Wait();
  return 0;
}
