// ReadoutSet in process, on a network of 2 excitatory neurons, 1 inhibitory
// and 1 input unit whose log the test writes: Prepare reads the right rows
// and enforces its limits (rows, skip_last, --max_readout_bytes, the weights
// held, kMaxReadouts), Solve gives weights computed here by hand (least
// squares, ridge, a classifier), Install/Restore/Remove/Select keep the
// names straight, Score adds the rows of active neurons, and FitBytes and
// FeatureCount count what they say.
#include "server/sessions/readout_set.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sorn::server {
namespace {

constexpr ReadoutShape kShape = {.ne = 2, .ni = 1, .nu = 1};
constexpr int64_t kPlenty = int64_t{1} << 30;  // bytes: no limit.

// One step: excitatory x = (x0, x1), inhibitory y = (y0), recurrent r =
// (1 - x0, 1 - x1), input u.
StepRecord Record(int x0, int x1, int y0 = 0) {
  StepRecord r;
  r.x = {uint8_t(x0), uint8_t(x1)};
  r.y = {uint8_t(y0)};
  r.r = {uint8_t(1 - x0), uint8_t(1 - x1)};
  return r;
}

// The four steps every fit below is on, oldest first:
// x = (1, 0), (0, 1), (1, 1), (0, 0); inputs 0.5, 1, 1.5, 2; y0 = x0.
ActivityLog FourSteps(int64_t capacity = 10) {
  ActivityLog log(kShape.ne, kShape.ni, kShape.nu, capacity);
  const int xs[4][2] = {{1, 0}, {0, 1}, {1, 1}, {0, 0}};
  for (int t = 0; t < 4; ++t) {
    const double u = 0.5 * (t + 1);
    log.Append(Record(xs[t][0], xs[t][1], xs[t][0]), std::vector<double>{u});
  }
  return log;
}

ReadoutTargets Values(std::vector<double> column) {
  ReadoutTargets t;
  t.values.resize(Eigen::Index(column.size()), 1);
  for (size_t i = 0; i < column.size(); ++i)
    t.values(Eigen::Index(i), 0) = column[i];
  return t;
}

ReadoutTargets Labels(std::vector<int32_t> labels, int classes) {
  ReadoutTargets t;
  t.classifier = true;
  t.labels = std::move(labels);
  t.classes = classes;
  return t;
}

// A readout with the given weights (feature rows, then the bias row).
NamedReadout Named(const Eigen::MatrixXd& weights, ReadoutFeatures features,
                   bool classifier = false) {
  absl::StatusOr<Readout> readout =
      Readout::FromWeights(weights, features.bias, classifier);
  if (!readout.ok()) {
    ADD_FAILURE() << readout.status();
    std::abort();
  }
  return NamedReadout{*std::move(readout), features};
}

// A readout of `rows` x 1 weights and no bias, for counting names and bytes
// (8 bytes a row).
NamedReadout OfRows(int rows) {
  ReadoutFeatures f;
  f.bias = false;
  return Named(Eigen::MatrixXd::Constant(rows, 1, 0.5), f);
}

absl::StatusOr<NamedReadout> PrepareAndSolve(const ReadoutSet& set,
                                             const ReadoutTargets& targets,
                                             double regularization,
                                             ReadoutFeatures features = {}) {
  const ActivityLog log = FourSteps();
  absl::StatusOr<ReadoutFit> fit =
      set.Prepare("r", features, targets, regularization, 0, log, kShape,
                  /*session_step=*/40, kPlenty);
  if (!fit.ok()) return fit.status();
  return ReadoutSet::Solve(*fit, targets);
}

TEST(ReadoutSetTest, FeatureCountIsPopulationPlusInputsPlusBias) {
  EXPECT_EQ(ReadoutSet::FeatureCount({}, kShape), 3);  // x0, x1, 1.
  EXPECT_EQ(
      ReadoutSet::FeatureCount(
          {Population::kInhibitory, /*include_input=*/true, false}, kShape),
      2);  // y0, u.
  EXPECT_EQ(ReadoutSet::FeatureCount({Population::kRecurrent, true, true},
                                     {.ne = 200, .ni = 40, .nu = 10}),
            211);
}

TEST(ReadoutSetTest, FitBytesCountsFeaturesTwiceTargetsAndTheNormalEquations) {
  // (2 x 4 x 3 + 4 x 1 + 3 x (3 + 1)) doubles.
  EXPECT_EQ(ReadoutSet::FitBytes(4, 3, 1, 1e-6), (24 + 4 + 12) * 8);
  // The e2e limit test's fit: 2 x 1,000 x 201 + 1,000 x 2 + 201 x 203.
  EXPECT_EQ(ReadoutSet::FitBytes(1000, 201, 2, 1e-6), 444803 * 8);
  // Least squares decomposes a copy of X and forms Q'Y (rows x outputs):
  // 24 + 4 + 4 x (3 + 1) + 3 x 3.
  EXPECT_EQ(ReadoutSet::FitBytes(4, 3, 1, 0), (24 + 4 + 16 + 9) * 8);
  EXPECT_EQ(ReadoutSet::FitBytes(0, 0, 0, 0), 0);
  // Sizes whose product passes int64 saturate instead of wrapping.
  EXPECT_EQ(ReadoutSet::FitBytes(int64_t{1} << 40, int64_t{1} << 30, 1, 1e-6),
            INT64_MAX);
}

// Prepare's rows are the log's last steps, x then the input, one per target
// row; skip_last leaves out the most recent and dates the fit earlier.
TEST(ReadoutSetTest, PrepareReadsTheLastStepsWithInputsAndSkipLast) {
  ActivityLog log = FourSteps();
  log.Append(Record(1, 1), std::vector<double>{9.0});  // step 5.
  ReadoutSet set;
  const ReadoutFeatures with_input{Population::kExcitatory, true, true};
  absl::StatusOr<ReadoutFit> fit = set.Prepare(
      "r", with_input, Values({0, 0, 0}), 0.25, /*skip_last=*/1, log, kShape,
      /*session_step=*/50, kPlenty);
  ASSERT_TRUE(fit.ok()) << fit.status();
  // Steps 2..4 of the five (the fifth skipped): no bias column here.
  Eigen::MatrixXd expected(3, 3);
  expected << 0, 1, 1.0,  //
      1, 1, 1.5,          //
      0, 0, 2.0;
  EXPECT_EQ(fit->x, expected);
  EXPECT_EQ(fit->fitted_at_step, 49);
  EXPECT_EQ(fit->regularization, 0.25);
  EXPECT_TRUE(fit->features.include_input);
  // The inhibitory population reads y: y0 of steps 3, 4, 5.
  fit = set.Prepare("r", {Population::kInhibitory, false, true},
                    Values({0, 0, 0}), 0, 0, log, kShape, 50, kPlenty);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_EQ(fit->x, (Eigen::MatrixXd(3, 1) << 1, 0, 0).finished());
  EXPECT_EQ(fit->fitted_at_step, 50);
}

TEST(ReadoutSetTest, PrepareRefusesRowsTheLogDoesNotHave) {
  const ActivityLog log = FourSteps();
  ReadoutSet set;
  absl::Status s =
      set.Prepare("r", {}, Values({}), 0, 0, log, kShape, 4, kPlenty).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "targets have no rows");
  s = set.Prepare("r", {}, Values({1, 2, 3, 4, 5}), 0, 0, log, kShape, 4,
                  kPlenty)
          .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "targets have 5 rows but the session has 4 recorded steps before "
            "the last 0 (4 recorded, record buffer 10)");
  s = set.Prepare("r", {}, Values({1, 2, 3, 4}), 0, 1, log, kShape, 4, kPlenty)
          .status();
  EXPECT_EQ(s.message(),
            "targets have 4 rows but the session has 3 recorded steps before "
            "the last 1 (4 recorded, record buffer 10)");
  s = set.Prepare("r", {}, Values({1}), 0, 5, log, kShape, 4, kPlenty).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);  // 0 available.
  s = set.Prepare("r", {}, Values({1}), 0, -1, log, kShape, 4, kPlenty)
          .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "skip_last must be >= 0, got -1");
}

