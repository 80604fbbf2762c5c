// Ephemeral sessions against the real server: with --ephemeral_session_ttl,
// an ephemeral session that no call uses is deleted (and says so in the
// log), one that calls keep using stays, named sessions are never deleted,
// and a bad TTL stops the server at start.
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "tests/support/api_calls.h"
#include "tests/support/test_files.h"
#include "tests/support/test_server.h"

namespace sorn {
namespace {

using std::chrono::seconds;
using std::chrono::steady_clock;

// Whether session `name` exists (GetSession answers OK), which uses it.
bool Exists(v1::Sorn::Stub* stub, const std::string& name) {
  grpc::Status status;
  GetSessionInfo(stub, name, &status);
  return status.ok();
}

// Whether ListSessions lists `name`: a look that does not use the session.
bool Listed(v1::Sorn::Stub* stub, const std::string& name) {
  grpc::ClientContext context;
  v1::ListSessionsRequest request;
  v1::ListSessionsResponse response;
  EXPECT_TRUE(stub->ListSessions(&context, request, &response).ok());
  for (const v1::SessionInfo& s : response.sessions()) {
    if (s.name() == name) return true;
  }
  return false;
}

TEST(EphemeralSessionsTest, AnUnusedEphemeralSessionIsDeletedAfterItsTtl) {
  const std::string log = FreshTestDir("ephemeral").string() + ".log";
  TestServerOptions options;
  options.stderr_path = log;
  TestServer server({"--ephemeral_session_ttl=1"}, options);
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  auto ephemeral = [](v1::CreateSessionRequest& r) { r.set_ephemeral(true); };
  ASSERT_TRUE(CreateTestSession(stub.get(), "named").ok());
  v1::SessionInfo info;
  ASSERT_TRUE(CreateTestSession(stub.get(), "idle", 2, ephemeral, &info).ok());
  EXPECT_TRUE(info.ephemeral());
  EXPECT_FALSE(GetSessionInfo(stub.get(), "named").ephemeral());
  ASSERT_TRUE(CreateTestSession(stub.get(), "busy", 3, ephemeral).ok());
  const auto made = steady_clock::now();
  // "busy" is used every 200 ms for 3 s (three TTLs): it stays meanwhile;
  // "idle" goes.
  while (steady_clock::now() - made < seconds(3)) {
    ASSERT_TRUE(Exists(stub.get(), "busy"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_FALSE(Listed(stub.get(), "idle"));
  EXPECT_TRUE(Listed(stub.get(), "busy"));
  // Left alone after one last use, "busy" goes too (within its TTL and a
  // reaper period, with a generous bound for a loaded machine), not before
  // its TTL counted from that use; "named" never goes.
  const auto left = steady_clock::now();  // before the use: a lower bound.
  ASSERT_TRUE(Exists(stub.get(), "busy"));
  while (Listed(stub.get(), "busy") &&
         steady_clock::now() - left < seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(Listed(stub.get(), "busy"));
  EXPECT_GE(steady_clock::now() - left, seconds(1));  // not before its TTL.
  EXPECT_TRUE(Listed(stub.get(), "named"));
  server.Stop();
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  EXPECT_NE(text.str().find("deleted ephemeral session local/idle: unused for "
                            "over 1 s"),
            std::string::npos)
      << text.str();
  std::remove(log.c_str());
}

TEST(EphemeralSessionsTest, ANegativeOrHugeTtlStopsTheServer) {
  EXPECT_FALSE(TestServer({"--ephemeral_session_ttl=-1"}).ok());
  // Seconds past about 290 years would overflow the clock's nanoseconds.
  EXPECT_FALSE(TestServer({"--ephemeral_session_ttl=10000000000"}).ok());
  EXPECT_TRUE(TestServer({"--ephemeral_session_ttl=315360000"}).ok());
}

TEST(EphemeralSessionsTest, ARunOfAForkLeavesItsSourceAsItWas) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  ASSERT_TRUE(CreateTestSession(stub.get(), "source", 7).ok());
  ASSERT_TRUE(CreateTestSession(stub.get(), "twin", 7).ok());
  v1::RunRequest forked = UniformRun("source", 50, 3);
  forked.set_fork_to("fork");
  const std::string fork_x = SimulateX(stub.get(), forked);
  // The fork ran the source's state: the same spikes as the twin running.
  EXPECT_EQ(fork_x, SimulateX(stub.get(), UniformRun("twin", 50, 3)));
  EXPECT_EQ(StepOf(stub.get(), "source"), 0);
  const v1::SessionInfo fork = GetSessionInfo(stub.get(), "fork");
  EXPECT_EQ(fork.step(), 50);
  EXPECT_TRUE(fork.ephemeral());
  // A failed forked run leaves no fork behind and the source unchanged.
  v1::RunRequest bad = UniformRun("source", 10, 3);
  bad.set_fork_to("failed");
  bad.mutable_values()->set_units(1);  // inputs of the wrong shape.
  grpc::Status status;
  RunCall(stub.get(), bad, false, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(Listed(stub.get(), "failed"));
  EXPECT_EQ(StepOf(stub.get(), "source"), 0);
  // A fork onto a taken name is refused before anything runs.
  v1::RunRequest taken = UniformRun("source", 10, 3);
  taken.set_fork_to("twin");
  RunCall(stub.get(), taken, false, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(StepOf(stub.get(), "twin"), 50);
}

TEST(EphemeralSessionsTest, AForkedRunIsDurableOnceItsCallAnswered) {
  // The fork is written by its run's last checkpoint, not when it is made
  // (one write per forked call, not two): a crash right after the answer
  // still finds it, at the run's last step.
  const std::string dir = FreshTestDir("forked_run").string();
  const std::vector<std::string> flags = {"--data_dir=" + dir};
  {
    TestServer server(flags);
    ASSERT_TRUE(server.ok());
    auto stub = server.NewStub();
    ASSERT_TRUE(CreateTestSession(stub.get(), "source", 7).ok());
    v1::RunRequest forked = UniformRun("source", 20, 3);
    forked.set_fork_to("fork");
    SimulateX(stub.get(), forked);
    server.Kill9();
  }
  TestServer restarted(flags);
  ASSERT_TRUE(restarted.ok());
  auto stub = restarted.NewStub();
  const v1::SessionInfo fork = GetSessionInfo(stub.get(), "fork");
  EXPECT_EQ(fork.step(), 20);
  EXPECT_TRUE(fork.ephemeral());
  EXPECT_EQ(StepOf(stub.get(), "source"), 0);
}

TEST(EphemeralSessionsTest, ARunReleasesEphemeralSessionsOnlyWhenItSucceeds) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  auto ephemeral = [](v1::CreateSessionRequest& r) { r.set_ephemeral(true); };
  ASSERT_TRUE(CreateTestSession(stub.get(), "runner").ok());
  ASSERT_TRUE(CreateTestSession(stub.get(), "done", 2, ephemeral).ok());
  ASSERT_TRUE(CreateTestSession(stub.get(), "named", 3).ok());
  // Fails after the plan was checked (inputs of the wrong shape), where a
  // release made before the run would already have happened.
  v1::RunRequest failing = UniformRun("runner", 5, 1);
  failing.mutable_values()->set_units(1);
  failing.add_release("done");
  grpc::Status status;
  RunCall(stub.get(), failing, false, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Listed(stub.get(), "done"));  // an error changes nothing.
  v1::RunRequest run = UniformRun("runner", 5, 1);
  run.add_release("done");
  run.add_release("named");    // not ephemeral: kept.
  run.add_release("missing");  // no such session: ignored.
  RunCall(stub.get(), run, false, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(Listed(stub.get(), "done"));
  EXPECT_TRUE(Listed(stub.get(), "named"));
  // More names than a server can hold sessions is refused, changing nothing.
  v1::RunRequest flood = UniformRun("runner", 5, 1);
  for (int i = 0; i < 1001; ++i) flood.add_release("x" + std::to_string(i));
  RunCall(stub.get(), flood, false, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("release"), std::string::npos);
  EXPECT_EQ(StepOf(stub.get(), "runner"), 5);
}

}  // namespace
}  // namespace sorn
