// The engine's random generator: xoshiro256++ with a ziggurat normal sampler.
// Its whole state is four words, so it travels with the network state and a
// restored network continues bit for bit. Implemented here rather than taken
// from <random> because the standard distributions differ between library
// versions and keep hidden state.
#ifndef SORN_CORE_RANDOM_H_
#define SORN_CORE_RANDOM_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace sorn {

// The generator's complete state.
using RandomState = std::array<uint64_t, 4>;

// Not thread-safe; each network owns one.
class Random {
 public:
  // Expands `seed` with splitmix64, as the xoshiro authors recommend.
  explicit Random(uint64_t seed);
  // REQUIRES: state is not all zero.
  static Random FromState(const RandomState& state);

  const RandomState& state() const { return s_; }

  uint64_t NextU64() {
    const uint64_t result = Rotl(s_[0] + s_[3], 23) + s_[0];
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n), unbiased. REQUIRES: n > 0.
  uint64_t UniformInt(uint64_t n);
  // Standard normal N(0, 1).
  double Normal();
  // out[k] = sd * N(0, 1) for every k; the same numbers as calling Normal()
  // out.size() times, faster.
  void FillNormal(double sd, double* out, size_t n);

 private:
  Random() = default;
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  double NormalSlowPath(uint64_t bits);

  RandomState s_;
};

}  // namespace sorn

#endif  // SORN_CORE_RANDOM_H_
