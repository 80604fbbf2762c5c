// Validation of session names (1-64 of [A-Za-z0-9_.-]; sorn.proto).
#ifndef SORN_SERVER_SESSIONS_SESSION_NAME_H_
#define SORN_SERVER_SESSIONS_SESSION_NAME_H_

#include <string_view>

#include "absl/status/status.h"

namespace sorn::server {

inline constexpr int kMaxSessionNameLength = 64;

// INVALID_ARGUMENT unless `name` is 1-64 characters of [A-Za-z0-9_.-] and is
// not "." or ".." (names become file names when sessions are persisted).
absl::Status ValidateSessionName(std::string_view name);

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSIONS_SESSION_NAME_H_
