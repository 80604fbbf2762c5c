// Reading and writing NumPy .npy files (format version 1.0 and 2.0), the
// format of the conformance cases and of the reference package's arrays.
// Values are converted to double on reading.
#ifndef SORN_CORE_NPY_FILE_H_
#define SORN_CORE_NPY_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sorn {

struct NpyArray {
  std::vector<int64_t> shape;  // empty for a scalar.
  std::vector<double> data;    // C order.

  int64_t size() const;
};

// An .npy file's header and undecoded data.
struct NpyRaw {
  std::string descr;  // e.g. "<f8", "|u1".
  bool fortran_order = false;
  std::vector<int64_t> shape;
  std::string data;  // exactly the bytes of the array.
};
// INVALID_ARGUMENT describes a malformed file.
absl::StatusOr<NpyRaw> ParseNpyRaw(const std::string& bytes);

// Parses .npy bytes. Supports little-endian float64/32, int64/32/8, uint8 and
// bool, C or Fortran order. INVALID_ARGUMENT describes a malformed file.
absl::StatusOr<NpyArray> ParseNpy(const std::string& bytes);
// The .npy bytes of `array` as little-endian float64, C order.
std::string SerializeNpy(const NpyArray& array);
// The .npy bytes of a 1-D uint8 array holding `bytes`.
std::string SerializeNpyBytes(const std::string& bytes);
// The .npy bytes of a uint8 array (0/1 activity: an eighth of float64's
// size) and of an int64 array (counts), C order. REQUIRES: data.size() is
// the product of `shape`.
std::string SerializeNpyU8(const std::vector<int64_t>& shape,
                           const std::vector<uint8_t>& data);
std::string SerializeNpyI64(const std::vector<int64_t>& shape,
                            const std::vector<int64_t>& data);
// NOT_FOUND (with the system's reason) if the file cannot be read, else as
// ParseNpy.
absl::StatusOr<NpyArray> ReadNpy(const std::string& path);
// Writes `array` as little-endian float64, C order.
absl::Status WriteNpy(const std::string& path, const NpyArray& array);
// Writes `bytes` to `path` (replacing it). PERMISSION_DENIED with the
// system's reason if it cannot be created, DATA_LOSS on a short write.
absl::Status WriteFileBytes(const std::string& path, const std::string& bytes);

}  // namespace sorn

#endif  // SORN_CORE_NPY_FILE_H_
