// Packed activity: neuron i is bit (i % 8) of byte (i / 8), least significant
// bit first, one step per ceil(n / 8) bytes (sorn.proto, "Conventions").
#ifndef SORN_SERVER_PACKED_BITS_H_
#define SORN_SERVER_PACKED_BITS_H_

#include <cstddef>
#include <cstdint>

namespace sorn::server {

inline size_t PackedBytes(int n) { return (size_t(n) + 7) / 8; }

// Writes PackedBytes(n) bytes to `out`. `bits` holds n values 0 or 1.
inline void PackBits(const uint8_t* bits, int n, uint8_t* out) {
  const size_t bytes = PackedBytes(n);
  for (size_t b = 0; b < bytes; ++b) out[b] = 0;
  for (int i = 0; i < n; ++i) out[i >> 3] |= uint8_t(bits[i] << (i & 7));
}

// Reads n values 0 or 1 from PackedBytes(n) bytes.
inline void UnpackBits(const uint8_t* packed, int n, uint8_t* out) {
  for (int i = 0; i < n; ++i) out[i] = (packed[i >> 3] >> (i & 7)) & 1;
}

}  // namespace sorn::server

#endif  // SORN_SERVER_PACKED_BITS_H_