TEST(ReadoutSetTest, PrepareRefusesAFitOverTheByteLimit) {
  const ActivityLog log = FourSteps();
  ReadoutSet set;
  const ReadoutTargets four = Values({1, 2, 3, 4});
  // FitBytes(4 rows, 3 features, 1 output, least squares) = 424.
  const absl::Status s =
      set.Prepare("r", {}, four, 0, 0, log, kShape, 4, 423).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "this fit needs 424 bytes; the server's limit is 423 "
            "(--max_readout_bytes): fit on fewer steps");
  EXPECT_TRUE(set.Prepare("r", {}, four, 0, 0, log, kShape, 4, 424).ok());
  // Ridge needs X'X instead of a copy of X: 320.
  EXPECT_TRUE(set.Prepare("r", {}, four, 1e-3, 0, log, kShape, 4, 320).ok());
}

// The weights of all the session's readouts count against the same limit;
// refitting a readout replaces its own weights, so they are not counted.
TEST(ReadoutSetTest, PrepareCountsTheWeightsOtherReadoutsHold) {
  const ActivityLog log = FourSteps();
  ReadoutSet set;
  set.Install("a", OfRows(100));  // 800 bytes of weights.
  const ReadoutTargets four = Values({1, 2, 3, 4});
  // 3 x 1 new weights (24 bytes) + 800 <= 1000.
  EXPECT_TRUE(set.Prepare("b", {}, four, 0, 0, log, kShape, 4, 1000).ok());
  set.Install("c", OfRows(100));
  const absl::Status s =
      set.Prepare("b", {}, four, 0, 0, log, kShape, 4, 1000).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "the session's readouts would hold 1624 bytes of weights; the "
            "server's limit is 1000 (--max_readout_bytes): delete a readout "
            "first");
  // Refitting "c": a's 800 + the new 24.
  EXPECT_TRUE(set.Prepare("c", {}, four, 0, 0, log, kShape, 4, 1000).ok());
}

