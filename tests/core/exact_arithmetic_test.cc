// Arithmetic::kExact against an independent, dense computation of SPEC.md's
// step with the reference's (NumPy's) operations in its order, on a case
// built so that drives sit within an ulp of zero at every step: the knife
// edge on which FAST's lazy column scaling rounds the other way.
//
// The case: every neuron fires at every step (input 1, Te = 0), so each
// column's drive is the whole column, and r_i(t+1) = H(sum_j Wee[j][i] -
// sum_k Wei[k][i]): two sums of normalized columns, each 1 up to a few ulps.
// STDP never changes a weight (x(t) = x(t+1) = 1 everywhere), iSTDP raises
// every Wei weight by 10 * eta_inhib, and synaptic scaling divides every
// column by its sum at every step, as the reference does, changed or not.
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/network.h"
#include "core/reference_state.h"
#include "gtest/gtest.h"

namespace sorn {
namespace {

constexpr int kNe = 20;
constexpr int kNi = 4;  // floor(0.2 * 20).
constexpr double kEtaInhib = 0.001;
constexpr double kMuIp = 0.1;

// The reference's arithmetic on dense row-major matrices ([pre][post]):
// column sums accumulate over the rows in ascending order (NumPy's
// sum(axis=0)), expressions associate as the reference's Python does.
struct SpecArithmetic {
  DenseMatrix wee{kNe, kNe}, wei{kNi, kNe}, wie{kNe, kNi};
  std::vector<double> te = std::vector<double>(kNe, 0.0);
  std::vector<double> ti = std::vector<double>(kNi, 0.5);
  std::vector<double> x = std::vector<double>(kNe, 1.0);
  std::vector<double> y = std::vector<double>(kNi, 1.0);
  std::vector<double> r;

  static std::vector<double> Drive(const DenseMatrix& w,
                                   const std::vector<double>& activity) {
    std::vector<double> sum(w.cols, 0.0);
    for (int j = 0; j < w.rows; ++j) {
      for (int i = 0; i < w.cols; ++i) sum[i] += w.at(j, i) * activity[j];
    }
    return sum;
  }
  static void Normalize(DenseMatrix& w) {
    const std::vector<double> sum = Drive(w, std::vector<double>(w.rows, 1.0));
    for (int j = 0; j < w.rows; ++j) {
      for (int i = 0; i < w.cols; ++i) w.at(j, i) = w.at(j, i) / sum[i];
    }
  }
  static void Clip(double& w) {
    if (w < 0.0) w = 0.0;
    if (w > 1.0) w = 1.0;
  }

