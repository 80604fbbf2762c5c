// SessionFiles: sessions on disk in --data_dir, one file per session at
// DIR/<tenant>/<name>.sorn, written atomically (temp file, fsync, rename,
// fsync of the directory) so that a kill -9 leaves either the old or the new
// file, never a torn one.
//
// File: "SORNSESS", uint32 format version, uint32 CRC32 of the payload,
// uint64 payload length (all little-endian), payload = sorn.v1.StoredSession.
#ifndef SORN_SERVER_SESSION_FILES_H_
#define SORN_SERVER_SESSION_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sorn/v1/storage.pb.h"

namespace sorn::server {

// Version 2 added readouts to the state (an older server refuses such files
// instead of dropping the readouts); version 1 files are still read.
inline constexpr uint32_t kSessionFileVersion = 2;
inline constexpr uint32_t kOldestSessionFileVersion = 1;

// Thread-safe for different names; one writer per name at a time.
class SessionFiles {
 public:
  explicit SessionFiles(std::string dir) : dir_(std::move(dir)) {}

  // Creates the directory if needed.
  absl::Status Open();
  absl::Status Save(const sorn::v1::StoredSession& session);
  absl::Status Remove(const std::string& tenant, const std::string& name);

  struct Loaded {
    std::vector<sorn::v1::StoredSession> sessions;
    std::vector<std::string> problems;  // files skipped, and why.
  };
  // Every readable session file; unreadable ones are listed in `problems`.
  Loaded LoadAll() const;

  // REQUIRES: valid tenant and session names.
  std::string PathOf(const std::string& tenant, const std::string& name) const;

 private:
  std::string dir_;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSION_FILES_H_
