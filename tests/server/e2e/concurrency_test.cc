// Concurrency: parallel sessions give the same results as sequential ones,
// a session has one driver at a time, and cancellation stops a long run
// promptly without harming the session.
#include <chrono>
#include <thread>

#include "gtest/gtest.h"
#include "tests/support/api_calls.h"
#include "tests/support/test_environment.h"
#include "tests/support/test_server.h"

namespace sorn {
namespace {

namespace pb = ::sorn::v1;
using Clock = std::chrono::steady_clock;

// Polls until a driving call (Freeze with nothing to change) is accepted.
Clock::duration TimeUntilDrivable(pb::Sorn::Stub* stub,
                                  const std::string& name) {
  const Clock::time_point start = Clock::now();
  for (;;) {
    grpc::ClientContext ctx;
    pb::FreezeRequest req;
    req.set_session(name);
    pb::SessionInfo info;
    if (stub->Freeze(&ctx, req, &info).ok()) return Clock::now() - start;
    if (Clock::now() - start > std::chrono::seconds(10))
      return Clock::now() - start;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

class ConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    stub_ = server_.NewStub();
  }
  TestServer server_;
  std::unique_ptr<pb::Sorn::Stub> stub_;
};

TEST_F(ConcurrencyTest, EightParallelClientsMatchSequentialRuns) {
  constexpr int kClients = 8;
  std::vector<std::string> sequential(kClients), parallel(kClients);
  for (int c = 0; c < kClients; ++c) {
    const std::string name = "seq" + std::to_string(c);
    ASSERT_TRUE(CreateTestSession(stub_.get(), name, 100 + c).ok());
    sequential[c] = SimulateX(stub_.get(), UniformRun(name, 3000, c));
  }
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      // Each client has its own channel.
      auto channel = grpc::CreateChannel(server_.address(),
                                         grpc::InsecureChannelCredentials());
      auto stub = pb::Sorn::NewStub(channel);
      const std::string name = "par" + std::to_string(c);
      ASSERT_TRUE(CreateTestSession(stub.get(), name, 100 + c).ok());
      parallel[c] = SimulateX(stub.get(), UniformRun(name, 3000, c));
    });
  }
  for (std::thread& t : threads) t.join();
  for (int c = 0; c < kClients; ++c) {
    EXPECT_EQ(parallel[c].size(), 3000u * 25);
    EXPECT_EQ(parallel[c], sequential[c]) << "client " << c;
  }
}

TEST_F(ConcurrencyTest, SecondDriverIsRefusedAndCancellationIsPrompt) {
  ASSERT_TRUE(CreateTestSession(stub_.get(), "busy", 1).ok());
  ASSERT_TRUE(CreateTestSession(stub_.get(), "other", 2).ok());
  grpc::ClientContext ctx;
  auto reader = stub_->Simulate(&ctx, UniformRun("busy", 1'000'000, 1));
  pb::RunResponse first;
  ASSERT_TRUE(reader->Read(&first));  // the run holds the session now.

  {  // A second Simulate, a Step stream and a Freeze are refused at once.
    grpc::ClientContext c2;
    auto second = stub_->Simulate(&c2, UniformRun("busy", 10, 1));
    pb::RunResponse r;
    EXPECT_FALSE(second->Read(&r));
    const grpc::Status s = second->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_NE(s.error_message().find("being driven by another call"),
              std::string::npos);
  }
  {
    grpc::ClientContext c3;
    auto stream = stub_->Step(&c3);
    pb::StepRequest req;
    req.set_session("busy");
    for (int k = 0; k < 10; ++k) req.add_input(0.5);
    stream->Write(req);
    stream->WritesDone();
    pb::StepResponse resp;
    EXPECT_FALSE(stream->Read(&resp));
    EXPECT_EQ(stream->Finish().error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
  }
  // Readers and other sessions are served meanwhile.
  {
    grpc::ClientContext c4;
    pb::GetSessionRequest get;
    get.set_name("busy");
    pb::SessionInfo info;
    ASSERT_TRUE(stub_->GetSession(&c4, get, &info).ok());
    EXPECT_GT(info.step(), 0);
  }
  EXPECT_EQ(SimulateX(stub_.get(), UniformRun("other", 500, 2)).size(),
            500u * 25);

  // Cancel: the server stops and releases the session within 100 ms.
  ctx.TryCancel();
  const Clock::duration released = TimeUntilDrivable(stub_.get(), "busy");
  EXPECT_LT(released, std::chrono::milliseconds(100) * TimeScale())
      << std::chrono::duration_cast<std::chrono::milliseconds>(released).count()
      << " ms";
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // And it is still usable.
  EXPECT_EQ(SimulateX(stub_.get(), UniformRun("busy", 100, 3)).size(),
            100u * 25);
}

TEST_F(ConcurrencyTest, DeadlineStopsALongRun) {
  ASSERT_TRUE(CreateTestSession(stub_.get(), "late", 1).ok());
  grpc::ClientContext ctx;
  // Long enough for the first messages even from a sanitized server.
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(int(300 * TimeScale())));
  auto reader = stub_->Simulate(&ctx, UniformRun("late", 1'000'000, 1));
  pb::RunResponse r;
  int64_t steps = 0;
  while (reader->Read(&r)) steps += r.steps();
  const Clock::time_point expired = Clock::now();
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_GT(steps, 0);
  EXPECT_LT(steps, 1'000'000);
  const Clock::duration released = TimeUntilDrivable(stub_.get(), "late");
  EXPECT_LT(released, std::chrono::milliseconds(100) * TimeScale());
  (void)expired;
  grpc::ClientContext c2;
  pb::GetSessionRequest get;
  get.set_name("late");
  pb::SessionInfo info;
  ASSERT_TRUE(stub_->GetSession(&c2, get, &info).ok());
  EXPECT_GE(info.step(), steps);  // every streamed step happened.
}

}  // namespace
}  // namespace sorn
