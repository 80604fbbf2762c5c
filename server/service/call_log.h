// CallRecord and its log line: what one RPC did, written as one JSON line
// per call to stderr (method, session, tenant, code, duration, steps, bytes,
// peer). Tokens are never part of it.
#ifndef SORN_SERVER_SERVICE_CALL_LOG_H_
#define SORN_SERVER_SERVICE_CALL_LOG_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sorn::server {

// Filled by one call as it runs. Not thread-safe: one per call.
struct CallRecord {
  std::string method;
  std::string session;    // empty when the call names none.
  std::string tenant;     // empty until the caller is authenticated.
  std::string peer;       // gRPC's peer string, e.g. ipv4:127.0.0.1:5432.
  int64_t steps = 0;      // time steps the call ran.
  int64_t bytes_out = 0;  // bytes of streamed responses.
};

// One line, no trailing newline, e.g.
// {"time":"2026-12-01T19:50:01.123Z","rpc":"Simulate","session":"a",
//  "tenant":"alice","code":"OK","duration_ms":12.5,"steps":1000,
//  "bytes_out":81234,"peer":"ipv4:..."}
// plus "error" with the status message when the call failed. `end` is when
// the call ended (RFC 3339, UTC, milliseconds). Strings are UTF-8, at most
// 200 characters each.
std::string FormatCallLogLine(const CallRecord& call,
                              const absl::Status& status, double seconds,
                              absl::Time end = absl::Now());

}  // namespace sorn::server

#endif  // SORN_SERVER_SERVICE_CALL_LOG_H_
