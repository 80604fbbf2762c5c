// SessionStore in process, without gRPC, over a FileArchive in a scratch
// directory: the lifecycle rules (a name is claimed from Begin to Commit,
// deleted and replaced sessions cannot be driven, a failed write rolls back)
// and start-up's clean-up of the files it finds.
#include "server/sessions/session_store.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/memory_estimate.h"
#include "gtest/gtest.h"
#include "server/sessions/memory_budget.h"
#include "server/storage/file_archive.h"
#include "server/storage/session_files.h"
#include "tests/support/test_files.h"

namespace sorn::server {
namespace {

namespace fs = std::filesystem;

Params Small(int ne = 40) {
  Params p;
  p.ne = ne;
  return p;
}

Caller Alice(TenantQuota quota = {}) { return {"alice", Role::kUser, quota}; }

class SessionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("store");
    files_ = std::make_unique<SessionFiles>(dir_.string());
    ASSERT_TRUE(files_->Open().ok());
    archive_ = std::make_unique<FileArchive>(files_.get());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<SessionStore> NewStore(int64_t memory = int64_t{1} << 34) {
    ServerOptions options;
    options.max_memory_bytes = memory;
    options.record_buffer_steps = 10;
    return std::make_unique<SessionStore>(options, archive_.get(), &metrics_);
  }
  void Step(Session& session, int steps) {
    session.WithState([&](Network& net, ActivityLog&, ReadoutSet&) {
      std::vector<double> input(net.nu(), 0.0);
      StepRecord record;
      for (int t = 0; t < steps; ++t) {
        ASSERT_TRUE(net.Step(input, StepOptions(), &record).ok());
      }
    });
  }
  int64_t StepCount(const Session& session) {
    return session.WithState(
        [](const Network& net, const ActivityLog&, const ReadoutSet&) {
          return net.step_count();
        });
  }

