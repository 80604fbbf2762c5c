#include "core/random.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace sorn {
namespace {

TEST(RandomTest, SameSeedSameSequence) {
  Random a(123), b(123), c(124);
  for (int k = 0; k < 100; ++k) {
    const uint64_t va = a.NextU64();
    EXPECT_EQ(va, b.NextU64());
    EXPECT_NE(va, c.NextU64());
  }
}

TEST(RandomTest, RestoredStateContinuesTheSequence) {
  Random a(5);
  for (int k = 0; k < 37; ++k) a.Normal();
  Random b = Random::FromState(a.state());
  for (int k = 0; k < 1000; ++k) EXPECT_EQ(a.Normal(), b.Normal());
}

TEST(RandomTest, FillNormalIsTheSameSequenceAsNormal) {
  Random a(9), b(9);
  std::vector<double> batch(100000);
  a.FillNormal(0.04, batch.data(), batch.size());
  for (double v : batch) ASSERT_EQ(v, 0.04 * b.Normal());
  EXPECT_EQ(a.state(), b.state());
}

TEST(RandomTest, NormalHasStandardMoments) {
  Random r(2024);
  const int n = 2000000;
  double sum = 0, sum2 = 0, sum4 = 0;
  int beyond2 = 0, beyond3 = 0, beyond_tail = 0;
  for (int k = 0; k < n; ++k) {
    const double z = r.Normal();
    sum += z;
    sum2 += z * z;
    sum4 += z * z * z * z;
    beyond2 += std::abs(z) > 2.0;
    beyond3 += std::abs(z) > 3.0;
    beyond_tail += std::abs(z) > 3.6541528853610088;  // the ziggurat's tail.
  }
  const double mean = sum / n;
  const double var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.003);  // sd of the mean: 0.0007.
  EXPECT_NEAR(var, 1.0, 0.004);
  EXPECT_NEAR(sum4 / n, 3.0, 0.03);  // kurtosis of a normal.
  // P(|Z| > 2) = 0.0455, P(|Z| > 3) = 0.0027, P(|Z| > 3.654) = 2.58e-4.
  EXPECT_NEAR(double(beyond2) / n, 0.0455, 0.0010);
  EXPECT_NEAR(double(beyond3) / n, 0.0027, 0.0003);
  EXPECT_NEAR(double(beyond_tail) / n, 2.58e-4, 0.6e-4);
}

TEST(RandomTest, UniformIntIsInRangeAndUniform) {
  Random r(77);
  std::vector<int> counts(10, 0);
  for (int k = 0; k < 100000; ++k) {
    const uint64_t v = r.UniformInt(10);
    ASSERT_LT(v, 10u);
    ++counts[v];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
  EXPECT_EQ(r.UniformInt(1), 0u);
}

TEST(RandomTest, UniformIsInHalfOpenUnitInterval) {
  Random r(3);
  double lo = 1, hi = 0;
  for (int k = 0; k < 100000; ++k) {
    const double u = r.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  EXPECT_LT(lo, 1e-3);
  EXPECT_GT(hi, 1 - 1e-3);
}

}  // namespace
}  // namespace sorn