TEST(ReadoutSetTest, ANewNameBeyondMaxReadoutsIsRefusedButARefitIsNot) {
  const ActivityLog log = FourSteps();
  ReadoutSet set;
  for (int i = 0; i < ReadoutSet::kMaxReadouts; ++i) {
    set.Install(absl::StrCat("r", i), OfRows(1));
  }
  ASSERT_EQ(set.readouts().size(), 64u);
  const ReadoutTargets four = Values({1, 2, 3, 4});
  const absl::Status s =
      set.Prepare("new", {}, four, 0, 0, log, kShape, 4, kPlenty).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "a session holds at most 64 readouts; delete one first");
  EXPECT_TRUE(set.Prepare("r5", {}, four, 0, 0, log, kShape, 4, kPlenty).ok());
  // Restoring a 65th is refused too.
  ReadoutFeatures no_bias;
  no_bias.bias = false;
  const absl::Status restored =
      set.Restore("extra", Named(Eigen::MatrixXd::Ones(2, 1), no_bias), kShape);
  EXPECT_EQ(restored.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(restored.message(), "more than 64 readouts");
}

// Targets 2 x0 + 3 x1 + 1 are a linear function of the rows: least squares
// returns exactly those weights (bias last) and no training error.
TEST(ReadoutSetTest, SolveRecoversAnExactLinearMap) {
  ReadoutSet set;
  absl::StatusOr<NamedReadout> r =
      PrepareAndSolve(set, Values({3, 4, 6, 1}), 0.0);
  ASSERT_TRUE(r.ok()) << r.status();
  const Eigen::MatrixXd& w = r->readout.weights();
  ASSERT_EQ(w.rows(), 3);
  ASSERT_EQ(w.cols(), 1);
  EXPECT_NEAR(w(0, 0), 2.0, 1e-12);
  EXPECT_NEAR(w(1, 0), 3.0, 1e-12);
  EXPECT_NEAR(w(2, 0), 1.0, 1e-12);
  EXPECT_NEAR(r->training_error, 0.0, 1e-24);
  EXPECT_EQ(r->fitted_steps, 4);
  EXPECT_EQ(r->fitted_at_step, 40);
  EXPECT_FALSE(r->readout.classifier());
}

// Targets 3, 4, 6, 2: the normal equations
//   2a + b + 2c = 9,  a + 2b + 2c = 10,  2a + 2b + 4c = 15
// give a = 1.5, b = 2.5, c = 1.75; every residual is +-0.25, so the mean
// squared error is 0.0625. With ridge lambda = 1 on a and b (not the bias):
//   3a + b + 2c = 9,  a + 3b + 2c = 10,  2a + 2b + 4c = 15
// give a = 0.75, b = 1.25, c = 2.75.
TEST(ReadoutSetTest, SolveGivesTheHandComputedLeastSquaresAndRidgeWeights) {
  ReadoutSet set;
  absl::StatusOr<NamedReadout> ls =
      PrepareAndSolve(set, Values({3, 4, 6, 2}), 0.0);
  ASSERT_TRUE(ls.ok()) << ls.status();
  EXPECT_NEAR(ls->readout.weights()(0, 0), 1.5, 1e-12);
  EXPECT_NEAR(ls->readout.weights()(1, 0), 2.5, 1e-12);
  EXPECT_NEAR(ls->readout.weights()(2, 0), 1.75, 1e-12);
  EXPECT_NEAR(ls->training_error, 0.0625, 1e-12);
  absl::StatusOr<NamedReadout> ridge =
      PrepareAndSolve(set, Values({3, 4, 6, 2}), 1.0);
  ASSERT_TRUE(ridge.ok()) << ridge.status();
  EXPECT_NEAR(ridge->readout.weights()(0, 0), 0.75, 1e-12);
  EXPECT_NEAR(ridge->readout.weights()(1, 0), 1.25, 1e-12);
  EXPECT_NEAR(ridge->readout.weights()(2, 0), 2.75, 1e-12);
  EXPECT_EQ(ridge->regularization, 1.0);
}

