// SessionFiles: sessions on disk in --data_dir, one file per session at
// DIR/<tenant>/<name>.sorn, written atomically (temp file, fsync, rename,
// fsync of the directory) so that a kill -9 leaves either the old or the new
// file, never a torn one.
//
// File: "SORNSESS", uint32 format version, uint32 CRC32 of the payload,
// uint64 payload length (all little-endian), payload = sorn.v1.StoredSession.
#ifndef SORN_SERVER_STORAGE_SESSION_FILES_H_
#define SORN_SERVER_STORAGE_SESSION_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sorn/v1/storage.pb.h"

namespace sorn::server {

// Version 2 added readouts to the state (an older server refuses such files
// instead of dropping the readouts); version 1 files are still read.
inline constexpr uint32_t kSessionFileVersion = 2;
inline constexpr uint32_t kOldestSessionFileVersion = 1;

// I/O errors come back as RESOURCE_EXHAUSTED when the disk or quota is full
// (ENOSPC, EDQUOT), UNAVAILABLE for a failing device (EIO), else INTERNAL;
// each message names the file and the system's reason.
//
// Thread-safe for different names; one writer per name at a time (the
// SessionStore guarantees it).
class SessionFiles {
 public:
  explicit SessionFiles(std::string dir) : dir_(std::move(dir)) {}

  // Creates the directory if needed.
  absl::Status Open();
  // Replaces the session's file atomically: on any error the old file (or
  // none) is still there, and no temp file is left behind.
  absl::Status Save(const sorn::v1::StoredSession& session);
  // Reads one session's file back (the last durable state).
  absl::StatusOr<sorn::v1::StoredSession> Load(const std::string& tenant,
                                               const std::string& name) const;
  absl::Status Remove(const std::string& tenant, const std::string& name);
  // Renames a session file that cannot be loaded to
  // NAME.sorn.<why>-YYYYMMDDTHHMMSSZ beside it ("unloadable": its content is
  // bad; "over-limit": it exceeds a limit the server now has), so that a new
  // session of that name never overwrites the evidence; returns the new path.
  absl::StatusOr<std::string> MoveAside(const std::string& path,
                                        const std::string& why) const;

  // The session in a file's bytes (header, version, CRC, payload).
  static absl::StatusOr<sorn::v1::StoredSession> Decode(
      const std::string& bytes);
  // The file's bytes for a session.
  static std::string Encode(const sorn::v1::StoredSession& session);

  struct Loaded {
    std::vector<sorn::v1::StoredSession> sessions;
    // Files skipped, and why; each was moved aside (MoveAside).
    std::vector<std::string> problems;
    // Temp files of writes that a crash interrupted; removed.
    std::vector<std::string> removed;
  };
  // Every readable session file. Unreadable ones are moved aside and listed
  // in `problems`; stale temp files are deleted and listed in `removed`.
  Loaded LoadAll();

  // REQUIRES: valid tenant and session names.
  std::string PathOf(const std::string& tenant, const std::string& name) const;

 private:
  std::string dir_;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_STORAGE_SESSION_FILES_H_
