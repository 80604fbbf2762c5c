// The estimate must bound what a network really holds, from creation through
// a long plastic run, without overstating it so much that a server refuses
// sessions that would fit.
#include "core/memory_estimate.h"

#include <iostream>
#include <vector>

#include "core/network.h"
#include "core/random.h"
#include "gtest/gtest.h"

namespace sorn {
namespace {

struct Case {
  const char* label;
  Params params;
};

std::vector<Case> Cases() {
  Params small;  // defaults: ne = 200, dense Wie.
  Params thousand;
  thousand.ne = 1000;
  Params sparse_ie;
  sparse_ie.ne = 2000;
  sparse_ie.network_type_ie = NetworkType::kSparse;
  Params dense_ee;
  dense_ee.ne = 300;
  dense_ee.network_type_ee = NetworkType::kDense;
  return {{"default", small},
          {"ne1000", thousand},
          {"sparse_ie", sparse_ie},
          {"dense_ee", dense_ee}};
}

TEST(MemoryEstimateTest, BoundsTheNetworkAtCreationAndAfterPlasticity) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.label);
    const int64_t estimate = EstimateNetworkBytes(c.params);
    absl::StatusOr<Network> net = Network::Create(c.params, /*seed=*/7);
    ASSERT_TRUE(net.ok()) << net.status();
    const int64_t created = net->MemoryBytes();
    EXPECT_LE(created, estimate);
    // Not a wild overstatement: the headroom is for growth under SP.
    EXPECT_GE(created, estimate * 2 / 5);

    Random inputs(3);
    std::vector<double> u(net->nu());
    StepRecord record;
    int64_t largest = created;
    for (int t = 0; t < 3000; ++t) {
      for (double& v : u) v = inputs.Uniform() < 0.1 ? 1.0 : 0.0;
      ASSERT_TRUE(net->Step(u, StepOptions{}, &record).ok());
      if (t % 100 == 99) largest = std::max(largest, net->MemoryBytes());
    }
    EXPECT_LE(largest, estimate);
    std::cout << c.label << ": estimate " << estimate << ", created " << created
              << ", largest " << largest << "\n";
  }
}

TEST(MemoryEstimateTest, GrowsWithTheNetwork) {
  Params a, b;
  a.ne = 1000;
  b.ne = 10000;
  // Dense Wie (ne * ni * (16 * 1.25 + 8) bytes) dominates: ~ne squared.
  EXPECT_GT(EstimateNetworkBytes(b), 80 * EstimateNetworkBytes(a));
  EXPECT_GT(EstimateNetworkBytes(b), int64_t{500} << 20);
  EXPECT_LT(EstimateNetworkBytes(b), int64_t{800} << 20);
}

}  // namespace
}  // namespace sorn
