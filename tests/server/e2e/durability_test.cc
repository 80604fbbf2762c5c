// --data_dir: sessions survive kill -9 and SIGTERM; corrupt files are skipped.
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "tests/support/api_calls.h"
#include "tests/support/test_files.h"
#include "tests/support/test_server.h"

namespace sorn {
namespace {

namespace pb = ::sorn::v1;
namespace fs = std::filesystem;

class DurabilityTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = FreshTestDir("durability"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<std::string> Flags(int64_t checkpoint = 0) const {
    return {"--data_dir=" + dir_.string(),
            "--checkpoint_every_steps=" + std::to_string(checkpoint),
            "--grace_period=1"};
  }
  fs::path dir_;
};

// Starts a 1,000,000-step Simulate and returns once `min_steps` have arrived.
std::thread LongRun(const TestServer& server, const std::string& name,
                    int64_t min_steps, std::atomic<int64_t>* received) {
  std::thread t([&server, name, received] {
    auto stub = pb::Sorn::NewStub(grpc::CreateChannel(
        server.address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    auto reader = stub->Simulate(&ctx, UniformRun(name, 1'000'000, 77));
    pb::RunResponse r;
    while (reader->Read(&r)) *received += r.steps();
    reader->Finish();
  });
  while (*received < min_steps)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return t;
}

TEST_F(DurabilityTest, KillNineLosesNoAcknowledgedCall) {
  {
    TestServer server(Flags(/*checkpoint=*/0));
    ASSERT_TRUE(server.ok());
    auto stub = server.NewStub();
    ASSERT_TRUE(CreateTestSession(stub.get(), "kept", 5).ok());
    ASSERT_TRUE(CreateTestSession(stub.get(), "twin", 5).ok());
    ASSERT_TRUE(CreateTestSession(stub.get(), "gone", 6).ok());
    SimulateX(stub.get(), UniformRun("kept", 300, 1));
    SimulateX(stub.get(), UniformRun("twin", 300, 1));
    grpc::ClientContext ctx;
    pb::DeleteSessionRequest del;
    del.set_name("gone");
    pb::DeleteSessionResponse resp;
    ASSERT_TRUE(stub->DeleteSession(&ctx, del, &resp).ok());
    // kill -9 in the middle of an unacknowledged stream on "kept".
    std::atomic<int64_t> received{0};
    std::thread run = LongRun(server, "kept", 1000, &received);
    server.Kill9();
    run.join();
  }
  TestServer server(Flags());
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  EXPECT_EQ(StepOf(stub.get(), "kept"),
            300);  // the acknowledged calls, no more.
  EXPECT_EQ(StepOf(stub.get(), "twin"), 300);
  grpc::Status gone;
  StepOf(stub.get(), "gone", &gone);
  EXPECT_EQ(gone.error_code(), grpc::StatusCode::NOT_FOUND);
  // The restored session continues exactly like its never-interrupted twin
  // (same generator state, noise and structural plasticity on).
  EXPECT_EQ(SimulateX(stub.get(), UniformRun("kept", 500, 2)),
            SimulateX(stub.get(), UniformRun("twin", 500, 2)));
  EXPECT_EQ(ExportStateBytes(stub.get(), "kept"),
            ExportStateBytes(stub.get(), "twin"));
}

TEST_F(DurabilityTest, LongStreamsAreCheckpointed) {
  {
    TestServer server(Flags(/*checkpoint=*/1000));
    ASSERT_TRUE(server.ok());
    auto stub = server.NewStub();
    ASSERT_TRUE(CreateTestSession(stub.get(), "long", 3).ok());
    std::atomic<int64_t> received{0};
    std::thread run = LongRun(server, "long", 6000, &received);
    server.Kill9();
    run.join();
  }
  TestServer server(Flags());
  auto stub = server.NewStub();
  const int64_t step = StepOf(stub.get(), "long");
  EXPECT_GE(step, 1000);  // at least one checkpoint of the interrupted call.
  EXPECT_EQ(SimulateX(stub.get(), UniformRun("long", 10, 1)).size(),
            10u * 25);  // usable.
}

TEST_F(DurabilityTest, CorruptFilesAreSkippedAndOthersLoad) {
  {
    TestServer server(Flags());
    auto stub = server.NewStub();
    ASSERT_TRUE(CreateTestSession(stub.get(), "good", 1).ok());
    ASSERT_TRUE(CreateTestSession(stub.get(), "victim", 2).ok());
  }
  // Truncate one file, add garbage and a file from the future. Sessions
  // live in DIR/<tenant>/, here the local mode's tenant.
  const fs::path local = dir_ / "local";
  ASSERT_TRUE(fs::exists(local / "good.sorn"));
  fs::resize_file(local / "victim.sorn",
                  fs::file_size(local / "victim.sorn") / 2);
  std::ofstream(local / "garbage.sorn") << "not a session";
  {
    std::string bytes = ReadWholeFile(local / "good.sorn");
    const std::string original = bytes;
    bytes[8] = 99;  // format version 99.
    std::ofstream(local / "future.sorn", std::ios::binary) << bytes;
    // A good file in the wrong tenant's folder is not taken for its own.
    fs::create_directories(dir_ / "mallory");
    std::ofstream(dir_ / "mallory" / "good.sorn", std::ios::binary)
        << std::string(bytes).replace(8, 1, 1, char(1));
    // Format version 1 (before readouts; the payload is the same message
    // without them) is still read.
    ASSERT_EQ(original[8], 2);
    std::ofstream(local / "good.sorn", std::ios::binary)
        << std::string(original).replace(8, 1, 1, char(1));
  }
  TestServer server(Flags());
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  EXPECT_EQ(StepOf(stub.get(), "good"), 0);
  grpc::Status victim;
  StepOf(stub.get(), "victim", &victim);
  EXPECT_EQ(victim.error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext ctx;
  pb::ListSessionsRequest all;
  all.set_all_tenants(true);  // the local caller is an admin.
  pb::ListSessionsResponse list;
  ASSERT_TRUE(stub->ListSessions(&ctx, all, &list).ok());
  ASSERT_EQ(list.sessions_size(), 1);
  EXPECT_EQ(list.sessions(0).tenant(), "local");
}

TEST_F(DurabilityTest, SigtermCancelsWithinGraceSavesAndExitsZero) {
  int64_t before = 0;
  {
    TestServer server(Flags(/*checkpoint=*/0));
    ASSERT_TRUE(server.ok());
    auto stub = server.NewStub();
    ASSERT_TRUE(CreateTestSession(stub.get(), "busy", 4).ok());
    std::atomic<int64_t> received{0};
    std::thread run = LongRun(server, "busy", 2000, &received);
    const auto start = std::chrono::steady_clock::now();
    const int status = server.Stop();  // SIGTERM, wait.
    const auto took = std::chrono::steady_clock::now() - start;
    run.join();
    before = received;
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_LT(took, std::chrono::seconds(8));  // grace 1 s, plus teardown.
  }
  TestServer server(Flags());
  auto stub = server.NewStub();
  // The cancelled call's steps were saved as it ended.
  EXPECT_GE(StepOf(stub.get(), "busy"), before);
}

}  // namespace
}  // namespace sorn