  fs::path dir_;
  ServerMetrics metrics_;
  std::unique_ptr<SessionFiles> files_;
  std::unique_ptr<FileArchive> archive_;
};

TEST_F(SessionStoreTest, ANameBeingMadeIsClaimedButNotVisible) {
  auto store = NewStore();
  absl::StatusOr<SessionStore::NewSession> pending =
      store->Begin(Alice(), "a", Small(), std::nullopt, false);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(store->Get(Alice(), "a").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store->Delete(Alice(), "a").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(
      store->Begin(Alice(), "a", Small(), std::nullopt, false).status().code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(
      store->Begin(Alice(), "a", Small(), std::nullopt, true).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(files_->PathOf("alice", "a")));
  EXPECT_GT(store->budget()->reserved(), 0);
  absl::StatusOr<Network> net = Network::Create(Small(), 1);
  ASSERT_TRUE(net.ok());
  absl::StatusOr<std::shared_ptr<Session>> made =
      store->Commit(*std::move(pending), *std::move(net), ReadoutSet(), 1);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_TRUE(fs::exists(files_->PathOf("alice", "a")));  // durable first.
  EXPECT_TRUE(store->Get(Alice(), "a").ok());
}

TEST_F(SessionStoreTest, AnAbandonedNameGivesEverythingBack) {
  auto store = NewStore();
  const TenantQuota one{.max_sessions = 1};
  {
    absl::StatusOr<SessionStore::NewSession> pending =
        store->Begin(Alice(one), "a", Small(), std::nullopt, false);
    ASSERT_TRUE(pending.ok());
    EXPECT_EQ(store->Begin(Alice(one), "b", Small(), std::nullopt, false)
                  .status()
                  .code(),
              absl::StatusCode::kResourceExhausted);  // the quota is taken.
  }
  EXPECT_EQ(store->budget()->reserved(), 0);
  EXPECT_TRUE(store->Create(Alice(one), "b", Small(), 1, std::nullopt).ok());
}

TEST_F(SessionStoreTest, DeletedAndReplacedSessionsCannotBeDrivenAgain) {
  auto store = NewStore();
  ASSERT_TRUE(store->Create(Alice(), "a", Small(), 1, std::nullopt).ok());
  std::shared_ptr<Session> early = *store->Get(Alice(), "a");
  {
    absl::StatusOr<Session::Driver> driver = early->TryDrive();
    ASSERT_TRUE(driver.ok());
    EXPECT_EQ(store->Delete(Alice(), "a").code(),
              absl::StatusCode::kFailedPrecondition);
  }
  ASSERT_TRUE(store->Delete(Alice(), "a").ok());
  EXPECT_FALSE(fs::exists(files_->PathOf("alice", "a")));
  // A call that found the session before the delete cannot drive it, so
  // it can never write the file of a new session of that name.
  EXPECT_EQ(early->TryDrive().status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store->Create(Alice(), "a", Small(), 2, std::nullopt).ok());
  std::shared_ptr<Session> second = *store->Get(Alice(), "a");
  absl::StatusOr<SessionStore::NewSession> replacing =
      store->Begin(Alice(), "a", Small(), std::nullopt, /*replace=*/true);
  ASSERT_TRUE(replacing.ok());
  // The old session is held by the replacement until it commits.
  EXPECT_EQ(second->TryDrive().status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<Network> net = Network::Create(Small(), 3);
  ASSERT_TRUE(
      store->Commit(*std::move(replacing), *std::move(net), ReadoutSet(), 3)
          .ok());
  EXPECT_EQ(second->TryDrive().status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*store->Get(Alice(), "a"))->seed(), 3u);
}

// A write that cannot be made (here: no memory left to serialize it) rolls
// the session back to its file.
TEST_F(SessionStoreTest, AFailedWriteRollsBackToTheLastSavedState) {
  const int64_t bytes = SessionStore::SessionBytes(Small(), 10);
  // Saving one session needs twice its bytes more: room for one such save.
  auto store = NewStore(/*memory=*/bytes * 7 / 2);
  absl::StatusOr<std::shared_ptr<Session>> s =
      store->Create(Alice(), "a", Small(), 1, std::nullopt);
  ASSERT_TRUE(s.ok()) << s.status();
  Step(**s, 5);
  absl::StatusOr<Session::Driver> driver = (*s)->TryDrive();
  ASSERT_TRUE(driver.ok());
  ASSERT_TRUE(store->Persist(**s).ok());
  // Another call takes the room that saving needs.
  absl::StatusOr<MemoryBudget::Reservation> other =
      store->budget()->Reserve(bytes, "another call");
  ASSERT_TRUE(other.ok());
  Step(**s, 7);
  EXPECT_EQ(StepCount(**s), 12);
  const absl::Status failed = store->Persist(**s);
  EXPECT_EQ(failed.code(), absl::StatusCode::kResourceExhausted) << failed;
  EXPECT_NE(failed.message().find("back at its last saved state"),
            std::string::npos)
      << failed;
  EXPECT_EQ(StepCount(**s), 5);
}

// Building a network holds its initial state beside it: a server with room
// for the session but not for building it refuses, and keeps nothing.
TEST_F(SessionStoreTest, CreateReservesTheMemoryItNeedsWhileBuilding) {
  const int64_t bytes = SessionStore::SessionBytes(Small(), 10);
  const int64_t building = EstimateBuildBytes(Small());
  ASSERT_GT(building, 0);
  {
    auto store = NewStore(/*memory=*/bytes + building - 1);
    absl::StatusOr<std::shared_ptr<Session>> s =
        store->Create(Alice(), "a", Small(), 1, std::nullopt);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kResourceExhausted);
    EXPECT_NE(s.status().message().find("building the session"),
              std::string::npos)
        << s.status();
    EXPECT_EQ(store->Get(Alice(), "a").status().code(),
              absl::StatusCode::kNotFound);
    EXPECT_EQ(store->budget()->reserved(), 0);
  }
  // Room for both: created, and afterwards only the session stays reserved
  // (plus nothing for the write, which has finished).
  auto store = NewStore(/*memory=*/(bytes + building) * 4);
  ASSERT_TRUE(store->Create(Alice(), "a", Small(), 1, std::nullopt).ok());
  EXPECT_EQ(store->budget()->reserved(), bytes);
}

TEST_F(SessionStoreTest, LoadingMovesUnloadableFilesAsideAndRemovesTempFiles) {
  {
    auto store = NewStore();
    ASSERT_TRUE(store->Create(Alice(), "good", Small(), 1, std::nullopt).ok());
    ASSERT_TRUE(store->Create(Alice(), "bad", Small(), 2, std::nullopt).ok());
  }
  fs::resize_file(files_->PathOf("alice", "bad"), 30);
  std::ofstream(files_->PathOf("alice", "x") + ".tmp") << "torn";
  auto store = NewStore();
  std::vector<std::string> reports;
  EXPECT_EQ(
      store->LoadFromDisk([&](const std::string& r) { reports.push_back(r); }),
      1);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_NE(reports[0].find("x.sorn.tmp"), std::string::npos) << reports[0];
  EXPECT_NE(reports[1].find("truncated"), std::string::npos) << reports[1];
  EXPECT_NE(reports[1].find("bad.sorn.unloadable-"), std::string::npos);
  EXPECT_FALSE(fs::exists(files_->PathOf("alice", "x") + ".tmp"));
  EXPECT_FALSE(fs::exists(files_->PathOf("alice", "bad")));
  EXPECT_TRUE(store->Get(Alice(), "good").ok());
}

TEST_F(SessionStoreTest, ReapIdleDeletesOnlyIdleUndrivenEphemeralSessions) {
  using std::chrono::milliseconds;
  auto store = NewStore();
  ASSERT_TRUE(store->Create(Alice(), "named", Small(), 1, std::nullopt).ok());
  ASSERT_TRUE(store
                  ->Create(Alice(), "idle", Small(), 2, std::nullopt,
                           /*ephemeral=*/true)
                  .ok());
  absl::StatusOr<std::shared_ptr<Session>> used = store->Create(
      Alice(), "used", Small(), 3, std::nullopt, /*ephemeral=*/true);
  absl::StatusOr<std::shared_ptr<Session>> driven = store->Create(
      Alice(), "driven", Small(), 4, std::nullopt, /*ephemeral=*/true);
  ASSERT_TRUE(used.ok() && driven.ok());
  EXPECT_TRUE(
      store->ReapIdle(std::chrono::steady_clock::now(), milliseconds(30))
          .empty());  // nothing is idle yet.
  absl::StatusOr<Session::Driver> driver = (*driven)->TryDrive();
  ASSERT_TRUE(driver.ok());
  // "used" is used 50 ms after the others were made; the reaper looks 10 ms
  // after that with a TTL of 30 ms: the others have been idle >= 60 ms.
  std::this_thread::sleep_for(milliseconds(50));
  (*used)->Touch();
  const auto now = (*used)->last_used() + milliseconds(10);
  EXPECT_EQ(store->ReapIdle(now, milliseconds(30)),
            std::vector<std::string>{"alice/idle"});
  EXPECT_EQ(store->Get(Alice(), "idle").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(files_->PathOf("alice", "idle")));  // file too.
  EXPECT_TRUE(store->Get(Alice(), "used").ok());              // used recently.
  EXPECT_TRUE(store->Get(Alice(), "driven").ok());            // in use.
  EXPECT_TRUE(store->Get(Alice(), "named").ok());             // never reaped.
  // Once its driver lets go, the driven one counts as just used; later
  // still, every ephemeral session goes and the named one stays.
  driver = absl::CancelledError("released");
  const auto released = std::chrono::steady_clock::now();
  EXPECT_TRUE(store->ReapIdle(released + milliseconds(20), milliseconds(30))
                  .empty());  // without the touch, "driven" would go here.
  const auto much_later = std::chrono::steady_clock::now() + milliseconds(31);
  EXPECT_EQ(store->ReapIdle(much_later, milliseconds(30)),
            (std::vector<std::string>{"alice/driven", "alice/used"}));
  EXPECT_TRUE(store->Get(Alice(), "named").ok());
  EXPECT_EQ(store->List(Alice(), false).size(), 1u);
}

TEST_F(SessionStoreTest, EphemeralSessionsStayEphemeralAcrossARestart) {
  {
    auto store = NewStore();
    ASSERT_TRUE(store
                    ->Create(Alice(), "e", Small(), 1, std::nullopt,
                             /*ephemeral=*/true)
                    .ok());
    ASSERT_TRUE(store->Create(Alice(), "n", Small(), 2, std::nullopt).ok());
  }
  auto store = NewStore();
  ASSERT_EQ(store->LoadFromDisk([](const std::string&) {}), 2);
  EXPECT_TRUE((*store->Get(Alice(), "e"))->ephemeral());
  EXPECT_FALSE((*store->Get(Alice(), "n"))->ephemeral());
}

TEST_F(SessionStoreTest, AForkMadeForARunIsWrittenByTheRunNotTwice) {
  auto store = NewStore();
  auto source = store->Create(Alice(), "s", Small(), 1, std::nullopt);
  ASSERT_TRUE(source.ok());
  auto written = store->Fork(Alice(), **source, "written", std::nullopt,
                             /*ephemeral=*/true);
  auto later = store->Fork(Alice(), **source, "later", std::nullopt,
                           /*ephemeral=*/true, /*write=*/false);
  ASSERT_TRUE(written.ok() && later.ok());
  EXPECT_TRUE(fs::exists(archive_->Where("alice", "written")));
  EXPECT_FALSE(fs::exists(archive_->Where("alice", "later")));
  // Visible and runnable at once; its run's checkpoint writes it.
  ASSERT_TRUE(store->Get(Alice(), "later").ok());
  Step(**later, 3);
  ASSERT_TRUE(store->Persist(**later, /*memory_held=*/false).ok());
  ASSERT_TRUE(fs::exists(archive_->Where("alice", "later")));
  auto loaded = archive_->Load("alice", "later");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->state.step, 3);
  EXPECT_TRUE(loaded->ephemeral);
  // Deleting an unwritten fork (a failed run's) is no error.
  auto unwritten = store->Fork(Alice(), **source, "gone", std::nullopt,
                               /*ephemeral=*/true, /*write=*/false);
  ASSERT_TRUE(unwritten.ok());
  unwritten->reset();
  EXPECT_TRUE(store->Delete(Alice(), "gone").ok());
  EXPECT_FALSE(store->Get(Alice(), "gone").ok());
}

}  // namespace
}  // namespace sorn::server
