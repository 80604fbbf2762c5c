#include "client/cpp/npz_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sorn::client {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfDirectory = 0x06054b50;

void Put16(std::string& out, uint16_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>(v >> 8);
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, v & 0xffff);
  Put16(out, v >> 16);
}
uint32_t Get(const std::string& s, size_t at, int bytes) {
  uint32_t v = 0;
  for (int b = bytes - 1; b >= 0; --b) {
    v = (v << 8) | static_cast<unsigned char>(s[at + b]);
  }
  return v;
}

absl::StatusOr<std::string> Inflate(const std::string& in, size_t out_size) {
  std::string out(out_size, '\0');
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
    return absl::InternalError("zlib inflateInit2 failed");
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int r = inflate(&z, Z_FINISH);
  inflateEnd(&z);
  if (r != Z_STREAM_END || z.total_out != out_size) {
    return absl::InvalidArgumentError("corrupt deflated npz entry");
  }
  return out;
}

// Where the end-of-directory record starts (in the last 64 KiB + 22
// bytes), or npos.
size_t FindEndOfDirectory(const std::string& zip) {
  if (zip.size() < 22) return std::string::npos;
  for (size_t at = zip.size() - 22;; --at) {
    if (Get(zip, at, 4) == kEndOfDirectory) return at;
    if (at == 0 || zip.size() - at > 65557) return std::string::npos;
  }
}

// The entry whose central directory record is at `*at` (advanced past it):
// its name without ".npy" and its bytes, inflated.
absl::StatusOr<std::pair<std::string, std::string>> ReadEntry(
    const std::string& zip, const std::string& path, size_t* at) {
  const size_t c = *at;
  if (c + 46 > zip.size() || Get(zip, c, 4) != kCentralHeader) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": bad zip directory"));
  }
  const uint32_t method = Get(zip, c + 10, 2);
  const uint32_t compressed = Get(zip, c + 20, 4);
  const uint32_t size = Get(zip, c + 24, 4);
  const uint32_t name_len = Get(zip, c + 28, 2);
  const uint32_t local = Get(zip, c + 42, 4);
  std::string name = zip.substr(c + 46, name_len);
  *at = c + 46 + name_len + Get(zip, c + 30, 2) + Get(zip, c + 32, 2);
  if (compressed == 0xffffffff || size == 0xffffffff) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": zip64 is not supported"));
  }
  if (local + 30 > zip.size() || Get(zip, local, 4) != kLocalHeader) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": bad local header"));
  }
  const size_t data =
      local + 30 + Get(zip, local + 26, 2) + Get(zip, local + 28, 2);
  if (data + compressed > zip.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": truncated entry ", name));
  }
  std::string bytes = zip.substr(data, compressed);
  if (method == 8) {
    absl::StatusOr<std::string> inflated = Inflate(bytes, size);
    if (!inflated.ok()) return inflated.status();
    bytes = *std::move(inflated);
  } else if (method != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": unsupported compression ", method, " for ", name));
  }
  if (absl::EndsWith(name, ".npy")) name.resize(name.size() - 4);
  return std::pair{std::move(name), std::move(bytes)};
}

}  // namespace

absl::StatusOr<NpzEntries> ReadNpz(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string zip = buffer.str();
  const size_t end = FindEndOfDirectory(zip);
  if (end == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not an npz (zip) file"));
  }
  const uint32_t count = Get(zip, end + 10, 2);
  size_t at = Get(zip, end + 16, 4);
  NpzEntries entries;
  for (uint32_t e = 0; e < count; ++e) {
    absl::StatusOr<std::pair<std::string, std::string>> entry =
        ReadEntry(zip, path, &at);
    if (!entry.ok()) return entry.status();
    entries[entry->first] = std::move(entry->second);
  }
  return entries;
}

absl::Status WriteNpz(const std::string& path, const NpzEntries& entries) {
  std::string zip, directory;
  for (const auto& [array, bytes] : entries) {
    const std::string name = array + ".npy";
    const uint32_t crc =
        crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size());
    const uint32_t offset = static_cast<uint32_t>(zip.size());
    for (std::string* out : {&zip, &directory}) {
      const bool central = out == &directory;
      Put32(*out, central ? kCentralHeader : kLocalHeader);
      if (central) Put16(*out, 20);  // version made by
      Put16(*out, 20);               // version needed
      Put16(*out, 0);                // flags
      Put16(*out, 0);                // stored
      Put16(*out, 0);                // time
      Put16(*out, 0x21);             // date: 1980-01-01
      Put32(*out, crc);
      Put32(*out, static_cast<uint32_t>(bytes.size()));
      Put32(*out, static_cast<uint32_t>(bytes.size()));
      Put16(*out, static_cast<uint16_t>(name.size()));
      Put16(*out, 0);  // extra
      if (central) {
        Put16(*out, 0);  // comment
        Put16(*out, 0);  // disk
        Put16(*out, 0);  // internal attributes
        Put32(*out, 0);  // external attributes
        Put32(*out, offset);
      }
      *out += name;
    }
    zip += bytes;
  }
  const uint32_t directory_offset = static_cast<uint32_t>(zip.size());
  zip += directory;
  Put32(zip, kEndOfDirectory);
  Put16(zip, 0);
  Put16(zip, 0);
  Put16(zip, static_cast<uint16_t>(entries.size()));
  Put16(zip, static_cast<uint16_t>(entries.size()));
  Put32(zip, static_cast<uint32_t>(directory.size()));
  Put32(zip, directory_offset);
  Put16(zip, 0);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  out.write(zip.data(), zip.size());
  out.flush();
  if (!out) return absl::DataLossError(absl::StrCat("short write to ", path));
  return absl::OkStatus();
}

}  // namespace sorn::client
