#include "tests/conformance/golden_case.h"

#include "core/network.h"
#include "gtest/gtest.h"

namespace sorn {
namespace {

TEST(GoldenCaseTest, FindsAllSevenCases) {
  EXPECT_EQ(FindGoldenCases(SORN_GOLDEN_DIR).size(), 7u);
}

// The lazy column scaling keeps weights far closer than the 1e-9 required.
TEST(GoldenCaseTest, EveryCaseMatchesToOnePartIn1e12InFastArithmetic) {
  for (const std::string& dir : FindGoldenCases(SORN_GOLDEN_DIR)) {
    absl::StatusOr<GoldenCase> golden = LoadGoldenCase(dir);
    ASSERT_TRUE(golden.ok()) << golden.status();
    EXPECT_EQ(ReplayGoldenCase(*golden, Arithmetic::kFast, 1e-12), "")
        << golden->name;
  }
}

TEST(GoldenCaseTest, EveryCaseMatchesBitForBitInExactArithmetic) {
  for (const std::string& dir : FindGoldenCases(SORN_GOLDEN_DIR)) {
    absl::StatusOr<GoldenCase> golden = LoadGoldenCase(dir);
    ASSERT_TRUE(golden.ok()) << golden.status();
    EXPECT_EQ(ReplayGoldenCase(*golden, Arithmetic::kExact, 0.0), "")
        << golden->name;
  }
}

// FAST is not bit for bit (else the EXACT test above would prove nothing
// about the arithmetic): some final weight of some case differs.
TEST(GoldenCaseTest, FastArithmeticIsNotBitForBit) {
  int differing = 0;
  for (const std::string& dir : FindGoldenCases(SORN_GOLDEN_DIR)) {
    absl::StatusOr<GoldenCase> golden = LoadGoldenCase(dir);
    ASSERT_TRUE(golden.ok()) << golden.status();
    differing += !ReplayGoldenCase(*golden, Arithmetic::kFast, 0.0).empty();
  }
  EXPECT_GT(differing, 0);
}

TEST(GoldenCaseTest, ReplayReportsTheFirstDifference) {
  absl::StatusOr<GoldenCase> golden =
      LoadGoldenCase(std::string(SORN_GOLDEN_DIR) + "/fresh_default");
  ASSERT_TRUE(golden.ok());
  GoldenCase changed = *golden;
  changed.inputs.data[0 * changed.timesteps + 3] += 10.0;  // unit 0, step 3.
  const std::string diff = ReplayGoldenCase(changed);
  EXPECT_NE(diff.find("X differs at step 3, neuron 0"), std::string::npos)
      << diff;
  changed = *golden;
  changed.expected_te.data[17] += 1e-6;
  EXPECT_NE(ReplayGoldenCase(changed).find("final Te"), std::string::npos);
}

TEST(GoldenCaseTest, MissingFileIsAnError) {
  EXPECT_FALSE(LoadGoldenCase("/nonexistent").ok());
}

}  // namespace
}  // namespace sorn
