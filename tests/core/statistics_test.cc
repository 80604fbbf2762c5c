#include "core/statistics.h"

#include <cmath>
#include <random>

#include "Eigen/Dense"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sorn {
namespace {

// 6 steps x 3 neurons:
//   t0: 1 0 0
//   t1: 0 1 0
//   t2: 1 1 0
//   t3: 0 0 0
//   t4: 1 0 0
//   t5: 1 1 0     (neuron 2 silent)
SpikeTrain Train() {
  SpikeTrain s(6, 3);
  const int on[][2] = {{0, 0}, {1, 1}, {2, 0}, {2, 1}, {4, 0}, {5, 0}, {5, 1}};
  for (auto [t, i] : on) s.set(t, i, 1);
  return s;
}

TEST(StatisticsTest, FiringRateNetworkCountsActiveNeuronsPerStep) {
  EXPECT_EQ(FiringRateNetwork(Train()),
            (std::vector<double>{1, 1, 2, 0, 1, 2}));
  EXPECT_TRUE(FiringRateNetwork(SpikeTrain(0, 5)).empty());
}

TEST(StatisticsTest, FiringRateNeuronBinsWithAShortLastBin) {
  absl::StatusOr<NeuronRate> r = FiringRateNeuron(Train(), 0, 4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->counts, (std::vector<int64_t>{2, 2}));  // t0-3, then t4-5.
  EXPECT_DOUBLE_EQ(r->mean_per_bin, 4.0 * 4 / 6);
  EXPECT_EQ(FiringRateNeuron(Train(), 3, 2).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FiringRateNeuron(Train(), 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(FiringRateNeuron(SpikeTrain(0, 3), 0, 1).ok());
}

TEST(StatisticsTest, SmoothnessMeasures) {
  const std::vector<double> rates = {1, 1, 2, 0, 1, 2};  // diff 0 1 -2 1 1
  // mean diff 0.2; deviations -0.2 0.8 -2.2 0.8 0.8; var = 6.8 / 5 = 1.36.
  EXPECT_NEAR(*ScaleDependentSmoothness(rates), std::sqrt(1.36), 1e-12);
  EXPECT_NEAR(*ScaleIndependentSmoothness(rates), std::sqrt(1.36) / 0.2, 1e-12);
  const std::vector<double> flat_mean = {1, 2, 1};  // diff 1 -1, mean 0.
  EXPECT_EQ(ScaleIndependentSmoothness(flat_mean).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(ScaleDependentSmoothness(std::vector<double>{1}).ok());
}

TEST(StatisticsTest, AutocorrelationIsPearsonOfTheShiftedSeries) {
  const std::vector<double> periodic = {0, 1, 0, 1, 0, 1, 0, 1};
  EXPECT_NEAR(*Autocorrelation(periodic, 2), 1.0, 1e-12);
  EXPECT_NEAR(*Autocorrelation(periodic, 1), -1.0, 1e-12);
  // a = 1 2 3 5 (mean 2.75), b = 2 3 5 4 (mean 3.5): sum of products of
  // deviations 4.5, sums of squares 8.75 and 5.
  const std::vector<double> s = {1, 2, 3, 5, 4};
  EXPECT_NEAR(*Autocorrelation(s, 1), 4.5 / std::sqrt(8.75 * 5), 1e-12);
  EXPECT_EQ(Autocorrelation(std::vector<double>{3, 3, 3, 3}, 1).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Autocorrelation(s, 4).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Autocorrelation(s, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(StatisticsTest, CorrelationMatrixHandlesSilentNeurons) {
  absl::StatusOr<Correlation> c = CorrelationMatrix(Train());
  ASSERT_TRUE(c.ok());
  // Neuron 0: 1 0 1 0 1 1 (mean 2/3), neuron 1: 0 1 1 0 0 1 (mean 1/2).
  // cov = sum((a-ma)(b-mb)) = 0; so r = 0.
  EXPECT_NEAR(c->matrix.at(0, 1), 0.0, 1e-12);
  EXPECT_EQ(c->matrix.at(0, 0), 1.0);
  EXPECT_EQ(c->matrix.at(2, 2), 1.0);
  EXPECT_EQ(c->matrix.at(2, 0), 0.0);  // silent: defined as 0, not NaN.
  EXPECT_EQ(c->varying_neurons, 2);
  EXPECT_NEAR(c->mean, 0.0, 1e-12);
  SpikeTrain same(4, 2);
  for (int t : {0, 2}) {
    same.set(t, 0, 1);
    same.set(t, 1, 1);
  }
  EXPECT_NEAR(CorrelationMatrix(same)->mean, 1.0, 1e-12);
  EXPECT_FALSE(CorrelationMatrix(SpikeTrain(1, 3)).ok());
  EXPECT_EQ(CorrelationMatrix(SpikeTrain(5, 3))->mean, 0.0);  // all silent.
}

TEST(StatisticsTest, SpikeTimesAndIntervals) {
  const auto times = SpikeTimes(Train());
  EXPECT_EQ(times[0], (std::vector<int64_t>{0, 2, 4, 5}));
  EXPECT_EQ(times[1], (std::vector<int64_t>{1, 2, 5}));
  EXPECT_TRUE(times[2].empty());
  const auto isi = InterSpikeIntervals(Train());
  EXPECT_EQ(isi[0], (std::vector<int64_t>{2, 2, 1}));
  EXPECT_EQ(isi[1], (std::vector<int64_t>{1, 3}));
  EXPECT_TRUE(isi[2].empty());
}

TEST(StatisticsTest, HammingDistancePerStep) {
  SpikeTrain a = Train(), b = Train();
  b.set(0, 0, 0);
  b.set(0, 2, 1);
  b.set(3, 1, 1);
  EXPECT_EQ(*HammingDistance(a, b), (std::vector<int64_t>{2, 0, 0, 1, 0, 0}));
  EXPECT_EQ(HammingDistance(a, SpikeTrain(6, 4)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(StatisticsTest, FanoFactorDropsTheLastPartialWindow) {
  // Neuron 0 over windows of 2 steps: (1 0) (1 0) (1 1) -> counts 1 1 2.
  absl::StatusOr<Fano> f = FanoFactor(Train(), 0, 2);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->windows, 3);
  EXPECT_NEAR(f->mean, 4.0 / 3, 1e-12);
  EXPECT_NEAR(f->variance, 2.0 / 9, 1e-12);
  EXPECT_NEAR(f->factor, (2.0 / 9) / (4.0 / 3), 1e-12);
  // Windows of 4: one complete window (t0-3), t4-5 dropped: count 2, var 0.
  f = FanoFactor(Train(), 0, 4);
  EXPECT_EQ(f->windows, 1);
  EXPECT_EQ(f->factor, 0.0);
  EXPECT_EQ(FanoFactor(Train(), 2, 2).status().code(),
            absl::StatusCode::kFailedPrecondition);  // silent.
  EXPECT_EQ(FanoFactor(Train(), 0, 7).status().code(),
            absl::StatusCode::kInvalidArgument);  // no complete window.
}

TEST(StatisticsTest, SpikeSourceEntropy) {
  // Spikes: neuron 0 four, neuron 1 three: p = 4/7, 3/7.
  const double p0 = 4.0 / 7, p1 = 3.0 / 7;
  EXPECT_NEAR(*SpikeSourceEntropy(Train(), 3),
              (p0 * std::log(p0) + p1 * std::log(p1)) / std::log(1.0 / 3),
              1e-12);
  SpikeTrain uniform(1, 4);
  for (int i = 0; i < 4; ++i) uniform.set(0, i, 1);
  EXPECT_NEAR(*SpikeSourceEntropy(uniform, 4), 1.0, 1e-12);
  EXPECT_EQ(SpikeSourceEntropy(SpikeTrain(3, 3), 3).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(SpikeSourceEntropy(Train(), 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(StatisticsTest, EmptyTrainsGiveDefinedResultsOrErrors) {
  for (const SpikeTrain& empty : {SpikeTrain(0, 4), SpikeTrain(5, 0)}) {
    EXPECT_EQ(FiringRateNetwork(empty).size(), size_t(empty.steps));
    EXPECT_FALSE(FiringRateNeuron(empty, 0, 1).ok());
    EXPECT_EQ(SpikeTimes(empty).size(), size_t(empty.neurons));
    EXPECT_EQ(InterSpikeIntervals(empty).size(), size_t(empty.neurons));
    EXPECT_EQ(HammingDistance(empty, empty)->size(), size_t(empty.steps));
    EXPECT_FALSE(FanoFactor(empty, 0, 1).ok());
    EXPECT_EQ(SpikeSourceEntropy(empty, 4).status().code(),
              absl::StatusCode::kFailedPrecondition);
    const std::vector<double> rates = FiringRateNetwork(empty);
    if (rates.size() >= 2) {
      EXPECT_EQ(*ScaleDependentSmoothness(rates), 0.0);  // all zero.
      EXPECT_FALSE(ScaleIndependentSmoothness(rates).ok());
    } else {
      EXPECT_FALSE(ScaleDependentSmoothness(rates).ok());
    }
  }
  EXPECT_FALSE(CorrelationMatrix(SpikeTrain(0, 4)).ok());
  absl::StatusOr<Correlation> none = CorrelationMatrix(SpikeTrain(5, 0));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->mean, 0.0);
  EXPECT_EQ(none->matrix.rows, 0);
}

// A random train: neuron i fires with its own probability, some neurons
// never and some always (they do not vary).
SpikeTrain RandomTrain(int steps, int neurons, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> p(neurons);
  for (int i = 0; i < neurons; ++i) {
    p[i] = i % 11 == 3 ? 0.0 : i % 13 == 5 ? 1.0 : 0.02 + 0.5 * u(random);
  }
  SpikeTrain s(steps, neurons);
  for (int t = 0; t < steps; ++t) {
    // A shared drive on some steps makes the neurons correlate.
    const double drive = u(random) < 0.2 ? 0.3 : 0.0;
    for (int i = 0; i < neurons; ++i) {
      const bool varies = p[i] > 0.0 && p[i] < 1.0;
      s.set(t, i, u(random) < p[i] + (varies ? drive : 0.0));
    }
  }
  return s;
}

// The reference's avg_corr_coeff as the server computed it before: the
// centered T x n train, its Gram matrix, Pearson of each pair.
Correlation ReferenceCorrelation(const SpikeTrain& train) {
  const int n = train.neurons;
  Eigen::MatrixXd s(train.steps, n);
  for (int t = 0; t < train.steps; ++t) {
    for (int i = 0; i < n; ++i) s(t, i) = train.at(t, i);
  }
  s.rowwise() -= s.colwise().mean();
  const Eigen::MatrixXd cov = s.transpose() * s;
  Correlation out;
  out.matrix = DenseMatrix(n, n);
  double sum = 0.0;
  int64_t pairs = 0;
  for (int i = 0; i < n; ++i) out.varying_neurons += cov(i, i) > 0.0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      double c = i == j ? 1.0 : 0.0;
      if (i != j && cov(i, i) > 0.0 && cov(j, j) > 0.0) {
        c = cov(i, j) / std::sqrt(cov(i, i) * cov(j, j));
        sum += c;
        ++pairs;
      }
      out.matrix.at(i, j) = c;
    }
  }
  out.mean = pairs > 0 ? sum / double(pairs) : 0.0;
  return out;
}

// MeanCorrelation (no matrix) and the tiled CorrelationMatrix agree with the
// dense reference to 1e-12 relative, on shapes that are not multiples of
// the tiles (128 neurons, 512 steps), with silent and always-on neurons.
TEST(StatisticsTest, MeanCorrelationEqualsTheMatrixMeanOnRandomTrains) {
  struct Shape {
    int steps, neurons;
  };
  uint32_t seed = 10;
  for (Shape shape : {Shape{2, 2}, Shape{7, 5}, Shape{600, 3}, Shape{1300, 150},
                      Shape{513, 300}, Shape{40, 260}}) {
    const SpikeTrain train = RandomTrain(shape.steps, shape.neurons, ++seed);
    const Correlation reference = ReferenceCorrelation(train);
    absl::StatusOr<CorrelationMean> mean = MeanCorrelation(train);
    absl::StatusOr<Correlation> matrix = CorrelationMatrix(train);
    ASSERT_TRUE(mean.ok()) << mean.status();
    ASSERT_TRUE(matrix.ok()) << matrix.status();
    const std::string where = absl::StrCat(shape.steps, " x ", shape.neurons);
    EXPECT_EQ(mean->varying_neurons, reference.varying_neurons) << where;
    EXPECT_EQ(matrix->varying_neurons, reference.varying_neurons) << where;
    const double tolerance = 1e-12 * std::max(std::abs(reference.mean), 1e-3);
    EXPECT_NEAR(mean->mean, reference.mean, tolerance) << where;
    EXPECT_NEAR(matrix->mean, reference.mean, tolerance) << where;
    double worst = 0.0;
    for (size_t k = 0; k < reference.matrix.data.size(); ++k) {
      worst = std::max(
          worst, std::abs(matrix->matrix.data[k] - reference.matrix.data[k]));
    }
    EXPECT_LT(worst, 1e-12) << where;
    if (shape.neurons >= 150) {
      // Not a vacuous comparison: the neurons do correlate.
      EXPECT_GT(reference.mean, 0.01) << where;
    }
  }
  // Two neurons, by hand: a = 1 1 0 0, b = 1 0 1 0: cov 0, r = 0;
  // c = 1 1 0 0 with a: r = 1. Mean of {a, c} pairs: 1.
  SpikeTrain two(4, 2);
  two.set(0, 0, 1);
  two.set(1, 0, 1);
  two.set(0, 1, 1);
  two.set(2, 1, 1);
  EXPECT_NEAR(MeanCorrelation(two)->mean, 0.0, 1e-15);
  two.set(2, 1, 0);
  two.set(1, 1, 1);
  EXPECT_NEAR(MeanCorrelation(two)->mean, 1.0, 1e-15);
  EXPECT_EQ(MeanCorrelation(SpikeTrain(5, 3))->varying_neurons, 0);
  EXPECT_EQ(MeanCorrelation(SpikeTrain(5, 3))->mean, 0.0);
  EXPECT_FALSE(MeanCorrelation(SpikeTrain(1, 3)).ok());
}

// A StopCheck is asked during the long computations, and once it says stop
// they return CANCELLED; one that never says stop changes no result.
TEST(StatisticsTest, LongComputationsStopWhenAsked) {
  const SpikeTrain train = RandomTrain(3000, 700, 3);
  int asked = 0;
  const StopCheck count = [&] {
    ++asked;
    return false;
  };
  EXPECT_EQ(MeanCorrelation(train, count)->mean, MeanCorrelation(train)->mean);
  EXPECT_GT(asked, 0);
  asked = 0;
  EXPECT_EQ(CorrelationMatrix(train, count)->matrix.data,
            CorrelationMatrix(train)->matrix.data);
  // 6 x 6 tiles on and below the diagonal = 21, times 6 chunks of steps.
  EXPECT_GE(asked, 21 * 6);
  EXPECT_EQ(*FiringRateNetwork(train, count), FiringRateNetwork(train));
  EXPECT_EQ(*SpikeTimes(train, count), SpikeTimes(train));
  EXPECT_EQ(*SpikeSourceEntropy(train, 700, count),
            *SpikeSourceEntropy(train, 700));

  // The spike counts take the first two checks (every 1497 rows of 700
  // neurons); the third comes in the tiles, or in MeanCorrelation's pass.
  int calls = 0;
  const StopCheck third = [&] { return ++calls >= 3; };
  auto cancelled = [](const absl::Status& s) {
    return s.code() == absl::StatusCode::kCancelled;
  };
  EXPECT_TRUE(cancelled(CorrelationMatrix(train, third).status()));
  EXPECT_EQ(calls, 3);  // stopped at once, not at the end.
  calls = 0;
  EXPECT_TRUE(cancelled(MeanCorrelation(train, third).status()));
  EXPECT_EQ(calls, 3);
  const StopCheck now = [] { return true; };
  EXPECT_TRUE(cancelled(FiringRateNetwork(train, now).status()));
  EXPECT_TRUE(cancelled(SpikeTimes(train, now).status()));
  EXPECT_TRUE(cancelled(SpikeSourceEntropy(train, 700, now).status()));
  std::vector<double> wrong(5);
  EXPECT_EQ(FillCorrelationMatrix(train, wrong, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(StatisticsTest, IntervalsAreDifferencesOfSpikeTimes) {
  EXPECT_EQ(Intervals(std::vector<int64_t>{3, 4, 9, 20}),
            (std::vector<int64_t>{1, 5, 11}));
  EXPECT_TRUE(Intervals(std::vector<int64_t>{7}).empty());
  EXPECT_TRUE(Intervals(std::vector<int64_t>{}).empty());
}

}  // namespace
}  // namespace sorn
