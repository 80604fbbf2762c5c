// Readout: ridge regression recovers known maps, shrinks as lambda says,
// classifies, and refuses bad shapes, values and labels.
#include "core/readout.h"

#include <random>

#include "gtest/gtest.h"

namespace sorn {
namespace {

Eigen::MatrixXd Uniform(int rows, int cols, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Eigen::MatrixXd m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = u(random);
  return m;
}

TEST(ReadoutTest, RecoversAKnownLinearMapExactly) {
  const Eigen::MatrixXd x = Uniform(500, 20, 1);
  const Eigen::MatrixXd w =
      Uniform(20, 3, 2) * 4.0 - Eigen::MatrixXd::Ones(20, 3);
  const Eigen::RowVector3d b(0.5, -2.0, 3.0);
  Eigen::MatrixXd y = x * w;
  y.rowwise() += b;
  ReadoutOptions options;
  options.regularization = 0;
  absl::StatusOr<Readout> r = Readout::FitValues(x, y, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->features(), 20);
  EXPECT_EQ(r->outputs(), 3);
  EXPECT_LT((r->weights().topRows(20) - w).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_LT((r->weights().row(20) - b).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_LT(r->training_error(), 1e-20);
  const Eigen::MatrixXd fresh = Uniform(7, 20, 3);
  Eigen::MatrixXd expected = fresh * w;
  expected.rowwise() += b;
  EXPECT_LT((r->Predict(fresh) - expected).cwiseAbs().maxCoeff(), 1e-9);
}

// One feature, no bias: w = sum(x y) / (sum(x^2) + lambda), by hand.
TEST(ReadoutTest, RidgeShrinksAsTheClosedFormSays) {
  Eigen::MatrixXd x(3, 1), y(3, 1);
  x << 1, 2, 3;
  y << 2, 3, 7;  // sum xy = 29, sum x^2 = 14.
  ReadoutOptions options;
  options.bias = false;
  for (double lambda : {0.0, 1.0, 16.0}) {
    options.regularization = lambda;
    absl::StatusOr<Readout> r = Readout::FitValues(x, y, options);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_NEAR(r->weights()(0, 0), 29.0 / (14.0 + lambda), 1e-14) << lambda;
  }
}

TEST(ReadoutTest, ClassifiesAndReportsAccuracy) {
  // Three classes; feature k is 1 for class k, plus small noise.
  const int n = 300;
  std::vector<int32_t> labels(n);
  Eigen::MatrixXd x = Uniform(n, 3, 4) * 0.1;
  for (int t = 0; t < n; ++t) {
    labels[t] = t % 3;
    x(t, labels[t]) += 1.0;
  }
  absl::StatusOr<Readout> r = Readout::FitClasses(x, labels, 3, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->classifier());
  EXPECT_EQ(r->training_accuracy(), 1.0);
  Eigen::MatrixXd probe = Eigen::MatrixXd::Zero(3, 3);
  probe(0, 2) = probe(1, 0) = probe(2, 1) = 1.0;
  EXPECT_EQ(r->Classify(probe), (std::vector<int32_t>{2, 0, 1}));
  // Rebuilt from its weights, it predicts the same.
  absl::StatusOr<Readout> again =
      Readout::FromWeights(r->weights(), r->bias(), r->classifier());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Predict(probe), r->Predict(probe));
}

TEST(ReadoutTest, BadInputIsRefusedWithAReason) {
  const Eigen::MatrixXd x = Uniform(10, 2, 5);
  const Eigen::MatrixXd y = Uniform(10, 1, 6);
  auto code = [](const auto& result) { return result.status().code(); };
  const auto bad = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(code(Readout::FitValues(x, Uniform(9, 1, 6), {})), bad);
  EXPECT_EQ(code(Readout::FitValues(Eigen::MatrixXd(0, 2),
                                    Eigen::MatrixXd(0, 1), {})),
            bad);
  Eigen::MatrixXd nan = x;
  nan(3, 1) = std::nan("");
  EXPECT_EQ(code(Readout::FitValues(nan, y, {})), bad);
  ReadoutOptions negative;
  negative.regularization = -1;
  EXPECT_EQ(code(Readout::FitValues(x, y, negative)), bad);
  std::vector<int32_t> labels(10, 0);
  labels[4] = 3;
  EXPECT_EQ(code(Readout::FitClasses(x, labels, 3, {})), bad);
  labels[4] = 1;
  EXPECT_EQ(code(Readout::FitClasses(x, labels, 1, {})), bad);
  EXPECT_EQ(code(Readout::FitClasses(x, std::vector<int32_t>(9, 0), 2, {})),
            bad);
  EXPECT_EQ(code(Readout::FromWeights(Eigen::MatrixXd(1, 2), true, false)),
            bad);
}

// Without regularization, collinear features get the least-squares fit of
// minimum norm (the pseudo-inverse's): for features (a, 2a) and targets 3a,
// every w1 + 2 w2 = 3 fits exactly; the shortest is (3, 6) / 5.
TEST(ReadoutTest, CollinearFeaturesWithoutRidgeGetTheMinimumNormFit) {
  const Eigen::MatrixXd a = Uniform(10, 1, 3);
  Eigen::MatrixXd twins(10, 2);
  twins << a, a * 2.0;
  ReadoutOptions ols;
  ols.regularization = 0;
  ols.bias = false;
  absl::StatusOr<Readout> fit = Readout::FitValues(twins, a * 3.0, ols);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_NEAR(fit->weights()(0, 0), 0.6, 1e-12);
  EXPECT_NEAR(fit->weights()(1, 0), 1.2, 1e-12);
  EXPECT_NEAR(fit->training_error(), 0.0, 1e-20);
}

// Finite but huge values overflow inside the fit: X'Y of targets 1e308 is
// infinite (weights NaN), and targets of 1e200 fit to finite weights whose
// squared error, ~1e400, is not a double. Both are refused, saying why; a
// large target that the fit can represent still fits.
TEST(ReadoutTest, FitsThatOverflowAreRefused) {
  const Eigen::MatrixXd x = Uniform(10, 2, 7);
  for (double big : {1e308, 1e200}) {
    const Eigen::MatrixXd y = Eigen::MatrixXd::Constant(10, 1, big);
    absl::StatusOr<Readout> r = Readout::FitValues(x, y, {});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << big;
    EXPECT_NE(r.status().message().find("overflows"), std::string::npos)
        << r.status();
  }
  // Features (e.g. recorded inputs) of 1e200 make X'X overflow.
  const Eigen::MatrixXd huge = Eigen::MatrixXd::Constant(10, 2, 1e200);
  EXPECT_EQ(Readout::FitValues(huge, Uniform(10, 1, 8), {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<int32_t> labels = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
  EXPECT_EQ(Readout::FitClasses(huge, labels, 2, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // 1e100 everywhere: bias 1e100 (exactly representable fit), error ~0.
  const Eigen::MatrixXd y = Eigen::MatrixXd::Constant(10, 1, 1e100);
  absl::StatusOr<Readout> fine = Readout::FitValues(x, y, {});
  ASSERT_TRUE(fine.ok()) << fine.status();
  EXPECT_TRUE(fine->weights().allFinite());
  EXPECT_NEAR(fine->Predict(x)(0, 0) / 1e100, 1.0, 1e-6);
}

}  // namespace
}  // namespace sorn
