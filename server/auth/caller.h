// Caller: who is making a call (tenant and role) and the quota their tenant
// has. Produced by AccessTokens for every call, read by the session store.
#ifndef SORN_SERVER_AUTH_CALLER_H_
#define SORN_SERVER_AUTH_CALLER_H_

#include <cstdint>
#include <string>

namespace sorn::server {

// The one tenant of a server without --auth_tokens; its callers are admins.
inline constexpr char kLocalTenant[] = "local";

enum class Role { kUser, kAdmin };

// Limits on one tenant; 0 means no limit beyond the server's own.
struct TenantQuota {
  // Sessions the tenant holds at once.
  int max_sessions = 0;
  // Neurons (ne + ni) over all of the tenant's sessions.
  int64_t max_neurons = 0;
  // Streaming calls (Simulate, Train, Step, ExportState, ImportState) the
  // tenant runs at once.
  int max_streams = 0;
};

struct Caller {
  std::string tenant;
  Role role = Role::kUser;
  TenantQuota quota;

  bool is_admin() const { return role == Role::kAdmin; }
};

}  // namespace sorn::server

#endif  // SORN_SERVER_AUTH_CALLER_H_