// Class = x0: the one-hot scores are 1 - x0 and x0, so the weights are
// (-1, 0, 1) for class 0 and (1, 0, 0) for class 1, and every row is right.
TEST(ReadoutSetTest, SolveFitsAClassifierWhoseScoresAreTheClasses) {
  ReadoutSet set;
  absl::StatusOr<NamedReadout> r =
      PrepareAndSolve(set, Labels({1, 0, 1, 0}, 2), 0.0);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->readout.classifier());
  const Eigen::MatrixXd& w = r->readout.weights();
  ASSERT_EQ(w.cols(), 2);
  const double expected[3][2] = {{-1, 1}, {0, 0}, {1, 0}};
  for (int f = 0; f < 3; ++f) {
    for (int c = 0; c < 2; ++c) {
      EXPECT_NEAR(w(f, c), expected[f][c], 1e-12) << f << " " << c;
    }
  }
  EXPECT_EQ(r->training_accuracy, 1.0);
  double scores[2];
  EXPECT_EQ(ReadoutSet::Score(*r, Record(1, 0), std::vector<double>{0}, scores),
            1);
  EXPECT_EQ(ReadoutSet::Score(*r, Record(0, 1), std::vector<double>{0}, scores),
            0);
}

TEST(ReadoutSetTest, SolveFitsCollinearFeaturesWithTheMinimumNorm) {
  // x0 == x1 on every row and targets 1 + x0: every w0 + w1 = 1 with bias 1
  // fits; without regularization the shortest, w0 = w1 = 0.5, as NumPy's
  // pinv would give.
  ActivityLog log(kShape.ne, kShape.ni, kShape.nu, 10);
  for (int t = 0; t < 4; ++t) {
    log.Append(Record(t % 2, t % 2), std::vector<double>{0});
  }
  ReadoutSet set;
  const ReadoutTargets targets = Values({1, 2, 1, 2});
  absl::StatusOr<ReadoutFit> fit =
      set.Prepare("r", {}, targets, 0.0, 0, log, kShape, 4, kPlenty);
  ASSERT_TRUE(fit.ok()) << fit.status();
  absl::StatusOr<NamedReadout> solved = ReadoutSet::Solve(*fit, targets);
  ASSERT_TRUE(solved.ok()) << solved.status();
  const Eigen::MatrixXd& w = solved->readout.weights();
  ASSERT_EQ(w.rows(), 3);
  EXPECT_NEAR(w(0, 0), 0.5, 1e-12);
  EXPECT_NEAR(w(1, 0), 0.5, 1e-12);
  EXPECT_NEAR(w(2, 0), 1.0, 1e-12);  // the bias.
  EXPECT_NEAR(solved->training_error, 0.0, 1e-20);
}

TEST(ReadoutSetTest, SolveRefusesAFitThatOverflows) {
  ReadoutSet set;
  const absl::Status s =
      PrepareAndSolve(set, Values({1e308, 1e308, -1e308, 1e308}), 0.0).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("overflow"), std::string::npos) << s;
}

TEST(ReadoutSetTest, InstallAddsOrReplacesByName) {
  ReadoutSet set;
  const NamedReadout* first = set.Install("r", OfRows(2));
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->readout.weights().rows(), 2);
  const NamedReadout* again = set.Install("r", OfRows(5));
  EXPECT_EQ(again->readout.weights().rows(), 5);
  EXPECT_EQ(set.readouts().size(), 1u);
  EXPECT_EQ(&set.readouts().at("r"), again);
  set.Install("a", OfRows(1));
  EXPECT_EQ(set.readouts().begin()->first, "a");  // by name.
}

