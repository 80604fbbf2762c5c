#include "core/network.h"

#include <cmath>
#include <iostream>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace sorn {
namespace {

std::vector<double> ColumnSums(const SparseWeights& w) {
  std::vector<double> sums(w.cols, 0.0);
  for (size_t k = 0; k < w.value.size(); ++k) sums[w.post[k]] += w.value[k];
  return sums;
}

// Runs `steps` steps with inputs U(0, 1) from `input_seed`.
void RunSteps(Network& net, int steps, uint64_t input_seed,
              const StepOptions& opt,
              std::vector<StepRecord>* records = nullptr) {
  Random inputs(input_seed);
  std::vector<double> u(net.nu());
  StepRecord rec;
  for (int t = 0; t < steps; ++t) {
    for (double& v : u) v = inputs.Uniform();
    ASSERT_TRUE(net.Step(u, opt, &rec).ok());
    if (records) records->push_back(rec);
  }
}

void ExpectSameState(const NetworkState& a, const NetworkState& b) {
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.random, b.random);
  EXPECT_EQ(a.te, b.te);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.x_prev, b.x_prev);
  EXPECT_EQ(a.y, b.y);
  for (auto [m, n] : {std::pair{&a.wee, &b.wee}, {&a.wei, &b.wei}}) {
    EXPECT_EQ(m->stored.post, n->stored.post);
    EXPECT_EQ(m->stored.value, n->stored.value);  // bit for bit.
    EXPECT_EQ(m->column_scale, n->column_scale);
    EXPECT_EQ(m->column_inverse_scale, n->column_inverse_scale);
    EXPECT_EQ(m->column_sum, n->column_sum);
  }
}

TEST(InitializationTest, DefaultNetworkMatchesTheSpecStatistics) {
  for (uint64_t seed : {1, 2, 3, 4, 5}) {
    absl::StatusOr<Network> net = Network::Create(Params(), seed);
    ASSERT_TRUE(net.ok());
    EXPECT_GE(net->wee().nnz(), 3800);
    EXPECT_LE(net->wee().nnz(), 4100);
    EXPECT_GE(net->wei().nnz(), 1500);
    EXPECT_LE(net->wei().nnz(), 1700);
    EXPECT_EQ(net->wie().nnz(), 8000);
    for (const SynapseMatrix* m : {&net->wee(), &net->wei(), &net->wie()}) {
      const SparseWeights w = m->Weights();
      for (double s : ColumnSums(w)) EXPECT_NEAR(s, 1.0, 1e-12);
      for (double v : w.value) {
        EXPECT_GT(v, 0.0);
        EXPECT_LE(v, 1.0);
      }
    }
    for (int i = 0; i < net->ne(); ++i) EXPECT_FALSE(net->wee().Contains(i, i));
    for (double t : net->te()) EXPECT_TRUE(t >= 0.0 && t <= 1.0);
    for (double t : net->ti()) EXPECT_TRUE(t >= 0.0 && t <= 0.5);
    for (uint8_t v : net->x()) EXPECT_EQ(v, 0);
    EXPECT_EQ(net->step_count(), 0);
  }
}

TEST(InitializationTest, DenseVariantsHaveEveryAllowedEntry) {
  Params p;
  p.ne = 50;
  p.network_type_ee = NetworkType::kDense;
  p.network_type_ei = NetworkType::kDense;
  absl::StatusOr<Network> net = Network::Create(p, 1);
  ASSERT_TRUE(net.ok());
  EXPECT_EQ(net->wee().nnz(), 50 * 49);
  EXPECT_EQ(net->wei().nnz(), 10 * 50);
  EXPECT_EQ(net->wie().nnz(), 50 * 10);
}

TEST(InitializationTest, SparseWieFollowsLambdaIe) {
  Params p;
  p.ne = 1000;
  p.network_type_ie = NetworkType::kSparse;
  p.lambda_ie = 100;
  absl::StatusOr<Network> net = Network::Create(p, 1);
  ASSERT_TRUE(net.ok());
  // 200 inhibitory neurons x trunc(N(100, 1)) ~ 99.5 each.
  EXPECT_NEAR(double(net->wie().nnz()), 200 * 99.5, 200);
}

