#include "server/storage/session_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sorn::server {
namespace {

namespace fs = std::filesystem;
constexpr char kMagic[8] = {'S', 'O', 'R', 'N', 'S', 'E', 'S', 'S'};
constexpr char kSuffix[] = ".sorn";

void PutLe(std::string& out, uint64_t v, int bytes) {
  for (int b = 0; b < bytes; ++b)
    out += static_cast<char>((v >> (8 * b)) & 0xff);
}
uint64_t GetLe(const std::string& s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int b = bytes - 1; b >= 0; --b) v = (v << 8) | uint8_t(s[at + b]);
  return v;
}

constexpr char kTempSuffix[] = ".tmp";

// The status of a failed system call, by what it means to the caller: a full
// disk is the caller's (or operator's) resource running out, a failing
// device may come back, anything else is the server's problem.
absl::Status ErrnoStatus(int error, const std::string& what) {
  const std::string message = absl::StrCat(what, ": ", std::strerror(error));
  switch (error) {
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    case EIO:
      return absl::UnavailableError(message);
    case ENOENT:
      return absl::NotFoundError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::Status Errno(const std::string& what) { return ErrnoStatus(errno, what); }

absl::Status WriteAll(int fd, const std::string& data,
                      const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write " + path);
    }
    done += size_t(n);
  }
  return absl::OkStatus();
}

absl::Status FsyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Errno("open " + dir);
  const int r = ::fsync(fd);
  ::close(fd);
  return r == 0 ? absl::OkStatus() : Errno("fsync " + dir);
}

// The 24 bytes before `payload` in a file.
std::string Header(const std::string& payload) {
  std::string header(kMagic, 8);
  PutLe(header, kSessionFileVersion, 4);
  PutLe(
      header,
      crc32(0, reinterpret_cast<const Bytef*>(payload.data()), payload.size()),
      4);
  PutLe(header, payload.size(), 8);
  return header;
}

}  // namespace

absl::StatusOr<sorn::v1::StoredSession> SessionFiles::Decode(
    const std::string& bytes) {
  if (bytes.size() < 24 || bytes.compare(0, 8, std::string(kMagic, 8)) != 0) {
    return absl::DataLossError("not a sorn-server session file");
  }
  const uint32_t version = uint32_t(GetLe(bytes, 8, 4));
  if (version < kOldestSessionFileVersion || version > kSessionFileVersion) {
    return absl::DataLossError(
        absl::StrCat("unsupported format version ", version));
  }
  const uint32_t crc = uint32_t(GetLe(bytes, 12, 4));
  const uint64_t length = GetLe(bytes, 16, 8);
  if (bytes.size() - 24 != length) {
    return absl::DataLossError(absl::StrCat("truncated: ", bytes.size() - 24,
                                            " of ", length, " payload bytes"));
  }
  if (crc32(0, reinterpret_cast<const Bytef*>(bytes.data() + 24), length) !=
      crc) {
    return absl::DataLossError("checksum mismatch");
  }
  sorn::v1::StoredSession session;
  if (length > uint64_t{INT32_MAX} ||
      !session.ParseFromArray(bytes.data() + 24, int(length))) {
    return absl::DataLossError("unparsable payload");
  }
  return session;
}

std::string SessionFiles::Encode(const sorn::v1::StoredSession& session) {
  const std::string payload = session.SerializeAsString();
  return Header(payload) + payload;
}

absl::Status SessionFiles::Open() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return ErrnoStatus(ec.value(), "cannot create --data_dir " + dir_);
  return absl::OkStatus();
}

std::string SessionFiles::PathOf(const std::string& tenant,
                                 const std::string& name) const {
  return (fs::path(dir_) / tenant / (name + kSuffix)).string();
}

