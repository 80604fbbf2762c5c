// SessionArchive: the durable copy of the server's sessions as the
// SessionStore sees it: whole sessions in, decoded sessions out. How and
// where they are kept (files, their framing, protobuf) is storage/'s
// business (storage/file_archive.h), so that sessions/ knows nothing of
// either and the arrows run one way: storage -> sessions.
#ifndef SORN_SERVER_SESSIONS_SESSION_ARCHIVE_H_
#define SORN_SERVER_SESSIONS_SESSION_ARCHIVE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/network_state.h"
#include "server/sessions/readout_set.h"
#include "server/sessions/session.h"

namespace sorn::server {

// A session as the archive holds it, decoded but not yet checked against
// the server's limits.
struct ArchivedSession {
  std::string tenant;
  std::string name;
  uint64_t seed = 0;
  int64_t record_buffer_steps = 0;
  bool ephemeral = false;
  NetworkState state;
  // Each readout decoded on its own, in the archive's order: a malformed
  // one is an error here and costs only itself when the session is loaded.
  std::vector<std::pair<std::string, absl::StatusOr<NamedReadout>>> readouts;
};

// Implementations are thread-safe for different sessions; the SessionStore
// makes the writes of one session one at a time.
class SessionArchive {
 public:
  virtual ~SessionArchive() = default;

  // Bytes that writing `session` holds at its peak, reserved from the
  // memory budget before Save.
  virtual int64_t WriteBytes(const Session& session) const = 0;
  // Replaces the session's durable copy atomically: on any error the old
  // copy (or none) is still there. Errors: RESOURCE_EXHAUSTED for a full
  // disk, UNAVAILABLE for a failing device, else INTERNAL.
  // REQUIRES: the caller drives the session (its state does not change).
  virtual absl::Status Save(const Session& session) = 0;
  // The session's last durable state.
  virtual absl::StatusOr<ArchivedSession> Load(
      const std::string& tenant, const std::string& name) const = 0;
  // Removes the session's copy (none is not an error).
  virtual absl::Status Remove(const std::string& tenant,
                              const std::string& name) = 0;

  struct Contents {
    std::vector<ArchivedSession> sessions;
    // Copies that could not be decoded, and why; each was set aside.
    std::vector<std::string> problems;
    // Leftovers of writes that a crash interrupted; removed.
    std::vector<std::string> removed;
  };
  // Every session the archive holds (at start-up).
  virtual Contents LoadAll() = 0;
  // Keeps a session the server cannot take (`why`: "unloadable" or
  // "over-limit") where a new session of its name does not overwrite it;
  // returns where it went.
  virtual absl::StatusOr<std::string> SetAside(const std::string& tenant,
                                               const std::string& name,
                                               const std::string& why) = 0;
  // Where the session is kept, for messages.
  virtual std::string Where(const std::string& tenant,
                            const std::string& name) const = 0;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSIONS_SESSION_ARCHIVE_H_
