// FileArchive: the SessionArchive of a --data_dir. It turns sessions into
// the StoredSession messages that SessionFiles frames and writes (the API's
// NetworkState plus the session's name, tenant, seed and record buffer), and
// decodes them back, each readout on its own.
#ifndef SORN_SERVER_STORAGE_FILE_ARCHIVE_H_
#define SORN_SERVER_STORAGE_FILE_ARCHIVE_H_

#include <string>

#include "absl/status/statusor.h"
#include "server/sessions/session_archive.h"
#include "server/storage/session_files.h"
#include "sorn/v1/storage.pb.h"

namespace sorn::server {

// Thread-safe as SessionFiles is: for different sessions at once.
class FileArchive final : public SessionArchive {
 public:
  // `files` must outlive the archive and be open.
  explicit FileArchive(SessionFiles* files) : files_(files) {}

  int64_t WriteBytes(const Session& session) const override;
  absl::Status Save(const Session& session) override;
  absl::StatusOr<ArchivedSession> Load(const std::string& tenant,
                                       const std::string& name) const override;
  absl::Status Remove(const std::string& tenant,
                      const std::string& name) override;
  Contents LoadAll() override;
  absl::StatusOr<std::string> SetAside(const std::string& tenant,
                                       const std::string& name,
                                       const std::string& why) override;
  std::string Where(const std::string& tenant,
                    const std::string& name) const override;

  // The message a session is written as, and back.
  static sorn::v1::StoredSession ToStored(const Session& session);
  static absl::StatusOr<ArchivedSession> FromStored(
      const sorn::v1::StoredSession& stored);

 private:
  SessionFiles* const files_;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_STORAGE_FILE_ARCHIVE_H_