absl::Status SessionFiles::Save(const sorn::v1::StoredSession& session) {
  // Header and payload are written one after the other: a state of
  // hundreds of MB is not copied once more to join them.
  const std::string payload = session.SerializeAsString();
  const std::string header = Header(payload);
  const std::string tenant_dir = (fs::path(dir_) / session.tenant()).string();
  if (!fs::is_directory(tenant_dir)) {
    std::error_code ec;
    fs::create_directories(tenant_dir, ec);
    if (ec) return ErrnoStatus(ec.value(), "cannot create " + tenant_dir);
    if (absl::Status s = FsyncDir(dir_); !s.ok()) return s;
  }
  const std::string path = PathOf(session.tenant(), session.name());
  const std::string temp = path + kTempSuffix;
  const int fd =
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("open " + temp);
  absl::Status s = WriteAll(fd, header, temp);
  if (s.ok()) s = WriteAll(fd, payload, temp);
  if (s.ok() && ::fsync(fd) != 0) s = Errno("fsync " + temp);
  // close can report a deferred write error (NFS, quotas).
  if (::close(fd) != 0 && s.ok()) s = Errno("close " + temp);
  if (s.ok() && ::rename(temp.c_str(), path.c_str()) != 0)
    s = Errno("rename " + temp);
  if (s.ok()) s = FsyncDir(tenant_dir);
  if (!s.ok()) ::unlink(temp.c_str());
  return s;
}

absl::StatusOr<sorn::v1::StoredSession> SessionFiles::Load(
    const std::string& tenant, const std::string& name) const {
  const std::string path = PathOf(tenant, name);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Errno("open " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Errno("read " + path);
  absl::StatusOr<sorn::v1::StoredSession> session = Decode(buffer.str());
  if (!session.ok()) {
    return absl::DataLossError(
        absl::StrCat(path, ": ", session.status().message()));
  }
  return session;
}

absl::StatusOr<std::string> SessionFiles::MoveAside(
    const std::string& path, const std::string& why) const {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm utc;
  gmtime_r(&now, &utc);
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc);
  std::string aside = absl::StrCat(path, ".", why, "-", stamp);
  // Two failures of one name within a second keep both files.
  for (int n = 2; fs::exists(aside); ++n) {
    aside = absl::StrCat(path, ".", why, "-", stamp, "-", n);
  }
  if (::rename(path.c_str(), aside.c_str()) != 0) {
    return Errno("rename " + path);
  }
  return aside;
}

absl::Status SessionFiles::Remove(const std::string& tenant,
                                  const std::string& name) {
  const std::string path = PathOf(tenant, name);
  // No file (a RunRequest.fork_to fork whose run failed before its first
  // checkpoint) is not an error, also where unlink would say EROFS.
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT)
    return absl::OkStatus();
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return Errno("unlink " + path);
  return FsyncDir((fs::path(dir_) / tenant).string());
}

SessionFiles::Loaded SessionFiles::LoadAll() {
  Loaded loaded;
  std::error_code ec;
  for (const fs::directory_entry& tenant_dir :
       fs::directory_iterator(dir_, ec)) {
    if (!tenant_dir.is_directory()) continue;
    const std::string tenant = tenant_dir.path().filename().string();
    std::error_code inner;
    for (const fs::directory_entry& e :
         fs::directory_iterator(tenant_dir.path(), inner)) {
      const std::string path = e.path().string();
      const std::string file = e.path().filename().string();
      if (absl::EndsWith(file, absl::StrCat(kSuffix, kTempSuffix))) {
        // A write that a crash interrupted: the file it was replacing (if
        // any) is intact, and the temp file is not a state anyone was told
        // about.
        std::error_code removed;
        fs::remove(e.path(), removed);
        loaded.removed.push_back(
            removed
                ? absl::StrCat(path, " (not removed: ", removed.message(), ")")
                : path);
        continue;
      }
      if (e.path().extension() != kSuffix) continue;
      std::ifstream in(path, std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      absl::StatusOr<sorn::v1::StoredSession> session = Decode(buffer.str());
      std::string problem;
      if (!session.ok()) {
        problem = std::string(session.status().message());
      } else if (session->name() + kSuffix != file ||
                 session->tenant() != tenant) {
        problem = absl::StrCat("holds session \"", session->name(),
                               "\" of tenant \"", session->tenant(), "\"");
      }
      if (!problem.empty()) {
        absl::StatusOr<std::string> aside = MoveAside(path, "unloadable");
        loaded.problems.push_back(absl::StrCat(
            path, ": ", problem, "; ",
            aside.ok()
                ? absl::StrCat("moved to ", *aside)
                : absl::StrCat("not moved: ", aside.status().message())));
        continue;
      }
      loaded.sessions.push_back(*std::move(session));
    }
    if (inner) {
      loaded.problems.push_back(
          absl::StrCat(tenant_dir.path().string(), ": ", inner.message()));
    }
  }
  if (ec) loaded.problems.push_back(absl::StrCat(dir_, ": ", ec.message()));
  return loaded;
}

}  // namespace sorn::server
