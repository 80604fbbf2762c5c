// The lab's model variants (docs/SPEC.md, "Variants") and the presets that
// combine them: each on a network built by hand, with the expected spikes,
// thresholds and weights computed in the test from the rule's definition.
#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "core/initializer.h"
#include "core/network.h"
#include "core/presets.h"
#include "core/reference_state.h"
#include "gtest/gtest.h"

namespace sorn {
namespace {

constexpr int kNe = 10;
constexpr int kNi = 2;  // floor(0.2 * 10).

// A silent network with no synapses, Te = 0.5, Ti = 0.5: tests add the
// synapses and activity they need.
ReferenceState Silent() {
  ReferenceState ref;
  ref.wee = DenseMatrix(kNe, kNe);
  ref.wei = DenseMatrix(kNi, kNe);
  ref.wie = DenseMatrix(kNe, kNi);
  ref.te.assign(kNe, 0.5);
  ref.ti.assign(kNi, 0.5);
  ref.x = DenseMatrix(kNe, 2);
  ref.y = DenseMatrix(kNi, 2);
  return ref;
}

// Params for Silent(): every input unit may be used, h_ip explicit.
Params Small() {
  Params p;
  p.ne = kNe;
  p.nu = kNe;
  p.h_ip = 0.1;
  p.lambda_ee = 2;  // unused (the matrices are given), but validated.
  p.lambda_ei = 2;
  return p;
}

// Every mechanism frozen but `running`.
FreezeSet AllBut(std::vector<std::string> running) {
  std::vector<std::string> frozen;
  for (const char* m : {"stdp", "ip", "sp", "istdp", "ss"}) {
    bool keep = false;
    for (const std::string& r : running) keep |= r == m;
    if (!keep) frozen.push_back(m);
  }
  return *FreezeSet::FromNames(frozen);
}

Network Build(const ReferenceState& ref, const Params& params,
              FreezeSet frozen) {
  absl::StatusOr<NetworkState> state =
      FromReferenceState(ref, params, frozen, /*seed=*/7);
  EXPECT_TRUE(state.ok()) << state.status();
  absl::StatusOr<Network> net = Network::FromState(*state);
  EXPECT_TRUE(net.ok()) << net.status();
  return *std::move(net);
}

// One step without noise; returns the excitatory spikes.
std::vector<uint8_t> Step(Network& net, std::vector<double> input,
                          Phase phase = Phase::kPlasticity,
                          StepRecord* out = nullptr) {
  StepRecord record;
  StepOptions options;
  options.phase = phase;
  options.noise = false;
  EXPECT_TRUE(net.Step(input, options, &record).ok());
  if (out != nullptr) *out = record;
  return record.x;
}

std::vector<uint8_t> Spikes(std::set<int> active) {
  std::vector<uint8_t> x(kNe, 0);
  for (int i : active) x[i] = 1;
  return x;
}

TEST(InputPoolsTest, EachUnitDrivesItsPoolWithTheGain) {
  Params p = Small();
  p.nu = 2;
  p.input_pools = {{1, 3}, {3, 7}};
  p.input_gain = 0.6;  // one unit: 0.6 > Te = 0.5; two: 1.2.
  Network net = Build(Silent(), p, AllBut({}));
  EXPECT_EQ(Step(net, {1.0, 0.0}, Phase::kTraining), Spikes({1, 3}));
  EXPECT_EQ(Step(net, {0.0, 1.0}, Phase::kTraining), Spikes({3, 7}));
  EXPECT_EQ(Step(net, {1.0, 1.0}, Phase::kTraining), Spikes({1, 3, 7}));
  // 0.5 * 0.6 = 0.3 < 0.5, but neuron 3 sums both units: 0.6 > 0.5.
  StepRecord record;
  EXPECT_EQ(Step(net, {0.5, 0.5}, Phase::kTraining, &record), Spikes({3}));
  EXPECT_EQ(record.r, Spikes({}));  // r is the drive before the input.
}

TEST(InputPoolsTest, GainScalesTheIdentityMappingToo) {
  Params p = Small();
  p.input_gain = 0.4;  // 1 * 0.4 < 0.5; 2 * 0.4 > 0.5.
  Network net = Build(Silent(), p, AllBut({}));
  std::vector<double> input(kNe, 0.0);
  input[2] = 1.0;
  input[4] = 2.0;
  EXPECT_EQ(Step(net, input, Phase::kTraining), Spikes({4}));
}

TEST(InputPoolsTest, RandomPoolsAreDrawnOnceAndLeaveTheNetworkAsItIs) {
  Params pools;
  pools.nu = 6;
  pools.h_ip = 0.1;
  pools.input_pool_size = 10;
  pools.input_pools_disjoint = true;
  Params plain = pools;
  plain.input_pool_size = 0;
  absl::StatusOr<Network> a = Network::Create(pools, 3);
  absl::StatusOr<Network> b = Network::Create(pools, 3);
  absl::StatusOr<Network> c = Network::Create(plain, 3);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  const auto& drawn = a->params().input_pools;
  ASSERT_EQ(drawn.size(), 6u);
  std::set<int32_t> seen;
  for (const std::vector<int32_t>& pool : drawn) {
    ASSERT_EQ(pool.size(), 10u);
    EXPECT_TRUE(std::is_sorted(pool.begin(), pool.end()));
    for (int32_t n : pool) {
      EXPECT_TRUE(n >= 0 && n < 200);
      EXPECT_TRUE(seen.insert(n).second) << "neuron " << n << " twice";
    }
  }
  EXPECT_EQ(b->params().input_pools, drawn);  // same seed, same pools.
  // The pools' own generator: weights, thresholds and the network's stream
  // are those of the same seed without pools.
  const NetworkState sa = a->ExportState(), sc = c->ExportState();
  EXPECT_EQ(sa.te, sc.te);
  EXPECT_EQ(sa.wee.stored.value, sc.wee.stored.value);
  EXPECT_EQ(sa.random, sc.random);
  // Exported and restored, the pools stay as drawn.
  absl::StatusOr<Network> restored = Network::FromState(sa);
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->params().input_pools, drawn);
}

TEST(InputPoolsTest,
     AReferenceImportDrawsItsPoolsAndAStateWithoutThemIsRefused) {
  Params p = Small();
  p.nu = 2;
  p.input_pool_size = 3;
  p.input_pools_disjoint = true;
  absl::StatusOr<NetworkState> state =
      FromReferenceState(Silent(), p, AllBut({}), /*seed=*/7);
  ASSERT_TRUE(state.ok()) << state.status();
  ASSERT_EQ(state->params.input_pools.size(), 2u);
  EXPECT_EQ(state->params.input_pools[0].size(), 3u);
  Params same = p;
  DrawRandomInputPools(7, &same);  // the same seed draws the same pools.
  EXPECT_EQ(same.input_pools, state->params.input_pools);
  NetworkState bare = *state;
  bare.params.input_pools.clear();
  const absl::Status refused = Network::FromState(bare).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("carry none"), std::string::npos) << refused;
}

