// SessionRun in process: the run loop Simulate, Train and Step share. It
// steps the network exactly as stepping it directly would, logs and counts
// each step, stops a batch where its hooks say, applies the call's freeze to
// its steps only, holds the session's driver for its life, and checkpoints
// every N steps and at the end (read back from the archive's files).
#include "server/sessions/session_run.h"

#include <filesystem>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "server/storage/file_archive.h"
#include "server/storage/session_files.h"
#include "tests/support/test_files.h"

namespace sorn::server {
namespace {

namespace fs = std::filesystem;

class SessionRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("run");
    files_ = std::make_unique<SessionFiles>(dir_.string());
    ASSERT_TRUE(files_->Open().ok());
    archive_ = std::make_unique<FileArchive>(files_.get());
    ServerOptions options;
    options.record_buffer_steps = 100;
    store_ = std::make_unique<SessionStore>(options, archive_.get(), &metrics_);
    Params params;
    params.ne = 40;
    params.nu = 4;
    absl::StatusOr<std::shared_ptr<Session>> session = store_->Create(
        {"alice", Role::kUser, {}}, "s", params, 7, std::nullopt);
    ASSERT_TRUE(session.ok()) << session.status();
    session_ = *session;
  }
  void TearDown() override { fs::remove_all(dir_); }

  absl::StatusOr<SessionRun> Begin(int64_t checkpoint_every = 0,
                                   FreezeSet freeze = FreezeSet(),
                                   std::vector<std::string> readouts = {}) {
    SessionRun::Options options;
    options.checkpoint_every_steps = checkpoint_every;
    options.freeze = freeze;
    options.tenant = "alice";
    return SessionRun::Begin(store_.get(), session_, readouts, options,
                             &metrics_);
  }
  // The step count of the session's file.
  int64_t SavedStep() {
    absl::StatusOr<ArchivedSession> saved = archive_->Load("alice", "s");
    EXPECT_TRUE(saved.ok()) << saved.status();
    return saved.ok() ? saved->state.step : -1;
  }
  int64_t LoggedSteps() {
    return session_->WithState([](const Network&, const ActivityLog& log,
                                  const ReadoutSet&) { return log.size(); });
  }

  fs::path dir_;
  ServerMetrics metrics_;
  std::unique_ptr<SessionFiles> files_;
  std::unique_ptr<FileArchive> archive_;
  std::unique_ptr<SessionStore> store_;
  std::shared_ptr<Session> session_;
};

// Input of step t for unit u: the same for the run and the direct replay.
double InputOf(int64_t t, int u) { return ((t * 7 + u * 3) % 5) * 0.1; }

TEST_F(SessionRunTest, StepsAsTheNetworkDoesAndLogsAndCountsEachStep) {
  // The replay: a copy of the network stepped directly.
  Network copy = session_->WithState([](const Network& net, const ActivityLog&,
                                        const ReadoutSet&) { return net; });
  absl::StatusOr<SessionRun> run = Begin();
  ASSERT_TRUE(run.ok()) << run.status();
  std::vector<double> input(4);
  std::vector<std::vector<uint8_t>> seen;
  for (int batch = 0; batch < 3; ++batch) {
    SessionRun::Batch ran = run->RunBatch(
        10, StepOptions(),
        [&](int k, const Network&, StepOptions&,
            std::span<const double>& in) -> absl::StatusOr<bool> {
          for (int u = 0; u < 4; ++u) input[u] = InputOf(run->steps() + k, u);
          in = input;
          return true;
        },
        [&](int, const Network&, const StepRecord& record,
            std::span<const double>) { seen.push_back(record.x); });
    ASSERT_TRUE(ran.checkpoint.ok()) << ran.checkpoint;
    EXPECT_EQ(ran.steps, 10);
    EXPECT_TRUE(ran.error.ok());
  }
  EXPECT_EQ(run->steps(), 30);
  EXPECT_EQ(LoggedSteps(), 30);
  ASSERT_EQ(seen.size(), 30u);
  StepRecord record;
  for (int64_t t = 0; t < 30; ++t) {
    for (int u = 0; u < 4; ++u) input[u] = InputOf(t, u);
    ASSERT_TRUE(copy.Step(input, StepOptions(), &record).ok());
    EXPECT_EQ(record.x, seen[t]) << "step " << t;
  }
  const NetworkState after =
      session_->WithState([](const Network& net, const ActivityLog&,
                             const ReadoutSet&) { return net.ExportState(); });
  EXPECT_EQ(after.step, 30);
  EXPECT_EQ(after.wee.stored.value, copy.ExportState().wee.stored.value);
  EXPECT_EQ(after.wee.stored.post, copy.ExportState().wee.stored.post);
}

