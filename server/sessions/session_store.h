// SessionStore: the server's sessions, keyed by tenant and name, and every
// limit on them: the server's (--max_sessions, --max_ne, --max_memory_bytes)
// and each tenant's quota of sessions and neurons; and the lifecycle rule
// that keeps memory and disk in step (one writer per name, from creation to
// deletion; an error means no change).
#ifndef SORN_SERVER_SESSIONS_SESSION_STORE_H_
#define SORN_SERVER_SESSIONS_SESSION_STORE_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "core/mutex.h"
#include "core/network.h"
#include "server/auth/caller.h"
#include "server/metrics/server_metrics.h"
#include "server/server_options.h"
#include "server/sessions/memory_budget.h"
#include "server/sessions/session.h"
#include "server/sessions/session_archive.h"

namespace sorn::server {

// Thread-safe. The map lock is never held while a network is built or a
// session is written to disk.
//
// Lifecycle. A session is made in two steps: Begin claims the name (no other
// call can then create, replace or delete it), its memory and quota; Commit
// writes the session's file and only then makes it visible. Deleting a
// session removes its file before the session disappears, while holding its
// driver; a deleted or replaced session refuses to be driven again, so no
// call that looked it up earlier writes its file. Every later write of a
// session (Persist) is done by its driver. So each name has one writer at a
// time, and what is on disk is always the last acknowledged outcome.
class SessionStore {
 public:
  // `archive` (null: nothing is persisted) and `metrics` (not null) must
  // outlive the store.
  SessionStore(const ServerOptions& options, SessionArchive* archive,
               ServerMetrics* metrics)
      : options_(options),
        archive_(archive),
        metrics_(metrics),
        budget_(options.max_memory_bytes, [metrics](int64_t reserved) {
          metrics->SetReservedMemory(reserved);
        }) {}

  // The server's memory budget (--max_memory_bytes): sessions reserve from
  // it here, calls reserve their transient buffers from it directly.
  MemoryBudget* budget() { return &budget_; }

  // Loads every session of the archive; returns how many, and reports each
  // one it skipped (corrupt, truncated, invalid, over a limit; set aside),
  // each readout it left out and each stale temp file removed through
  // `report`.
  int LoadFromDisk(const std::function<void(const std::string&)>& report);

  // Writes a session its caller has changed. When the state cannot be made
  // durable (full disk: RESOURCE_EXHAUSTED; failing device: UNAVAILABLE;
  // else INTERNAL), the session is rolled back to its last durable state
  // (its file; the record buffer, which is not kept, is emptied) and the
  // error is returned, so that memory agrees with what a restart would load.
  // No-op without an archive. REQUIRES: the caller holds the session's Driver.
  // `memory_held`: the caller holds ReserveWrite's reservation.
  absl::Status Persist(Session& session, bool memory_held = false);
  // Reserves the memory a write of the session takes (none without an archive).
  // A call that drives a session for long holds it from its start, so that
  // its final write cannot be refused for memory others took meanwhile.
  absl::StatusOr<MemoryBudget::Reservation> ReserveWrite(
      const Session& session);

  // A session being made, from Begin to Commit: it holds the name, the
  // memory and the quota, and (when replacing) the old session's driver.
  // Dropped without Commit, it gives them all back. Move-only.
  class NewSession;

  // Claims `name` for a session of these parameters: validates the name,
  // the parameters and the record buffer, and checks and reserves the
  // server's and tenant's limits (a session it replaces counts as freed).
  // ALREADY_EXISTS when the name is taken (or being made) and !replace;
  // FAILED_PRECONDITION when the session to replace is driven or being
  // replaced.
  absl::StatusOr<NewSession> Begin(const Caller& caller,
                                   const std::string& name,
                                   const Params& params,
                                   std::optional<int64_t> record_steps,
                                   bool replace);
  // Writes the new session and makes it visible (replacing the old one).
  // If it cannot be written, nothing changes and the error is returned.
  // `ephemeral`: see Session. `write` false: not written now, because its
  // creator writes it soon (a run's final checkpoint). REQUIRES: `network`
  // has the parameters given to Begin.
  absl::StatusOr<std::shared_ptr<Session>> Commit(
      NewSession pending, Network network, ReadoutSet readouts, uint64_t seed,
      bool ephemeral = false, bool write = true);

