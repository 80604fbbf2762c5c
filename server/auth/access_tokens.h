// AccessTokens: the bearer tokens of --auth_tokens, each mapped to a tenant,
// a role and the tenant's quota; or local mode, where every call is the admin
// of the tenant "local".
//
// Tokens file: one token per line, '#' starts a comment:
//
//   # token                tenant  role   [quotas]
//   9f2c1e...              alice   user   sessions=20 neurons=400000 streams=4
//   77ab03...              ops     admin
//
// Quotas a line leaves out take the server's defaults (--tenant_max_*).
// A quota is a whole number, 0 (no limit) to 2^31 - 1 for sessions and
// streams, to 2^63 - 1 for neurons; each at most once per line. Several
// tokens may name the same tenant; they must then agree on quotas.
#ifndef SORN_SERVER_AUTH_ACCESS_TOKENS_H_
#define SORN_SERVER_AUTH_ACCESS_TOKENS_H_

#include <optional>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/auth/caller.h"

namespace sorn::server {

// Immutable after construction; thread-safe.
class AccessTokens {
 public:
  // Local mode: no tokens; every call is the local admin.
  AccessTokens() = default;

  // Reads a tokens file. Errors name the file, the line and the field's
  // position or quota key, and never quote the text of a line: a malformed
  // line may hold a token in any field.
  static absl::StatusOr<AccessTokens> Load(const std::string& path,
                                           const TenantQuota& defaults);
  // Parses the text of a tokens file (`source` names it in errors).
  static absl::StatusOr<AccessTokens> Parse(absl::string_view text,
                                            absl::string_view source,
                                            const TenantQuota& defaults);

  bool local_mode() const { return !tokens_.has_value(); }
  // Distinct tenants the file names (0 in local mode).
  int tenant_count() const;

  // The caller behind an `authorization` metadata value (absent: nullopt).
  // UNAUTHENTICATED when the token is missing, malformed or unknown.
  absl::StatusOr<Caller> Authenticate(
      std::optional<absl::string_view> authorization) const;

 private:
  // Token -> caller; absent in local mode.
  std::optional<std::unordered_map<std::string, Caller>> tokens_;
};

// Tenant names: 1 to 64 characters of [A-Za-z0-9_-].
absl::Status ValidateTenantName(absl::string_view tenant);

}  // namespace sorn::server

#endif  // SORN_SERVER_AUTH_ACCESS_TOKENS_H_
