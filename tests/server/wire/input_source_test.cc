// InputSource in process: a RunRequest's explicit values (units x steps),
// no inputs, and the generated kinds (multi one-hot, uniform, Gaussian) with
// their parameters; bad settings are refused.
#include "server/wire/input_source.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace sorn::server {
namespace {

namespace pb = ::sorn::v1;

TEST(InputSourceTest, ExplicitValuesAreUnitsByStepsRowMajor) {
  pb::RunRequest req;
  req.set_timesteps(3);
  auto* m = req.mutable_values();
  m->set_units(2);
  m->set_steps(3);
  for (double v : {1, 2, 3, 10, 20, 30}) m->add_values(v);  // unit 0, unit 1.
  absl::StatusOr<InputSource> source = InputSource::Create(req, 2);
  ASSERT_TRUE(source.ok());
  std::vector<double> u(2);
  for (int t = 0; t < 3; ++t) {
    source->Fill(t, u);
    EXPECT_EQ(u, (std::vector<double>{double(t + 1), double(10 * (t + 1))}));
  }
}

TEST(InputSourceTest, NoInputsAreZeros) {
  pb::RunRequest req;
  req.set_timesteps(1);
  absl::StatusOr<InputSource> source = InputSource::Create(req, 4);
  std::vector<double> u(4, 7.0);
  source->Fill(0, u);
  EXPECT_EQ(u, std::vector<double>(4, 0.0));
}

TEST(InputSourceTest, MultiOneHotActivatesOneWholeSymbol) {
  pb::RunRequest req;
  req.set_timesteps(1000);
  auto* g = req.mutable_generated();
  g->set_kind(pb::GeneratedInputs::MULTI_ONE_HOT);
  g->set_units_per_symbol(3);
  g->set_amplitude(0.5);
  g->set_seed(4);
  absl::StatusOr<InputSource> source = InputSource::Create(req, 12);
  ASSERT_TRUE(source.ok()) << source.status();
  std::vector<int> symbol_count(4, 0);
  std::vector<double> u(12);
  for (int t = 0; t < 1000; ++t) {
    source->Fill(t, u);
    int active = 0, first = -1;
    for (int k = 0; k < 12; ++k) {
      if (u[k] != 0.0) {
        EXPECT_EQ(u[k], 0.5);
        if (first < 0) first = k;
        ++active;
      }
    }
    ASSERT_EQ(active, 3);
    ASSERT_EQ(first % 3, 0);
    EXPECT_EQ(u[first + 1], 0.5);
    ++symbol_count[first / 3];
  }
  for (int c : symbol_count) EXPECT_NEAR(c, 250, 60);
}

TEST(InputSourceTest, UniformAndGaussianFollowTheirParameters) {
  pb::RunRequest req;
  req.set_timesteps(1);
  auto* g = req.mutable_generated();
  g->set_kind(pb::GeneratedInputs::UNIFORM);
  g->set_low(-2);
  g->set_high(-1);
  absl::StatusOr<InputSource> uniform = InputSource::Create(req, 1000);
  std::vector<double> u(1000);
  uniform->Fill(0, u);
  for (double v : u) EXPECT_TRUE(v >= -2 && v < -1);
  g->set_kind(pb::GeneratedInputs::GAUSSIAN);
  g->set_mean(3);
  g->set_sd(0.5);
  absl::StatusOr<InputSource> gauss = InputSource::Create(req, 1000);
  gauss->Fill(0, u);
  double mean = 0;
  for (double v : u) mean += v / 1000;
  EXPECT_NEAR(mean, 3, 0.06);  // sd of the mean: 0.016.
}

TEST(InputSourceTest, BadSettingsAreRejected) {
  pb::RunRequest req;
  req.set_timesteps(1);
  auto* g = req.mutable_generated();
  g->set_kind(pb::GeneratedInputs::MULTI_ONE_HOT);
  g->set_units_per_symbol(4);
  EXPECT_FALSE(InputSource::Create(req, 10).ok());  // 4 does not divide 10.
  g->set_kind(pb::GeneratedInputs::UNIFORM);
  g->set_low(1);
  g->set_high(0);
  EXPECT_FALSE(InputSource::Create(req, 10).ok());
}

}  // namespace
}  // namespace sorn::server
