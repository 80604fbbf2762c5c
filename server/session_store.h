// SessionStore: the server's sessions, keyed by tenant and name, and every
// limit on them: the server's (--max_sessions, --max_ne, --max_memory_bytes)
// and each tenant's quota of sessions and neurons.
#ifndef SORN_SERVER_SESSION_STORE_H_
#define SORN_SERVER_SESSION_STORE_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "core/network.h"
#include "server/caller.h"
#include "server/mutex.h"
#include "server/server_metrics.h"
#include "server/server_options.h"
#include "server/session.h"
#include "server/session_files.h"

namespace sorn::server {

// Thread-safe. The map lock is never held while a network is built or a
// session is written to disk; memory and quota are reserved under the lock
// before building, so concurrent creations cannot overshoot them together.
class SessionStore {
 public:
  // `files` (null: nothing is persisted) and `metrics` (not null) must
  // outlive the store.
  SessionStore(const ServerOptions& options, SessionFiles* files,
               ServerMetrics* metrics)
      : options_(options), files_(files), metrics_(metrics) {}

  // Loads every session file; returns how many, and reports each file it
  // skipped (corrupt, truncated, invalid, over a limit) through `report`.
  int LoadFromDisk(const std::function<void(const std::string&)>& report);
  // Writes the session's current state to disk (no-op without files).
  absl::Status Persist(const Session& session);

  // Validates the name and limits, reserves memory, builds the network.
  absl::StatusOr<std::shared_ptr<Session>> Create(
      const Caller& caller, const std::string& name, const Params& params,
      std::optional<uint64_t> seed, std::optional<int64_t> record_steps);
  // Adds an existing network and its readouts (import, fork) to the
  // caller's tenant. With
  // `replace`, a session of the same name is replaced unless a call drives
  // it (FAILED_PRECONDITION).
  absl::StatusOr<std::shared_ptr<Session>> Add(
      const Caller& caller, const std::string& name, Network network,
      ReadoutSet readouts, uint64_t seed, std::optional<int64_t> record_steps,
      bool replace);
  // The caller's tenant's session: NOT_FOUND (also for another tenant's),
  // or INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<std::shared_ptr<Session>> Get(const Caller& caller,
                                               const std::string& name) const;
  // The tenant's sessions, or every tenant's; sorted by tenant, then name.
  std::vector<std::shared_ptr<Session>> List(const Caller& caller,
                                             bool all_tenants) const;
  // FAILED_PRECONDITION while a call drives the session.
  absl::Status Delete(const Caller& caller, const std::string& name);

  // Checks, without reserving, that a session of these parameters may be
  // added for the caller as `name` (parameters, --max_ne, memory, quota; a
  // session it would replace counts as freed), so that a large import or
  // fork is refused before it is copied or built.
  absl::Status CheckCapacity(const Caller& caller, const std::string& name,
                             const Params& params,
                             std::optional<int64_t> record_steps) const;
  // The memory reserved for a session of this shape.
  static int64_t SessionBytes(const Params& params, int64_t record_steps);

 private:
  using Key = std::pair<std::string, std::string>;  // tenant, name.
  struct Usage {
    int sessions = 0;
    int64_t neurons = 0;
  };
  // What a new session would take.
  struct Claim {
    int64_t neurons = 0;
    int64_t bytes = 0;
  };

  absl::StatusOr<int64_t> RecordSteps(std::optional<int64_t> requested) const;
  absl::Status CheckParams(const Params& params) const;
  // Checks the server's and tenant's limits for `claim`, counting `freed`
  // (a session it replaces) as released.
  absl::Status CheckRoom(const Caller& caller, const Claim& claim,
                         const Session* freed) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void Reserve(const std::string& tenant, const Claim& claim)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Release(const std::string& tenant, const Claim& claim)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ServerOptions options_;
  SessionFiles* const files_;
  ServerMetrics* const metrics_;
  mutable Mutex mu_;
  std::map<Key, std::shared_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
  // Reserved by sessions held and being built, server-wide and per tenant.
  int64_t reserved_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int reserved_sessions_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, Usage> usage_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSION_STORE_H_
