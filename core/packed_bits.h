// Packed activity: neuron i is bit (i % 8) of byte (i / 8), least significant
// bit first, one step per ceil(n / 8) bytes (sorn.proto, "Conventions").
#ifndef SORN_CORE_PACKED_BITS_H_
#define SORN_CORE_PACKED_BITS_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sorn {

inline size_t PackedBytes(int n) { return (size_t(n) + 7) / 8; }

// Writes PackedBytes(n) bytes to `out`. `bits` holds n values 0 or 1.
// Eight neurons at a time: with each byte of v 0 or 1, the multiplication
// moves byte k's bit to bit 56 + k, and the partial products are distinct
// powers of two (no carries), so the top byte is the eight bits packed. It
// is the server's per-step cost next to the engine (3 arrays per step).
inline void PackBits(const uint8_t* bits, int n, uint8_t* out) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, bits + i, 8);
    *out++ = uint8_t((v * 0x0102040810204080ULL) >> 56);
  }
  if (i < n) {
    uint8_t last = 0;
    for (int k = 0; i + k < n; ++k) last |= uint8_t(bits[i + k] << k);
    *out = last;
  }
}

// The number of bits set in n bytes (SWAR: without -mpopcnt, the builtin is
// a library call per byte).
inline int64_t CountBits(const uint8_t* bytes, size_t n) {
  int64_t count = 0;
  size_t b = 0;
  auto count_word = [](uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return int64_t((x * 0x0101010101010101ULL) >> 56);
  };
  for (; b + 8 <= n; b += 8) {
    uint64_t x;
    std::memcpy(&x, bytes + b, 8);
    count += count_word(x);
  }
  if (b == n) return count;
  uint64_t rest = 0;
  std::memcpy(&rest, bytes + b, n - b);
  return count + count_word(rest);
}

// Reads n values 0 or 1 from PackedBytes(n) bytes.
inline void UnpackBits(const uint8_t* packed, int n, uint8_t* out) {
  for (int i = 0; i < n; ++i) out[i] = (packed[i >> 3] >> (i & 7)) & 1;
}

}  // namespace sorn

#endif  // SORN_CORE_PACKED_BITS_H_