TEST_F(SessionRunTest, AHookEndsTheBatchEarlyOrWithAnErrorKeepingEarlierSteps) {
  absl::StatusOr<SessionRun> run = Begin();
  ASSERT_TRUE(run.ok());
  std::vector<double> zero(4, 0.0);
  auto done = [](int, const Network&, const StepRecord&,
                 std::span<const double>) {};
  SessionRun::Batch stopped = run->RunBatch(
      10, StepOptions(),
      [&](int k, const Network&, StepOptions&,
          std::span<const double>& in) -> absl::StatusOr<bool> {
        in = zero;
        return k < 4;
      },
      done);
  ASSERT_TRUE(stopped.checkpoint.ok());
  EXPECT_EQ(stopped.steps, 4);
  EXPECT_TRUE(stopped.error.ok());
  SessionRun::Batch failed = run->RunBatch(
      10, StepOptions(),
      [&](int k, const Network&, StepOptions&,
          std::span<const double>& in) -> absl::StatusOr<bool> {
        if (k == 2) return absl::ResourceExhaustedError("no room");
        in = zero;
        return true;
      },
      done);
  ASSERT_TRUE(failed.checkpoint.ok());
  EXPECT_EQ(failed.steps, 2);
  EXPECT_EQ(failed.error.code(), absl::StatusCode::kResourceExhausted);
  // An input of the wrong size is the engine's error, after 0 steps.
  std::vector<double> wrong(3, 0.0);
  SessionRun::Batch bad = run->RunBatch(
      5, StepOptions(),
      [&](int, const Network&, StepOptions&,
          std::span<const double>& in) -> absl::StatusOr<bool> {
        in = wrong;
        return true;
      },
      done);
  ASSERT_TRUE(bad.checkpoint.ok());
  EXPECT_EQ(bad.steps, 0);
  EXPECT_EQ(bad.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(run->steps(), 6);
  EXPECT_EQ(LoggedSteps(), 6);
}

TEST_F(SessionRunTest, TheCallsFreezeAppliesToItsStepsOnly) {
  const FreezeSet call = *FreezeSet::FromNames({"ip", "sp"});
  absl::StatusOr<SessionRun> run = Begin(0, call);
  ASSERT_TRUE(run.ok());
  std::vector<double> zero(4, 0.0);
  FreezeSet during;
  ASSERT_TRUE(run->RunBatch(
                     1, StepOptions(),
                     [&](int, const Network& net, StepOptions&,
                         std::span<const double>& in) -> absl::StatusOr<bool> {
                       during = net.frozen();
                       in = zero;
                       return true;
                     },
                     [](int, const Network&, const StepRecord&,
                        std::span<const double>) {})
                  .error.ok());
  EXPECT_EQ(during, call);
  const FreezeSet after =
      session_->WithState([](const Network& net, const ActivityLog&,
                             const ReadoutSet&) { return net.frozen(); });
  EXPECT_TRUE(after.empty());
}

TEST_F(SessionRunTest, HoldsTheDriverAndRefusesUnknownReadouts) {
  {
    absl::StatusOr<SessionRun> run = Begin();
    ASSERT_TRUE(run.ok());
    EXPECT_EQ(Begin().status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(session_->TryDrive().status().code(),
              absl::StatusCode::kFailedPrecondition);
  }
  EXPECT_TRUE(session_->TryDrive().ok());  // released with the run.
  EXPECT_EQ(Begin(0, FreezeSet(), {"nope"}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(session_->TryDrive().ok());  // a refused Begin holds nothing.
}

// Runs `count` steps of zero input in one batch.
void ZeroBatch(SessionRun& run, int count) {
  std::vector<double> zero(4, 0.0);
  SessionRun::Batch ran = run.RunBatch(
      count, StepOptions(),
      [&](int, const Network&, StepOptions&,
          std::span<const double>& in) -> absl::StatusOr<bool> {
        in = zero;
        return true;
      },
      [](int, const Network&, const StepRecord&, std::span<const double>) {});
  ASSERT_TRUE(ran.checkpoint.ok()) << ran.checkpoint;
  EXPECT_EQ(ran.steps, count);
}

TEST_F(SessionRunTest, ChecksPointsEveryNStepsAndAtTheEnd) {
  {
    absl::StatusOr<SessionRun> run = Begin(/*checkpoint_every=*/10);
    ASSERT_TRUE(run.ok());
    ASSERT_TRUE(run->StartCheckpoints().ok());
    EXPECT_EQ(SavedStep(), 0);  // Create wrote the new session.
    ZeroBatch(*run, 6);
    EXPECT_EQ(SavedStep(), 0);  // 6 unsaved steps: not due yet.
    ZeroBatch(*run, 6);
    EXPECT_EQ(SavedStep(), 12);  // 12 >= 10: written after the batch.
    ZeroBatch(*run, 3);
    EXPECT_EQ(SavedStep(), 12);
    EXPECT_TRUE(run->Finish(absl::OkStatus()).ok());
    EXPECT_EQ(SavedStep(), 15);  // the end writes the rest.
  }
  // A cancelled call's steps ran and are state: Finish saves them and keeps
  // the call's own error.
  absl::StatusOr<SessionRun> run = Begin(/*checkpoint_every=*/100);
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(run->StartCheckpoints().ok());
  ZeroBatch(*run, 2);
  EXPECT_EQ(SavedStep(), 15);
  EXPECT_EQ(run->Finish(absl::CancelledError("gone")).code(),
            absl::StatusCode::kCancelled);
  EXPECT_EQ(SavedStep(), 17);
}

}  // namespace
}  // namespace sorn::server