TEST(InputPoolsTest, OverlappingRandomPoolsHaveDistinctNeuronsEach) {
  Params p;
  p.ne = 20;
  p.nu = 5;
  p.h_ip = 0.1;
  p.lambda_ee = 5;
  p.lambda_ei = 10;
  p.lambda_ie = 10;
  p.input_pool_size = 15;  // 5 * 15 > 20: must overlap.
  absl::StatusOr<Network> net = Network::Create(p, 11);
  ASSERT_TRUE(net.ok()) << net.status();
  for (const std::vector<int32_t>& pool : net->params().input_pools) {
    EXPECT_EQ(std::set<int32_t>(pool.begin(), pool.end()).size(), 15u);
  }
}

TEST(InputPoolsTest, BadPoolsAreRefusedWithTheirReason) {
  struct Case {
    const char* name;
    void (*edit)(Params&);
    const char* message;
  };
  const Case cases[] = {
      {"one pool for two units", [](Params& p) { p.input_pools = {{1}}; },
       "expected one per input"},
      {"neuron out of range",
       [](Params& p) {
         p.input_pools = {{1}, {10}};
       },
       "outside [0, ne"},
      {"negative neuron",
       [](Params& p) {
         p.input_pools = {{-1}, {2}};
       },
       "outside [0, ne"},
      {"duplicate in a pool",
       [](Params& p) {
         p.input_pools = {{1, 1}, {2}};
       },
       "twice"},
      {"shared but disjoint",
       [](Params& p) {
         p.input_pools = {{1, 2}, {2, 3}};
         p.input_pools_disjoint = true;
       },
       "share neuron 2"},
      {"pool larger than ne", [](Params& p) { p.input_pool_size = 11; },
       "input_pool_size"},
      {"disjoint pools that cannot fit",
       [](Params& p) {
         p.input_pool_size = 6;
         p.input_pools_disjoint = true;
       },
       "nu * input_pool_size <= ne"},
      {"gain not finite", [](Params& p) { p.input_gain = NAN; }, "input_gain"},
      {"prune floor of 1", [](Params& p) { p.wee_prune_below = 1.0; },
       "wee_prune_below"},
      {"negative iSTDP floor", [](Params& p) { p.wei_floor = -0.1; },
       "wei_floor"},
  };
  for (const Case& c : cases) {
    Params p = Small();
    p.nu = 2;
    c.edit(p);
    const absl::Status s = p.Validate();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(s.message().find(c.message), std::string::npos)
        << c.name << ": " << s.message();
  }
  // Random pools that would be too big are refused before they are drawn.
  Params huge;
  huge.ne = 100000;
  huge.nu = 1000;
  huge.h_ip = 0.1;
  huge.input_pool_size = 1000;  // 10^6 entries.
  EXPECT_NE(huge.Validate().message().find("at most 262144"), std::string::npos)
      << huge.Validate();
}

