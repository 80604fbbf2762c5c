// NumPy .npz archives (a zip of .npy files), as numpy.savez writes them and
// numpy.load reads them: entries are written uncompressed; stored and
// deflated entries are read. No zip64 (archives under 4 GiB).
#ifndef SORN_CLIENT_CPP_NPZ_FILE_H_
#define SORN_CLIENT_CPP_NPZ_FILE_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace sorn::client {

// Array name (the entry without ".npy") -> the entry's .npy bytes.
using NpzEntries = std::map<std::string, std::string>;

absl::StatusOr<NpzEntries> ReadNpz(const std::string& path);
absl::Status WriteNpz(const std::string& path, const NpzEntries& entries);

}  // namespace sorn::client

#endif  // SORN_CLIENT_CPP_NPZ_FILE_H_
