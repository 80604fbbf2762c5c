// SessionStore: the server's named sessions and the limits on them.
#ifndef SORN_SERVER_SESSION_STORE_H_
#define SORN_SERVER_SESSION_STORE_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/network.h"
#include "server/server_options.h"
#include "server/session.h"
#include "server/session_files.h"

namespace sorn::server {

// Thread-safe. The map lock is never held while a network is built or a
// session is written to disk.
class SessionStore {
 public:
  // `files` (may be null: nothing is persisted) must outlive the store.
  explicit SessionStore(const ServerOptions& options,
                        SessionFiles* files = nullptr)
      : options_(options), files_(files) {}

  // Loads every session file; returns how many, and reports each file it
  // skipped (corrupt, truncated, invalid) through `report`.
  int LoadFromDisk(const std::function<void(const std::string&)>& report);
  // Writes the session's current state to disk (no-op without files).
  absl::Status Persist(const Session& session);

  // Validates the name and limits, builds the network, adds it.
  absl::StatusOr<std::shared_ptr<Session>> Create(
      const std::string& name, const Params& params,
      std::optional<uint64_t> seed, std::optional<int64_t> record_steps);
  // Adds an existing network (import, fork). With `replace`, a session of the
  // same name is replaced unless a call drives it (FAILED_PRECONDITION).
  absl::StatusOr<std::shared_ptr<Session>> Add(
      const std::string& name, Network network, uint64_t seed,
      std::optional<int64_t> record_steps, bool replace);
  // NOT_FOUND, or INVALID_ARGUMENT for a malformed name.
  absl::StatusOr<std::shared_ptr<Session>> Get(const std::string& name) const;
  // Sorted by name.
  std::vector<std::shared_ptr<Session>> List() const;
  // FAILED_PRECONDITION while a call drives the session.
  absl::Status Delete(const std::string& name);

  // Checks that a network of these parameters may be created here.
  absl::Status CheckLimits(const Params& params) const;
  // The record buffer a session gets: the request's or the default.
  absl::StatusOr<int64_t> RecordSteps(std::optional<int64_t> requested) const;

 private:
  absl::Status CheckFreeName(const std::string& name, bool replace) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const ServerOptions options_;
  SessionFiles* const files_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Session>> sessions_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSION_STORE_H_