TEST(ClampThresholdsTest, UnclampedIpLeavesTheRange) {
  for (bool clamp : {true, false}) {
    ReferenceState ref = Silent();
    ref.te[0] = 0.95;   // fires (input 1): +eta (1 - h) -> 1.04.
    ref.te[1] = 0.005;  // silent: -eta h -> -0.005.
    Params p = Small();
    p.eta_ip = 0.1;
    p.clamp_thresholds = clamp;
    Network net = Build(ref, p, AllBut({"ip"}));
    std::vector<double> input(kNe, 0.0);
    input[0] = 1.0;
    Step(net, input);
    if (clamp) {
      EXPECT_EQ(net.te()[0], 1.0);
      EXPECT_EQ(net.te()[1], 0.0);
    } else {
      EXPECT_EQ(net.te()[0], 0.95 + 0.1 * (1.0 - 0.1));
      EXPECT_EQ(net.te()[1], 0.005 + 0.1 * (0.0 - 0.1));
    }
  }
}

// Synapse 0 -> 1 of 5e-10 is depressed by eta_stdp = 4e-10 (neuron 1 active
// at t, neuron 0 at t + 1) to ~1e-10; synapse 2 -> 1 of 1e-11 is not touched.
Network PruneCase(double floor, Arithmetic arithmetic) {
  ReferenceState ref = Silent();
  ref.wee.at(0, 1) = 5e-10;
  ref.wee.at(2, 1) = 1e-11;
  ref.x.at(1, 1) = 1.0;
  Params p = Small();
  p.eta_stdp = 4e-10;
  p.wee_prune_below = floor;
  p.arithmetic = arithmetic;
  Network net = Build(ref, p, AllBut({"stdp"}));
  std::vector<double> input(kNe, 0.0);
  input[0] = 1.0;
  EXPECT_EQ(Step(net, input), Spikes({0}));
  return net;
}

TEST(WeePruneBelowTest, StdpDeletesWeightsBelowTheFloor) {
  for (Arithmetic a : {Arithmetic::kFast, Arithmetic::kExact}) {
    Network kept = PruneCase(0.0, a);
    EXPECT_EQ(kept.wee().WeightAt(0, 1), 5e-10 + -4e-10);
    Network pruned = PruneCase(2e-10, a);
    EXPECT_FALSE(pruned.wee().Contains(0, 1));
    EXPECT_EQ(pruned.wee().nnz(), a == Arithmetic::kExact ? 0 : 1);
  }
}