TEST(InitializationTest, EmptyColumnsAreRepairedFromTheFirstFifthOfRows) {
  // lambda 0: trunc(N(0, 1)) is 0 or negative (clamped to 0) for 84 % of
  // neurons, so most columns start empty and must be repaired with two
  // synapses from rows 0..39 (the first 20 % of 200).
  Params p;
  p.lambda_ee = 0;
  absl::StatusOr<Network> net = Network::Create(p, 8);
  ASSERT_TRUE(net.ok());
  std::vector<std::vector<int>> pre(200);
  for (int j = 0; j < 200; ++j) {
    for (const SynapseMatrix::Synapse& s : net->wee().row(j))
      pre[s.post].push_back(j);
  }
  int repaired = 0;
  for (int i = 0; i < 200; ++i) {
    ASSERT_FALSE(pre[i].empty()) << "column " << i << " left empty";
    EXPECT_FALSE(net->wee().Contains(i, i));
    repaired += pre[i].size() == 2 && pre[i][0] < 40 && pre[i][1] < 40;
  }
  // 168 expected (binomial sd 5); a column drawn with a partner is not.
  EXPECT_GE(repaired, 150);
  EXPECT_LE(repaired, 185);
  for (double s : ColumnSums(net->wee().Weights())) EXPECT_NEAR(s, 1.0, 1e-12);
}

