#include "core/random.h"

#include <bit>
#include <cmath>

namespace sorn {
namespace {

// Ziggurat of Marsaglia and Tsang (2000) with 256 layers and 52-bit
// magnitudes. Layer i spans [0, x_i) horizontally; x_255 = kR is where the
// tail starts, and every layer has area kV.
constexpr double kR = 3.6541528853610088;
constexpr double kV = 4.92867323399e-3;
constexpr double kTwo52 = 4503599627370496.0;

struct ZigguratTables {
  uint64_t k[256];  // fast-accept bound for the 52-bit magnitude.
  double w[256];    // magnitude -> x scale.
  double f[256];    // exp(-x_i^2 / 2).

  ZigguratTables() {
    double dn = kR;
    double tn = dn;
    const double q = kV / std::exp(-0.5 * dn * dn);
    k[0] = static_cast<uint64_t>((dn / q) * kTwo52);
    k[1] = 0;
    w[0] = q / kTwo52;
    w[255] = dn / kTwo52;
    f[0] = 1.0;
    f[255] = std::exp(-0.5 * dn * dn);
    for (int i = 254; i >= 1; --i) {
      dn = std::sqrt(-2.0 * std::log(kV / dn + std::exp(-0.5 * dn * dn)));
      k[i + 1] = static_cast<uint64_t>((dn / tn) * kTwo52);
      tn = dn;
      f[i] = std::exp(-0.5 * dn * dn);
      w[i] = dn / kTwo52;
    }
  }
};

// Built once at start-up (trivially destructible, so no destruction order
// concerns); the hot path reads it without a guard check.
const ZigguratTables kTables;
const ZigguratTables& Tables() { return kTables; }

uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

Random::Random(uint64_t seed) {
  for (uint64_t& word : s_) word = SplitMix64(seed);
}

Random Random::FromState(const RandomState& state) {
  Random r;
  r.s_ = state;
  return r;
}

uint64_t Random::UniformInt(uint64_t n) {
  // Lemire's multiply-shift with rejection of the biased low range.
  unsigned __int128 m = static_cast<unsigned __int128>(NextU64()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = -n % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(NextU64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

double Random::Normal() {
  const ZigguratTables& t = Tables();
  const uint64_t bits = NextU64();
  const int layer = static_cast<int>(bits & 0xff);
  const uint64_t magnitude = bits >> 12;
  if (magnitude < t.k[layer]) {
    const double x = static_cast<double>(magnitude) * t.w[layer];
    return (bits & 0x100) ? -x : x;
  }
  return NormalSlowPath(bits);
}

void Random::FillNormal(double sd, double* out, size_t n) {
  const ZigguratTables& t = Tables();
  // The state lives in registers for the loop; the sign is applied without a
  // branch (it is a coin flip, so a branch would mispredict half the time).
  uint64_t s0 = s_[0], s1 = s_[1], s2 = s_[2], s3 = s_[3];
  for (size_t k = 0; k < n; ++k) {
    const uint64_t bits = Rotl(s0 + s3, 23) + s0;
    const uint64_t shifted = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= shifted;
    s3 = Rotl(s3, 45);
    const int layer = static_cast<int>(bits & 0xff);
    const uint64_t magnitude = bits >> 12;
    if (magnitude < t.k[layer]) [[likely]] {
      const double x = static_cast<double>(magnitude) * t.w[layer];
      const uint64_t signed_bits =
          std::bit_cast<uint64_t>(x) ^ ((bits & 0x100) << 55);
      out[k] = sd * std::bit_cast<double>(signed_bits);
    } else {
      s_ = {s0, s1, s2, s3};
      out[k] = sd * NormalSlowPath(bits);
      s0 = s_[0], s1 = s_[1], s2 = s_[2], s3 = s_[3];
    }
  }
  s_ = {s0, s1, s2, s3};
}

double Random::NormalSlowPath(uint64_t bits) {
  const ZigguratTables& t = Tables();
  for (;;) {
    const int layer = static_cast<int>(bits & 0xff);
    const bool negative = bits & 0x100;
    const uint64_t magnitude = bits >> 12;
    const double x = static_cast<double>(magnitude) * t.w[layer];
    if (magnitude < t.k[layer]) return negative ? -x : x;
    if (layer == 0) {
      // The tail beyond kR (Marsaglia 1964); 1 - U avoids log(0).
      double tail;
      double y;
      do {
        tail = -std::log(1.0 - Uniform()) / kR;
        y = -std::log(1.0 - Uniform());
      } while (y + y < tail * tail);
      return negative ? -(kR + tail) : kR + tail;
    }
    if (t.f[layer] + Uniform() * (t.f[layer - 1] - t.f[layer]) <
        std::exp(-0.5 * x * x)) {
      return negative ? -x : x;
    }
    bits = NextU64();
  }
}

}  // namespace sorn