TEST(ReadoutSetTest, RestoreChecksTheShapeAndRefusesADuplicateName) {
  ReadoutSet set;
  const ReadoutFeatures features;  // x0, x1 and a bias: 3 rows.
  EXPECT_TRUE(
      set.Restore("r", Named(Eigen::MatrixXd::Ones(3, 2), features), kShape)
          .ok());
  absl::Status s =
      set.Restore("r", Named(Eigen::MatrixXd::Ones(3, 2), features), kShape);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "readout \"r\" appears twice");
  s = set.Restore("short", Named(Eigen::MatrixXd::Ones(4, 1), features),
                  kShape);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "readout \"short\" has 4 weight rows; its features need 3");
  // Weights without a bias row for features that have one.
  NamedReadout no_bias = OfRows(3);
  no_bias.features.bias = true;
  s = set.Restore("nobias", std::move(no_bias), kShape);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(set.readouts().size(), 1u);
}

TEST(ReadoutSetTest, RemoveDeletesAndAnUnknownNameIsNotFound) {
  ReadoutSet set;
  set.Install("r", OfRows(1));
  EXPECT_TRUE(set.Remove("r").ok());
  EXPECT_TRUE(set.readouts().empty());
  const absl::Status s = set.Remove("r");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no readout \"r\"");
}

TEST(ReadoutSetTest, SelectKeepsTheOrderAskedAndNamesTheFirstProblem) {
  ReadoutSet set;
  const NamedReadout* a = set.Install("a", OfRows(1));
  const NamedReadout* b = set.Install("b", OfRows(2));
  absl::StatusOr<std::vector<const NamedReadout*>> picked =
      set.Select({"b", "a"});
  ASSERT_TRUE(picked.ok()) << picked.status();
  EXPECT_EQ(*picked, (std::vector<const NamedReadout*>{b, a}));
  EXPECT_TRUE(set.Select({})->empty());
  absl::Status s = set.Select({"a", "ghost", "a"}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(),
            "no readout \"ghost\" in this session (FitReadout makes one)");
  s = set.Select({"a", "a", "ghost"}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "readout \"a\" is named twice");
}

// Weights by row: x0, x1, u, bias; two outputs.
//   x = (1, 1), u = 0.5: (1 + 2 + 5 + 0.25, -1 + 0.5 + 0 + 3) = (8.25, 2.5)
//   x = (0, 1), u = 0:   (2 + 0.25, 0.5 + 3) = (2.25, 3.5)
TEST(ReadoutSetTest, ScoreSumsActiveRowsInputsAndBias) {
  Eigen::MatrixXd w(4, 2);
  w << 1, -1,  //
      2, 0.5,  //
      10, 0,   //
      0.25, 3;
  const NamedReadout r =
      Named(w, {Population::kExcitatory, /*include_input=*/true, true});
  double scores[2];
  EXPECT_EQ(
      ReadoutSet::Score(r, Record(1, 1), std::vector<double>{0.5}, scores), 0);
  EXPECT_DOUBLE_EQ(scores[0], 8.25);
  EXPECT_DOUBLE_EQ(scores[1], 2.5);
  EXPECT_EQ(
      ReadoutSet::Score(r, Record(0, 1), std::vector<double>{0.0}, scores), 1);
  EXPECT_DOUBLE_EQ(scores[0], 2.25);
  EXPECT_DOUBLE_EQ(scores[1], 3.5);
}

TEST(ReadoutSetTest, ScoreReadsThePopulationItWasFittedOnAndBreaksTiesLow) {
  // Recurrent r = (1 - x0, 1 - x1): x = (0, 1) makes r = (1, 0).
  Eigen::MatrixXd w(2, 3);
  w << 4, 4, 1,  //
      7, 7, 0;
  ReadoutFeatures recurrent{Population::kRecurrent, false, false};
  double scores[3];
  EXPECT_EQ(ReadoutSet::Score(Named(w, recurrent), Record(0, 1), {}, scores),
            0);  // (4, 4, 1): a tie between 0 and 1.
  EXPECT_DOUBLE_EQ(scores[0], 4);
  EXPECT_DOUBLE_EQ(scores[1], 4);
  EXPECT_DOUBLE_EQ(scores[2], 1);
  // Inhibitory: y0 and the bias.
  Eigen::MatrixXd v(2, 1);
  v << 3, -1;
  ReadoutFeatures inhibitory{Population::kInhibitory, false, true};
  EXPECT_EQ(
      ReadoutSet::Score(Named(v, inhibitory), Record(0, 0, 1), {}, scores), 0);
  EXPECT_DOUBLE_EQ(scores[0], 2);
  ReadoutSet::Score(Named(v, inhibitory), Record(1, 1, 0), {}, scores);
  EXPECT_DOUBLE_EQ(scores[0], -1);
}

}  // namespace
}  // namespace sorn::server