TEST(InitializationTest, BadParamsAreRejected) {
  Params p;
  p.ne = 4;
  EXPECT_EQ(Network::Create(p, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NetworkTest, BadInputIsRejectedAndChangesNothing) {
  absl::StatusOr<Network> net = Network::Create(Params(), 1);
  ASSERT_TRUE(net.ok());
  RunSteps(*net, 10, 5, StepOptions());
  const NetworkState before = net->ExportState();
  StepRecord rec;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    std::vector<double> input;
    const char* message;
  } cases[] = {
      {std::vector<double>(9, 0.5),
       "input has 9 values; this network has nu = 10"},
      {std::vector<double>(11, 0.5), "input has 11 values"},
      {{}, "input has 0 values"},
      {{0, 0, 0, nan, 0, 0, 0, 0, 0, 0}, "input[3] is nan"},
      {{0, 0, 0, 0, 0, 0, 0, 0, 0, inf}, "input[9] is inf"},
      {{-inf, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "input[0] is -inf"},
  };
  for (const Case& c : cases) {
    absl::Status s = net->Step(c.input, StepOptions(), &rec);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
  }
  ExpectSameState(before, net->ExportState());
}

TEST(NetworkTest, SameSeedAndInputsGiveBitIdenticalRuns) {
  absl::StatusOr<Network> a = Network::Create(Params(), 42);
  absl::StatusOr<Network> b = Network::Create(Params(), 42);
  absl::StatusOr<Network> c = Network::Create(Params(), 43);
  std::vector<StepRecord> ra, rb, rc;
  RunSteps(*a, 1000, 7, StepOptions(), &ra);
  RunSteps(*b, 1000, 7, StepOptions(), &rb);
  RunSteps(*c, 1000, 7, StepOptions(), &rc);
  int differing_steps = 0;
  for (size_t t = 0; t < ra.size(); ++t) {
    ASSERT_EQ(ra[t].x, rb[t].x) << t;
    ASSERT_EQ(ra[t].y, rb[t].y) << t;
    ASSERT_EQ(ra[t].r, rb[t].r) << t;
    differing_steps += ra[t].x != rc[t].x;
  }
  ExpectSameState(a->ExportState(), b->ExportState());
  EXPECT_GT(differing_steps, 900);  // another seed is another network.
}

TEST(NetworkTest, ExportImportMidRunContinuesBitForBit) {
  // Past kFoldInterval (4096), with noise and structural plasticity on.
  absl::StatusOr<Network> twin = Network::Create(Params(), 9);
  RunSteps(*twin, 2500, 1, StepOptions());
  absl::StatusOr<Network> restored = Network::FromState(twin->ExportState());
  ASSERT_TRUE(restored.ok()) << restored.status();
  ExpectSameState(twin->ExportState(), restored->ExportState());  // round trip.
  std::vector<StepRecord> a, b;
  RunSteps(*twin, 3000, 2, StepOptions(), &a);
  RunSteps(*restored, 3000, 2, StepOptions(), &b);
  for (size_t t = 0; t < a.size(); ++t) {
    ASSERT_EQ(a[t].x, b[t].x) << "step " << t;
    ASSERT_EQ(a[t].ee_conn, b[t].ee_conn) << "step " << t;
  }
  ExpectSameState(twin->ExportState(), restored->ExportState());
}

TEST(NetworkTest, CopyIsAnIndependentFork) {
  absl::StatusOr<Network> net = Network::Create(Params(), 3);
  RunSteps(*net, 100, 1, StepOptions());
  Network fork = *net;
  RunSteps(*net, 50, 2, StepOptions());
  EXPECT_EQ(fork.step_count(), 100);
  RunSteps(fork, 50, 2, StepOptions());
  ExpectSameState(net->ExportState(), fork.ExportState());
}

TEST(NetworkTest, TrainingPhaseChangesNoWeightOrThreshold) {
  absl::StatusOr<Network> net = Network::Create(Params(), 5);
  RunSteps(*net, 200, 1, StepOptions());
  const NetworkState before = net->ExportState();
  StepOptions training;
  training.phase = Phase::kTraining;
  std::vector<StepRecord> records;
  RunSteps(*net, 300, 2, training, &records);
  const NetworkState after = net->ExportState();
  EXPECT_EQ(before.wee.stored.value, after.wee.stored.value);
  EXPECT_EQ(before.wee.column_scale, after.wee.column_scale);
  EXPECT_EQ(before.wei.stored.value, after.wei.stored.value);
  EXPECT_EQ(before.te, after.te);
  int spikes = 0;
  for (const StepRecord& r : records) {
    for (uint8_t v : r.x) spikes += v;
  }
  EXPECT_GT(spikes, 0);  // activity still evolves.
}

TEST(NetworkTest, FreezingAllFiveEqualsTheTrainingPhase) {
  absl::StatusOr<Network> a = Network::Create(Params(), 6);
  Network b = *a;
  StepOptions training;
  training.phase = Phase::kTraining;
  a->set_frozen(FreezeSet::All());
  std::vector<StepRecord> ra, rb;
  RunSteps(*a, 500, 3, StepOptions(), &ra);
  RunSteps(b, 500, 3, training, &rb);
  for (size_t t = 0; t < ra.size(); ++t) ASSERT_EQ(ra[t].x, rb[t].x) << t;
  NetworkState sa = a->ExportState(), sb = b.ExportState();
  EXPECT_EQ(sa.frozen, FreezeSet::All());
  sb.frozen = sa.frozen;
  ExpectSameState(sa, sb);
}

TEST(NetworkTest, FrozenMechanismDoesNotRun) {
  absl::StatusOr<Network> net = Network::Create(Params(), 2);
  net->set_frozen(*FreezeSet::FromNames({"ip"}));
  const std::vector<double> te = net->te();
  RunSteps(*net, 300, 1, StepOptions());
  EXPECT_EQ(net->te(), te);
  net->set_frozen(*FreezeSet::FromNames({"stdp", "sp", "istdp", "ss"}));
  const NetworkState before = net->ExportState();
  RunSteps(*net, 300, 1, StepOptions());
  const NetworkState after = net->ExportState();
  EXPECT_EQ(before.wee.stored.value, after.wee.stored.value);
  EXPECT_NE(before.te, after.te);
  EXPECT_EQ(after.frozen.Names(),
            (std::vector<std::string>{"stdp", "sp", "istdp", "ss"}));
}

TEST(NetworkTest, NoiseOffIsDeterministicWithoutTheGenerator) {
  absl::StatusOr<Network> net = Network::Create(Params(), 2);
  net->set_frozen(*FreezeSet::FromNames({"sp"}));
  const RandomState before = net->ExportState().random;
  StepOptions quiet;
  quiet.noise = false;
  RunSteps(*net, 100, 1, quiet);
  EXPECT_EQ(net->ExportState().random, before);
}

TEST(NetworkTest, RecordsThresholdsAndWeightsOnRequest) {
  absl::StatusOr<Network> net = Network::Create(Params(), 2);
  StepRecord rec;
  StepOptions opt;
  ASSERT_TRUE(net->Step(std::vector<double>(10, 0.5), opt, &rec).ok());
  EXPECT_TRUE(rec.te.empty());
  EXPECT_EQ(rec.wee.nnz(), 0);
  opt.record_thresholds = true;
  opt.record_weights = true;
  ASSERT_TRUE(net->Step(std::vector<double>(10, 0.5), opt, &rec).ok());
  EXPECT_EQ(rec.te, net->te());
  EXPECT_EQ(rec.ti, net->ti());
  EXPECT_EQ(rec.wee.nnz(), net->wee().nnz());
  EXPECT_EQ(rec.wei.value, net->wei().Weights().value);
}

TEST(NetworkTest, ImportRejectsInconsistentStates) {
  absl::StatusOr<Network> net = Network::Create(Params(), 2);
  const NetworkState good = net->ExportState();
  auto expect_bad = [](NetworkState s, const char* part) {
    absl::StatusOr<Network> n = Network::FromState(s);
    EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument) << part;
    EXPECT_NE(n.status().message().find(part), std::string::npos)
        << n.status().message();
  };
  NetworkState s = good;
  s.te.pop_back();
  expect_bad(s, "Te has 199 values");
  s = good;
  s.ti[3] = std::nan("");
  expect_bad(s, "Ti[3] is not finite");
  s = good;
  s.x[5] = 2;
  expect_bad(s, "x[5] must be 0 or 1");
  s = good;
  s.random = RandomState{};
  expect_bad(s, "generator state");
  s = good;
  s.params.ne = 100;
  expect_bad(s, "Wee is 200 x 200; expected 100 x 100");
  s = good;
  s.step = -1;
  expect_bad(s, "step");
  s = good;
  s.wei.stored.value[0] = 2.0;
  expect_bad(s, "Wei: weight");
}

// SPEC.md, reference behaviour: ne 200, nu 10, inputs U(0, 1), 3,000 noisy
// plasticity steps, seeds 1-3.
TEST(BehaviourTest, SelfOrganizesLikeTheReference) {
  double y_rate_sum = 0.0;
  for (uint64_t seed : {1, 2, 3}) {
    absl::StatusOr<Network> net = Network::Create(Params(), seed);
    ASSERT_TRUE(net.ok());
    Random inputs(seed + 1000);
    std::vector<double> u(10);
    StepRecord rec;
    double x_spikes = 0, y_spikes = 0;
    for (int t = 0; t < 3000; ++t) {
      for (double& v : u) v = inputs.Uniform();
      ASSERT_TRUE(net->Step(u, StepOptions(), &rec).ok());
      if (t >= 2250) {
        for (uint8_t v : rec.x) x_spikes += v;
        for (uint8_t v : rec.y) y_spikes += v;
      }
    }
    const double rate_x = x_spikes / (750.0 * 200);
    const double rate_y = y_spikes / (750.0 * 40);
    double mean_te = 0;
    for (double t : net->te()) mean_te += t / 200;
    double mean_log_w = 0;
    const SparseWeights w = net->wee().Weights();
    for (double v : w.value) mean_log_w += std::log(v) / w.nnz();
    const std::string figures =
        (testing::Message()
         << "seed " << seed << ": rate_x " << rate_x << " rate_y " << rate_y
         << " Wee " << w.nnz() << " mean Te " << mean_te << " mean log w "
         << mean_log_w)
            .GetString();
    std::cout << figures << "\n";
    SCOPED_TRACE(figures);
    EXPECT_GE(rate_x, 0.095);
    EXPECT_LE(rate_x, 0.105);
    EXPECT_GE(w.nnz(), 1900);
    EXPECT_LE(w.nnz(), 2400);
    EXPECT_GE(mean_te, 0.19);
    EXPECT_LE(mean_te, 0.28);
    EXPECT_GE(mean_log_w, -2.9);
    EXPECT_LE(mean_log_w, -2.55);
    // The inhibitory rate is set by the 40 thresholds Ti ~ U(0, 0.5) and
    // never adapts, so one seed's rate scatters binomially (sd ~0.06; the
    // reference's own golden Ti draws give 4 to 9 thresholds below 0.1).
    // Per seed it must be plausible; the mean over seeds is checked below.
    EXPECT_GE(rate_y, 0.10);
    EXPECT_LE(rate_y, 0.30);
    y_rate_sum += rate_y;
  }
  EXPECT_GE(y_rate_sum / 3, 0.17);
  EXPECT_LE(y_rate_sum / 3, 0.25);
}

}  // namespace
}  // namespace sorn