  // One plasticity-phase step with input 1 to every neuron, noise off, IP
  // and SP frozen.
  void Step() {
    const std::vector<double> e = Drive(wee, x), i_drive = Drive(wei, y);
    const std::vector<double> ie = Drive(wie, x);
    std::vector<double> x_new(kNe), y_new(kNi);
    r.assign(kNe, 0.0);
    for (int i = 0; i < kNe; ++i) {
      const double recurrent = e[i] - i_drive[i] + 0.0;
      r[i] = (recurrent - te[i]) > 0.0;
      x_new[i] = ((recurrent + 1.0) - te[i]) > 0.0;
    }
    for (int k = 0; k < kNi; ++k) y_new[k] = (ie[k] + 0.0 - ti[k]) > 0.0;
    for (int j = 0; j < kNe; ++j) {
      for (int i = 0; i < kNe; ++i) {
        double& w = wee.at(j, i);
        if (w == 0.0) continue;
        w = w + 0.004 * (x_new[i] * x[j] - x[i] * x_new[j]);
        Clip(w);
      }
    }
    for (int k = 0; k < kNi; ++k) {
      for (int i = 0; i < kNe; ++i) {
        double& w = wei.at(k, i);
        if (w == 0.0) continue;
        w = w + -kEtaInhib * y[k] * (1 - x_new[i] * (1 + 1 / kMuIp));
        Clip(w);
      }
    }
    Normalize(wee);
    Normalize(wei);
    x = x_new;
    y = y_new;
  }
};

SpecArithmetic KnifeEdgeCase() {
  SpecArithmetic spec;
  std::mt19937_64 random(20261201);
  std::uniform_real_distribution<double> weight(0.05, 1.0);
  for (int j = 0; j < kNe; ++j) {
    for (int i = 0; i < kNe; ++i)
      spec.wee.at(j, i) = j == i ? 0.0 : weight(random);
    for (int k = 0; k < kNi; ++k) spec.wie.at(j, k) = weight(random);
  }
  for (double& w : spec.wei.data) w = weight(random);
  SpecArithmetic::Normalize(spec.wee);
  SpecArithmetic::Normalize(spec.wei);
  SpecArithmetic::Normalize(spec.wie);
  return spec;
}

Network EngineFor(const SpecArithmetic& spec, Arithmetic arithmetic) {
  ReferenceState ref;
  ref.wee = spec.wee;
  ref.wei = spec.wei;
  ref.wie = spec.wie;
  ref.te = spec.te;
  ref.ti = spec.ti;
  ref.x = DenseMatrix(kNe, 2);
  ref.y = DenseMatrix(kNi, 2);
  for (int i = 0; i < kNe; ++i) ref.x.at(i, 0) = ref.x.at(i, 1) = 1.0;
  for (int k = 0; k < kNi; ++k) ref.y.at(k, 0) = ref.y.at(k, 1) = 1.0;
  Params params;
  params.ne = kNe;
  params.nu = kNe;
  params.network_type_ee = params.network_type_ei = NetworkType::kDense;
  params.eta_inhib = kEtaInhib;
  params.mu_ip = kMuIp;
  params.h_ip = 0.1;  // IP is frozen; 2 * nu / ne would be out of range.
  params.arithmetic = arithmetic;
  absl::StatusOr<FreezeSet> frozen = FreezeSet::FromNames({"ip", "sp"});
  absl::StatusOr<NetworkState> state =
      FromReferenceState(ref, params, *frozen, /*seed=*/1);
  EXPECT_TRUE(state.ok()) << state.status();
  absl::StatusOr<Network> net = Network::FromState(*state);
  EXPECT_TRUE(net.ok()) << net.status();
  return *std::move(net);
}

bool BitEqual(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// Steps the engine and the spec side by side; returns the first step whose
// r differs (-1: none), and whether the final weights are bit-identical.
std::pair<int, bool> Replay(SpecArithmetic spec, Network net, int steps) {
  const std::vector<double> input(kNe, 1.0);
  StepRecord record;
  int first_difference = -1;
  for (int t = 0; t < steps; ++t) {
    spec.Step();
    EXPECT_TRUE(net.Step(input, StepOptions{.noise = false}, &record).ok());
    for (int i = 0; i < kNe; ++i) {
      EXPECT_EQ(record.x[i], 1);  // the case's premise.
      if (record.r[i] != spec.r[i] && first_difference < 0)
        first_difference = t;
    }
  }
  return {first_difference,
          BitEqual(net.wee().Weights().ToDense().data, spec.wee.data) &&
              BitEqual(net.wei().Weights().ToDense().data, spec.wei.data)};
}

TEST(ExactArithmeticTest, TheCaseIsAKnifeEdge) {
  // Some neuron's recurrent drive at the first step is not 0 but within four
  // ulps of 1 of it: its r is decided by rounding alone.
  SpecArithmetic spec = KnifeEdgeCase();
  const std::vector<double> e = SpecArithmetic::Drive(spec.wee, spec.x);
  const std::vector<double> i = SpecArithmetic::Drive(spec.wei, spec.y);
  int edges = 0;
  for (int n = 0; n < kNe; ++n) {
    const double drive = e[n] - i[n];
    edges += drive != 0.0 && std::abs(drive) <= 4 * 0x1p-52;
  }
  EXPECT_GT(edges, 0);
}

TEST(ExactArithmeticTest, ExactEqualsTheSpecBitForBitOnTheKnifeEdge) {
  const SpecArithmetic spec = KnifeEdgeCase();
  const auto [first_difference, weights_equal] =
      Replay(spec, EngineFor(spec, Arithmetic::kExact), 200);
  EXPECT_EQ(first_difference, -1);
  EXPECT_TRUE(weights_equal);
}

TEST(ExactArithmeticTest, FastRoundsTheOtherWayOnTheKnifeEdge) {
  // What EXACT is for: the lazy scaling's weights are within 1e-12, yet some
  // r flips, and the weights are not the reference's bits.
  const SpecArithmetic spec = KnifeEdgeCase();
  const auto [first_difference, weights_equal] =
      Replay(spec, EngineFor(spec, Arithmetic::kFast), 200);
  EXPECT_GE(first_difference, 0);
  EXPECT_FALSE(weights_equal);
}

TEST(ExactArithmeticTest, ExportAndImportContinueBitForBit) {
  const SpecArithmetic spec = KnifeEdgeCase();
  Network net = EngineFor(spec, Arithmetic::kExact);
  const std::vector<double> input(kNe, 1.0);
  StepRecord record;
  for (int t = 0; t < 5; ++t) ASSERT_TRUE(net.Step(input, {}, &record).ok());
  absl::StatusOr<Network> copy = Network::FromState(net.ExportState());
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ(copy->params().arithmetic, Arithmetic::kExact);
  for (int t = 0; t < 20; ++t) {
    StepRecord a, b;
    ASSERT_TRUE(net.Step(input, {.noise = false}, &a).ok());
    ASSERT_TRUE(copy->Step(input, {.noise = false}, &b).ok());
    ASSERT_EQ(a.r, b.r);
  }
  EXPECT_TRUE(BitEqual(net.wee().Weights().ToDense().data,
                       copy->wee().Weights().ToDense().data));
}

}  // namespace
}  // namespace sorn
