// Session: one named network on the server, its recorded activity, its
// readouts, and the rule that one call at a time drives it.
#ifndef SORN_SERVER_SESSIONS_SESSION_H_
#define SORN_SERVER_SESSIONS_SESSION_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "core/mutex.h"
#include "core/network.h"
#include "server/sessions/activity_log.h"
#include "server/sessions/memory_budget.h"
#include "server/sessions/readout_set.h"

namespace sorn::server {

// Owned by the SessionStore through shared_ptr (a call keeps its session
// alive even if it is deleted meanwhile). Thread-safe.
//
// Two locks: `driving_` makes one call the session's driver (Simulate, Train,
// Step, Freeze, FitReadout, DeleteReadout, replacement); others get
// FAILED_PRECONDITION at once. `mu_` guards the network, log and readouts
// for single steps or batches, so readers
// (GetSession, GetStatistics, ExportState, ForkSession) see a consistent state
// between two batches of a running driver instead of failing.
class Session {
 public:
  // `memory`: what the store reserved for it (SessionBytes), given back to
  // the budget when the last holder of the session lets go of it.
  // `ephemeral`: the store deletes the session once it is idle for longer
  // than --ephemeral_session_ttl (SessionStore::ReapIdle).
  Session(std::string tenant, std::string name, uint64_t seed, Network network,
          ReadoutSet readouts, int64_t record_buffer_steps,
          MemoryBudget::Reservation memory, bool ephemeral = false);

  const std::string& tenant() const { return tenant_; }
  const std::string& name() const { return name_; }
  uint64_t seed() const { return seed_; }
  bool ephemeral() const { return ephemeral_; }
  // Marks the session used now: every call that names it, and the end of
  // every call that drove it (a driven session is never idle).
  void Touch();
  // When it was last used (made, loaded, or touched).
  std::chrono::steady_clock::time_point last_used() const;
  int64_t memory_bytes() const { return memory_bytes_; }
  // ne + ni, which counts against the tenant's neuron quota.
  int64_t neurons() const { return neurons_; }
  // An upper bound of one copy of the session's state: its reservation and
  // its readouts' weights (which --max_readout_bytes bounds instead).
  int64_t StateBytes() const;

  // Held by the driving call for its whole life.
  class Driver {
   public:
    explicit Driver(Session* s) : session_(s) {}
    Driver(Driver&& other) : session_(other.session_) {
      other.session_ = nullptr;
    }
    Driver(const Driver&) = delete;
    ~Driver() {
      if (session_ == nullptr) return;
      session_->Touch();
      session_->driving_.store(false);
    }

   private:
    Session* session_;
  };
  // FAILED_PRECONDITION if another call drives the session; NOT_FOUND once
  // it was deleted or replaced (a call that looked it up before that must
  // not change, or write, a session nobody can see any more).
  absl::StatusOr<Driver> TryDrive();
  // Marks the session deleted or replaced. REQUIRES: the caller holds its
  // Driver, so no other call changes it after this.
  void MarkRemoved() { removed_.store(true); }
  bool removed() const { return removed_.load(); }

  // Replaces the network and readouts (a roll-back to the last durable
  // state) and empties the record buffer, which is not part of that state.
  // REQUIRES: the caller holds the Driver; same ne, ni, nu (the reservation
  // does not change).
  void Restore(Network network, ReadoutSet readouts);

  // Runs `fn(network, log, readouts)` under the state lock.
  template <typename Fn>
  auto WithState(Fn fn) {
    MutexLock lock(&mu_);
    return fn(network_, log_, readouts_);
  }
  template <typename Fn>
  auto WithState(Fn fn) const {
    MutexLock lock(&mu_);
    return fn(static_cast<const Network&>(network_),
              static_cast<const ActivityLog&>(log_),
              static_cast<const ReadoutSet&>(readouts_));
  }

 private:
  absl::Status Removed() const;

  const std::string tenant_;
  const std::string name_;
  const uint64_t seed_;
  const MemoryBudget::Reservation memory_;
  const int64_t memory_bytes_;
  const int64_t neurons_;
  const bool ephemeral_;
  // steady_clock ticks of the last use.
  std::atomic<int64_t> last_used_;
  std::atomic<bool> driving_{false};
  std::atomic<bool> removed_{false};
  mutable Mutex mu_;
  Network network_ ABSL_GUARDED_BY(mu_);
  ActivityLog log_ ABSL_GUARDED_BY(mu_);
  ReadoutSet readouts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSIONS_SESSION_H_