  // Begin, build the network from `seed` (random when absent), Commit.
  absl::StatusOr<std::shared_ptr<Session>> Create(
      const Caller& caller, const std::string& name, const Params& params,
      std::optional<uint64_t> seed, std::optional<int64_t> record_steps,
      bool ephemeral = false);
  // A copy of `source` named `name` (Begin and Commit): the same network,
  // generator and readouts, or with the generator reseeded from `reseed`.
  // The name, memory and quota are claimed before the network is copied, so
  // a fork that would not fit copies nothing. `write`: as in Commit (a
  // RunRequest.fork_to fork is written once, by its run's last checkpoint).
  absl::StatusOr<std::shared_ptr<Session>> Fork(
      const Caller& caller, const Session& source, const std::string& name,
      std::optional<uint64_t> reseed, bool ephemeral, bool write = true);
  // The caller's tenant's session: NOT_FOUND (also for another tenant's),
  // or INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<std::shared_ptr<Session>> Get(const Caller& caller,
                                               const std::string& name) const;
  // The tenant's sessions, or every tenant's; sorted by tenant, then name.
  std::vector<std::shared_ptr<Session>> List(const Caller& caller,
                                             bool all_tenants) const;
  // Removes the session and its file. FAILED_PRECONDITION while a call
  // drives it; if the file cannot be removed, nothing changes.
  absl::Status Delete(const Caller& caller, const std::string& name);

  // Deletes the ephemeral sessions that no call has used since `now - ttl`
  // and none drives (their files too); returns "tenant/name" of each. A
  // session used or driven meanwhile stays; so does one whose file cannot
  // be removed (tried again next time).
  std::vector<std::string> ReapIdle(std::chrono::steady_clock::time_point now,
                                    std::chrono::steady_clock::duration ttl);

  // The memory reserved for a session of this shape.
  static int64_t SessionBytes(const Params& params, int64_t record_steps);

 private:
  using Key = std::pair<std::string, std::string>;  // tenant, name.
  struct Usage {
    int sessions = 0;
    int64_t neurons = 0;
  };
  // What a new session takes of the tenant's quota.
  struct Claim {
    int64_t neurons = 0;
    int64_t bytes = 0;
  };

  absl::StatusOr<int64_t> RecordSteps(std::optional<int64_t> requested) const;
  absl::Status CheckParams(const Params& params) const;
  // Checks the session count and the tenant's quota for `claim`, counting
  // `freed` (a session it replaces) as released.
  absl::Status CheckQuota(const Caller& caller, const Claim& claim,
                          const Session* freed) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void CountIn(const std::string& tenant, const Claim& claim)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CountOut(const std::string& tenant, const Claim& claim)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes the session at `key` and its file (Delete), if `check` (run
  // while holding its driver) allows it.
  absl::Status Remove(const Key& key,
                      const std::function<absl::Status(const Session&)>& check);
  // Gives back what Begin took (NewSession's destructor).
  void Abandon(const Key& key, const Claim& claim);

  // Writes the session's file, holding the memory serializing it takes
  // (unless the caller holds it: `memory_held`).
  absl::Status Write(const Session& session, bool memory_held = false);
  // Puts the session back at the state of its file.
  absl::Status RollBack(Session& session);
  // Makes an archived session: its network and those of its readouts that
  // are valid (each one left out is reported).
  absl::StatusOr<std::shared_ptr<Session>> Load(
      ArchivedSession saved,
      const std::function<void(const std::string&)>& report);

  const ServerOptions options_;
  SessionArchive* const archive_;
  ServerMetrics* const metrics_;
  MemoryBudget budget_;
  mutable Mutex mu_;
  std::map<Key, std::shared_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
  // Names between Begin and Commit, and names whose file is being removed.
  std::set<Key> busy_names_ ABSL_GUARDED_BY(mu_);
  // Sessions held and being made, server-wide and per tenant.
  int reserved_sessions_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, Usage> usage_ ABSL_GUARDED_BY(mu_);
};

class SessionStore::NewSession {
 public:
  NewSession(NewSession&&) = default;
  NewSession& operator=(NewSession&&) = delete;
  ~NewSession() {
    if (store_ != nullptr) store_->Abandon(key_, claim_);
  }

 private:
  friend class SessionStore;
  NewSession(SessionStore* store, Key key, Claim claim,
             MemoryBudget::Reservation memory, int64_t record_steps,
             std::shared_ptr<Session> old,
             std::optional<Session::Driver> old_driver)
      : store_(store),
        key_(std::move(key)),
        claim_(claim),
        memory_(std::move(memory)),
        record_steps_(record_steps),
        old_(std::move(old)),
        old_driver_(std::move(old_driver)) {}

  struct Releaser {
    void operator()(SessionStore*) const {}
  };
  // Null once committed (or moved from).
  std::unique_ptr<SessionStore, Releaser> store_;
  Key key_;
  Claim claim_;
  MemoryBudget::Reservation memory_;
  int64_t record_steps_;
  // Declared before its driver, which is destroyed first.
  std::shared_ptr<Session> old_;
  std::optional<Session::Driver> old_driver_;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSIONS_SESSION_STORE_H_