TEST(WeePruneBelowTest, FastDeletesUntouchedWeightsAtTheNextRefold) {
  Network net = PruneCase(2e-10, Arithmetic::kFast);
  ASSERT_TRUE(net.wee().Contains(2, 1));  // 1e-11, never updated.
  const std::vector<double> silent(kNe, 0.0);
  while (net.step_count() % SynapseMatrix::kFoldInterval != 0) {
    Step(net, silent);
  }
  EXPECT_FALSE(net.wee().Contains(2, 1));
  EXPECT_EQ(net.wee().nnz(), 0);
}

TEST(WeiFloorTest, IstdpFloorsInsteadOfPruning) {
  for (double floor : {0.0, 0.001}) {
    ReferenceState ref = Silent();
    ref.wei.at(0, 4) = 0.0005;  // y_0(t) = 1, x_4(t+1) = 0: -eta_inhib.
    ref.wei.at(0, 5) = 0.5;
    ref.y.at(0, 1) = 1.0;
    Params p = Small();
    p.eta_inhib = 0.001;
    p.wei_floor = floor;
    Network net = Build(ref, p, AllBut({"istdp"}));
    Step(net, std::vector<double>(kNe, 0.0));
    if (floor == 0.0) {
      EXPECT_FALSE(net.wei().Contains(0, 4));
    } else {
      EXPECT_EQ(net.wei().WeightAt(0, 4), 0.001);
    }
    EXPECT_EQ(net.wei().WeightAt(0, 5), 0.5 + -0.001);
  }
}

TEST(FastInhibitTest, InhibitionSeesTheNewExcitatoryState) {
  for (bool fast : {false, true}) {
    ReferenceState ref = Silent();
    ref.wie.at(0, 0) = 1.0;  // excitatory 0 -> inhibitory 0; Ti = 0.5.
    Params p = Small();
    p.fast_inhibit = fast;
    Network net = Build(ref, p, AllBut({}));
    std::vector<double> input(kNe, 0.0);
    input[0] = 1.0;  // x_0(t + 1) = 1; x(t) = 0.
    StepRecord record;
    Step(net, input, Phase::kTraining, &record);
    EXPECT_EQ(record.y[0], fast ? 1 : 0) << "fast_inhibit " << fast;
  }
}

TEST(WeiFixedTest, NeitherIstdpNorScalingChangesWei) {
  for (bool fixed : {false, true}) {
    ReferenceState ref = Silent();
    ref.wei.at(0, 3) = 0.25;  // y_0 active: iSTDP moves it, SS rescales it.
    ref.wei.at(1, 3) = 0.25;
    ref.y.at(0, 1) = 1.0;
    Params p = Small();
    p.eta_inhib = 0.01;
    p.wei_fixed = fixed;
    Network net = Build(ref, p, AllBut({"istdp", "ss"}));
    Step(net, std::vector<double>(kNe, 0.0));
    if (fixed) {
      EXPECT_EQ(net.wei().WeightAt(0, 3), 0.25);
      EXPECT_EQ(net.wei().WeightAt(1, 3), 0.25);
    } else {
      // iSTDP: 0.25 - 0.01; then the column is scaled to sum 1.
      const double moved = 0.25 + -0.01;
      EXPECT_NEAR(net.wei().WeightAt(0, 3), moved / (moved + 0.25), 1e-15);
    }
  }
}

TEST(NoInputTest, NuZeroStepsWithoutInput) {
  Params p;
  p.nu = 0;
  EXPECT_EQ(p.EffectiveHip(), 0.0);
  p.h_ip = 0.1;
  absl::StatusOr<Network> net = Network::Create(p, 5);
  ASSERT_TRUE(net.ok()) << net.status();
  StepRecord record;
  EXPECT_TRUE(net->Step({}, StepOptions{}, &record).ok());
  EXPECT_EQ(net->step_count(), 1);
  const std::vector<double> one = {1.0};
  const absl::Status s = net->Step(one, StepOptions{}, &record);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("nu = 0"), std::string::npos) << s;
  EXPECT_EQ(net->step_count(), 1);
}

