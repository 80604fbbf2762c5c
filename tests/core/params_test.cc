#include "core/params.h"

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace sorn {
namespace {

TEST(ParamsTest, DefaultsAreTheReferenceOnes) {
  Params p;
  EXPECT_TRUE(p.Validate().ok());
  EXPECT_EQ(p.ne, 200);
  EXPECT_EQ(p.ni(), 40);
  EXPECT_EQ(p.nu, 10);
  EXPECT_DOUBLE_EQ(p.EffectiveHip(), 0.1);  // 2 * nu / ne, not mu_ip.
  EXPECT_EQ(p.lambda_ee, 20);
  EXPECT_EQ(p.lambda_ei, 40);
  EXPECT_EQ(p.network_type_ie, NetworkType::kDense);
  EXPECT_DOUBLE_EQ(p.noise_sd, 0.04);
}

TEST(ParamsTest, NiIsFloorOfTwentyPercent) {
  Params p;
  for (auto [ne, ni] : {std::pair{5, 1},
                        {9, 1},
                        {10, 2},
                        {60, 12},
                        {120, 24},
                        {1000, 200},
                        {10001, 2000}}) {
    p.ne = ne;
    EXPECT_EQ(p.ni(), ni) << "ne = " << ne;
  }
}

TEST(ParamsTest, HipOverrideWins) {
  Params p;
  p.h_ip = 0.25;
  EXPECT_DOUBLE_EQ(p.EffectiveHip(), 0.25);
}

struct BadCase {
  const char* name;
  std::function<void(Params&)> mutate;
  const char* message_part;  // the error must name what is wrong.
};

TEST(ParamsTest, EveryBadParameterIsRejectedWithItsName) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const BadCase cases[] = {
      {"ne below 5", [](Params& p) { p.ne = 4; }, "ne must be at least 5"},
      {"negative ne", [](Params& p) { p.ne = -3; }, "ne must be at least 5"},
      {"nu above ne", [](Params& p) { p.nu = 201; }, "nu must be in [0, ne"},
      {"negative nu", [](Params& p) { p.nu = -1; }, "nu must be in"},
      {"lambda_ee above partners", [](Params& p) { p.lambda_ee = 200; },
       "lambda_ee"},
      {"lambda_ee negative", [](Params& p) { p.lambda_ee = -1; }, "lambda_ee"},
      {"lambda_ei above ne", [](Params& p) { p.lambda_ei = 201; }, "lambda_ei"},
      {"sparse lambda_ie above ne",
       [](Params& p) {
         p.network_type_ie = NetworkType::kSparse;
         p.lambda_ie = 201;
       },
       "lambda_ie"},
      {"eta_stdp above 1", [](Params& p) { p.eta_stdp = 1.5; }, "eta_stdp"},
      {"eta_stdp negative", [](Params& p) { p.eta_stdp = -0.1; }, "eta_stdp"},
      {"eta_stdp NaN", [nan](Params& p) { p.eta_stdp = nan; }, "eta_stdp"},
      {"eta_inhib above 1", [](Params& p) { p.eta_inhib = 2; }, "eta_inhib"},
      {"eta_ip negative", [](Params& p) { p.eta_ip = -0.01; }, "eta_ip"},
      {"te_min above te_max",
       [](Params& p) {
         p.te_min = 0.8;
         p.te_max = 0.5;
       },
       "te_min (0.8) must not exceed te_max (0.5)"},
      {"ti_min above ti_max", [](Params& p) { p.ti_min = 0.6; }, "ti_min"},
      {"te_max infinite", [inf](Params& p) { p.te_max = inf; }, "te_max"},
      {"mu_ip zero", [](Params& p) { p.mu_ip = 0.0; }, "mu_ip"},
      {"mu_ip above 1", [](Params& p) { p.mu_ip = 1.1; }, "mu_ip"},
      // Found by the fuzzer: 1 / mu_ip overflows and iSTDP makes NaN.
      {"mu_ip subnormal", [](Params& p) { p.mu_ip = 3.26e-312; }, "mu_ip"},
      {"sigma_ip negative", [](Params& p) { p.sigma_ip = -1; }, "sigma_ip"},
      {"h_ip above 1", [](Params& p) { p.h_ip = 1.2; }, "h_ip"},
      {"h_ip NaN", [nan](Params& p) { p.h_ip = nan; }, "h_ip"},
      {"default h_ip above 1",
       [](Params& p) {
         p.ne = 10;
         p.nu = 8;
         p.lambda_ee = 5;
         p.lambda_ei = 5;
       },
       "2 * nu / ne"},
      {"noise_sd negative", [](Params& p) { p.noise_sd = -0.04; }, "noise_sd"},
      {"sp_probability above 1", [](Params& p) { p.sp_probability = 1.01; },
       "sp_probability"},
  };
  for (const BadCase& c : cases) {
    Params p;
    c.mutate(p);
    absl::Status s = p.Validate();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(std::string(s.message()).find(c.message_part), std::string::npos)
        << c.name << ": " << s.message();
  }
}

TEST(ParamsTest, DenseTypesIgnoreLambda) {
  Params p;
  p.ne = 50;  // default lambda_ie = 100 > 50, but Wie is dense.
  EXPECT_TRUE(p.Validate().ok());
  p.network_type_ee = NetworkType::kDense;
  p.lambda_ee = 1000;
  EXPECT_TRUE(p.Validate().ok());
}

TEST(ParamsTest, NetworkTypeNames) {
  EXPECT_EQ(*ParseNetworkType("Sparse"), NetworkType::kSparse);
  EXPECT_EQ(*ParseNetworkType("Dense"), NetworkType::kDense);
  EXPECT_EQ(ParseNetworkType("dense").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParamsTest, ArithmeticNames) {
  EXPECT_EQ(*ParseArithmetic("FAST"), Arithmetic::kFast);
  EXPECT_EQ(*ParseArithmetic("EXACT"), Arithmetic::kExact);
  EXPECT_EQ(ParseArithmetic("exact").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_STREQ(ArithmeticName(Arithmetic::kExact), "EXACT");
  EXPECT_EQ(Params().arithmetic, Arithmetic::kFast);  // the server default.
}

}  // namespace
}  // namespace sorn
