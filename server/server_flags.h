// The command-line flags of sorn-server, one per ServerOptions field, and
// the checks of values their types admit but the server does not.
#ifndef SORN_SERVER_SERVER_FLAGS_H_
#define SORN_SERVER_SERVER_FLAGS_H_

#include "absl/status/status.h"
#include "server/server_options.h"

namespace sorn::server {

// The options the parsed flags give, defaults filled in (--max_memory_bytes
// 0: 80% of physical memory; --replica_id empty: the host name).
// REQUIRES: absl::ParseCommandLine ran.
ServerOptions ServerOptionsFromFlags();

// INVALID_ARGUMENT naming the first flag whose value the server refuses.
absl::Status CheckServerOptions(const ServerOptions& options);

}  // namespace sorn::server

#endif  // SORN_SERVER_SERVER_FLAGS_H_