TEST(SpScaleWithSizeTest, ProbabilityPerPairAsAtTwoHundred) {
  Params p;
  p.sp_scale_with_size = true;
  EXPECT_EQ(p.EffectiveSpProbability(), 0.1);  // 200 * 199 / 39800 = 1.
  p.ne = 400;                                  // 0.1 * 159600 / 39800.
  EXPECT_EQ(p.EffectiveSpProbability(), 0.1 * (400.0 * 399.0 / 39800.0));
  EXPECT_NEAR(p.EffectiveSpProbability(), 0.40100502512562815, 1e-16);
  p.ne = 1000;  // 2.51: capped.
  EXPECT_EQ(p.EffectiveSpProbability(), 1.0);
  p.sp_scale_with_size = false;
  EXPECT_EQ(p.EffectiveSpProbability(), 0.1);
}

TEST(SpScaleWithSizeTest, ACappedProbabilityAddsASynapseEveryStep) {
  Params p;
  p.ne = 400;
  p.nu = 0;
  p.h_ip = 0.1;
  p.sp_probability = 0.3;  // scaled: 1.2 -> 1.
  p.sp_scale_with_size = true;
  absl::StatusOr<Network> net = Network::Create(p, 9);
  ASSERT_TRUE(net.ok());
  net->set_frozen(AllBut({"sp"}));
  const int64_t before = net->wee().nnz();
  StepRecord record;
  for (int t = 0; t < 25; ++t) {
    ASSERT_TRUE(net->Step({}, StepOptions{}, &record).ok());
  }
  EXPECT_EQ(net->wee().nnz(), before + 25);
}

TEST(PresetsTest, EachPresetSetsItsPapersModel) {
  absl::StatusOr<Params> lazar = PresetParams("Lazar2009");
  ASSERT_TRUE(lazar.ok());
  EXPECT_EQ(lazar->nu, 6);
  EXPECT_EQ(lazar->input_pool_size, 10);
  EXPECT_TRUE(lazar->input_pools_disjoint);
  EXPECT_EQ(lazar->lambda_ee, 10);
  EXPECT_EQ(lazar->network_type_ei, NetworkType::kDense);
  EXPECT_TRUE(lazar->wei_fixed);
  EXPECT_EQ(lazar->sp_probability, 0.0);
  EXPECT_EQ(lazar->noise_sd, 0.0);
  EXPECT_EQ(lazar->EffectiveHip(), 0.1);
  absl::StatusOr<Params> zheng = PresetParams("zheng2013");
  ASSERT_TRUE(zheng.ok());
  EXPECT_EQ(zheng->nu, 0);
  EXPECT_NEAR(zheng->noise_sd * zheng->noise_sd, 0.05, 1e-16);
  EXPECT_EQ(zheng->wee_prune_below, 1e-10);
  EXPECT_EQ(zheng->wei_floor, 0.001);
  EXPECT_FALSE(zheng->clamp_thresholds);
  EXPECT_FALSE(zheng->fast_inhibit);
  absl::StatusOr<Params> delpapa = PresetParams("DELPAPA2017");
  ASSERT_TRUE(delpapa.ok());
  EXPECT_TRUE(delpapa->fast_inhibit);
  EXPECT_TRUE(delpapa->sp_scale_with_size);
  for (const std::string& name : PresetNames()) {
    absl::StatusOr<Params> p = PresetParams(name);
    ASSERT_TRUE(p.ok()) << name;
    EXPECT_TRUE(p->Validate().ok()) << name << ": " << p->Validate();
    EXPECT_TRUE(Network::Create(*p, 1).ok()) << name;
  }
  const absl::Status unknown = PresetParams("lazar2010").status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("lazar2009, zheng2013, delpapa2017"),
            std::string::npos)
      << unknown;
}

}  // namespace
}  // namespace sorn
