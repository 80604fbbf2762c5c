// ActivityLog in process: a ring of the last recorded steps, oldest first,
// its mean rates, a zero capacity, and FitReadout's rows (skip_last, inputs
// aligned with activity across the ring's wrap).
#include "server/sessions/activity_log.h"

#include "gtest/gtest.h"

namespace sorn::server {
namespace {

StepRecord Record(int ne, int ni, int t) {
  StepRecord r;
  r.x.assign(ne, 0);
  r.r.assign(ne, 0);
  r.y.assign(ni, 0);
  r.x[t % ne] = 1;  // neuron t % ne fires at step t.
  r.x[(t + 3) % ne] = 1;
  r.y[t % ni] = 1;
  return r;
}

// Two input units: (t, -t) at step t.
std::vector<double> Input(int t) { return {double(t), -double(t)}; }

TEST(ActivityLogTest, KeepsTheLastStepsOldestFirst) {
  ActivityLog log(11, 3, 2, 4);
  for (int t = 0; t < 10; ++t) log.Append(Record(11, 3, t), Input(t));
  EXPECT_EQ(log.size(), 4);
  const SpikeTrain x = log.Train(Population::kExcitatory, 0);
  ASSERT_EQ(x.steps, 4);
  for (int k = 0; k < 4; ++k) {
    const int t = 6 + k;  // steps 6..9 remain.
    for (int i = 0; i < 11; ++i) {
      EXPECT_EQ(x.at(k, i), i == t % 11 || i == (t + 3) % 11) << t << " " << i;
    }
  }
  const SpikeTrain last2 = log.Train(Population::kInhibitory, 2);
  ASSERT_EQ(last2.steps, 2);
  EXPECT_EQ(last2.at(0, 8 % 3), 1);
  EXPECT_EQ(last2.at(1, 9 % 3), 1);
}

TEST(ActivityLogTest, MeanRatesFollowTheBuffer) {
  ActivityLog log(10, 2, 2, 3);
  EXPECT_EQ(log.MeanRate(Population::kExcitatory), 0.0);
  for (int t = 0; t < 7; ++t) log.Append(Record(10, 2, t), Input(t));
  EXPECT_DOUBLE_EQ(log.MeanRate(Population::kExcitatory), 2.0 / 10);
  EXPECT_DOUBLE_EQ(log.MeanRate(Population::kInhibitory), 1.0 / 2);
  EXPECT_DOUBLE_EQ(log.MeanRate(Population::kRecurrent), 0.0);
}

TEST(ActivityLogTest, ZeroCapacityRecordsNothing) {
  ActivityLog log(10, 2, 2, 0);
  log.Append(Record(10, 2, 0), Input(0));
  EXPECT_EQ(log.size(), 0);
  EXPECT_EQ(log.Train(Population::kExcitatory, 0).steps, 0);
  EXPECT_TRUE(log.Inputs(0).empty());
}

// FitReadout's rows: the last steps before the `skip_last` most recent ones,
// activity and inputs of the same steps, across the ring's wrap.
TEST(ActivityLogTest, SkipsTheMostRecentStepsAndKeepsInputsAligned) {
  ActivityLog log(11, 3, 2, 5);
  for (int t = 0; t < 12; ++t) log.Append(Record(11, 3, t), Input(t));
  // Steps 7..11 are kept; skip 2 -> 7..9; the last 2 of those -> 8, 9.
  const SpikeTrain x = log.Train(Population::kExcitatory, 2, 2);
  ASSERT_EQ(x.steps, 2);
  EXPECT_EQ(x.at(0, 8 % 11), 1);
  EXPECT_EQ(x.at(1, 9 % 11), 1);
  EXPECT_EQ(x.at(1, 8 % 11), 0);
  EXPECT_EQ(log.Inputs(2, 2), (std::vector<double>{8, -8, 9, -9}));
  // All but the skipped: 7..9.
  EXPECT_EQ(log.Inputs(0, 2), (std::vector<double>{7, -7, 8, -8, 9, -9}));
  EXPECT_EQ(log.Train(Population::kInhibitory, 0, 2).steps, 3);
  // Skipping everything leaves nothing.
  EXPECT_EQ(log.Train(Population::kExcitatory, 0, 5).steps, 0);
  EXPECT_TRUE(log.Inputs(0, 9).empty());
}

}  // namespace
}  // namespace sorn::server
