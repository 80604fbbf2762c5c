// PackBits and CountBits against the obvious per-bit versions, for every
// length 0..130 (whole words, tails, single bytes) and random activity.
#include "core/packed_bits.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace sorn {
namespace {

TEST(PackedBitsTest, PackMatchesBitByBitAndRoundTrips) {
  std::mt19937 random(3);
  for (int n = 0; n <= 130; ++n) {
    for (double density : {0.0, 0.1, 0.5, 1.0}) {
      std::bernoulli_distribution spike(density);
      std::vector<uint8_t> bits(n);
      for (uint8_t& b : bits) b = spike(random);
      std::vector<uint8_t> expected(PackedBytes(n), 0);
      int64_t ones = 0;
      for (int i = 0; i < n; ++i) {
        expected[i / 8] |= uint8_t(bits[i] << (i % 8));
        ones += bits[i];
      }
      std::vector<uint8_t> packed(PackedBytes(n), 0xee);  // garbage first.
      PackBits(bits.data(), n, packed.data());
      ASSERT_EQ(packed, expected) << "n=" << n << " density=" << density;
      EXPECT_EQ(CountBits(packed.data(), packed.size()), ones) << n;
      std::vector<uint8_t> back(n);
      UnpackBits(packed.data(), n, back.data());
      EXPECT_EQ(back, bits);
    }
  }
}

TEST(PackedBitsTest, CountBitsOfEveryByteValue) {
  std::vector<uint8_t> all(256);
  for (int b = 0; b < 256; ++b) all[b] = uint8_t(b);
  EXPECT_EQ(CountBits(all.data(), all.size()), 256 * 4);  // 8 bits x 128.
  EXPECT_EQ(CountBits(all.data() + 255, 1), 8);
  EXPECT_EQ(CountBits(all.data(), 0), 0);
}

}  // namespace
}  // namespace sorn
