// Tenants through the real server: bearer tokens, isolation of names, the
// admin's view, quotas, the memory reservation, and the per-call log lines
// (which must never contain a token).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/memory_estimate.h"
#include "core/params.h"
#include "gtest/gtest.h"
#include "tests/support/api_calls.h"
#include "tests/support/process_status.h"
#include "tests/support/test_environment.h"
#include "tests/support/test_files.h"
#include "tests/support/test_server.h"

namespace sorn {
namespace {

namespace fs = std::filesystem;
namespace pb = ::sorn::v1;

constexpr char kAlice[] = "alice-token-0123456789abcdef";
constexpr char kBob[] = "bob-token-0123456789abcdef";
constexpr char kOps[] = "ops-token-0123456789abcdef";

class TenancyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("tenancy");
    fs::create_directories(dir_);
    std::ofstream(dir_ / "tokens")
        << "# token  tenant  role  quotas\n"
        << kAlice << " alice user sessions=2 neurons=1000 streams=1\n"
        << kBob << "   bob   user   # default quotas\n"
        << kOps << " ops admin\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> Flags() const {
    return {"--auth_tokens=" + (dir_ / "tokens").string(),
            "--data_dir=" + (dir_ / "data").string()};
  }
  TestServerOptions LogTo() const {
    TestServerOptions o;
    o.stderr_path = (dir_ / "stderr").string();
    return o;
  }
  std::string Stderr() const { return ReadWholeFile(dir_ / "stderr"); }

  fs::path dir_;
};

// A context carrying `token` (none when null).
std::unique_ptr<grpc::ClientContext> As(const char* token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (token != nullptr) {
    ctx->AddMetadata("authorization", std::string("Bearer ") + token);
  }
  return ctx;
}

grpc::Status Create(pb::Sorn::Stub* stub, const char* token,
                    const std::string& name, int ne = 50,
                    pb::SessionInfo* info = nullptr) {
  pb::CreateSessionRequest req;
  req.set_name(name);
  req.set_seed(1);
  req.mutable_params()->set_ne(ne);
  pb::SessionInfo ignored;
  return stub->CreateSession(As(token).get(), req,
                             info != nullptr ? info : &ignored);
}

grpc::Status Get(pb::Sorn::Stub* stub, const char* token,
                 const std::string& name, pb::SessionInfo* info = nullptr) {
  pb::GetSessionRequest req;
  req.set_name(name);
  pb::SessionInfo ignored;
  return stub->GetSession(As(token).get(), req,
                          info != nullptr ? info : &ignored);
}

grpc::Status Simulate(pb::Sorn::Stub* stub, const char* token,
                      const std::string& name, int steps) {
  auto ctx = As(token);
  auto reader = stub->Simulate(ctx.get(), UniformRun(name, steps, 1));
  pb::RunResponse r;
  while (reader->Read(&r)) {
  }
  return reader->Finish();
}

std::vector<std::string> Listed(pb::Sorn::Stub* stub, const char* token,
                                bool all, grpc::Status* status) {
  pb::ListSessionsRequest req;
  req.set_all_tenants(all);
  pb::ListSessionsResponse resp;
  *status = stub->ListSessions(As(token).get(), req, &resp);
  std::vector<std::string> names;
  for (const pb::SessionInfo& s : resp.sessions())
    names.push_back(s.tenant() + "/" + s.name());
  return names;
}

TEST_F(TenancyTest, MissingMalformedOrUnknownTokensAreUnauthenticated) {
  TestServer server(Flags(), LogTo());
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  pb::SessionInfo info;
  const std::string stolen = "not-a-token-but-secret-looking";
  for (int variant = 0; variant < 3; ++variant) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (variant == 1) ctx->AddMetadata("authorization", "Basic " + stolen);
    if (variant == 2) ctx->AddMetadata("authorization", "Bearer " + stolen);
    pb::GetSessionRequest req;
    req.set_name("x");
    const grpc::Status s = stub->GetSession(ctx.get(), req, &info);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << variant;
    EXPECT_EQ(s.error_message().find(stolen), std::string::npos);
  }
  // Streams too, before anything runs.
  EXPECT_EQ(Simulate(stub.get(), nullptr, "x", 10).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(Create(stub.get(), kAlice, "mine").ok());
  EXPECT_TRUE(Simulate(stub.get(), kAlice, "mine", 10).ok());
  server.Stop();
  const std::string log = Stderr();
  // Neither valid nor invalid tokens reach the log.
  for (const std::string& secret : {stolen, std::string(kAlice)}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
  EXPECT_NE(log.find("\"rpc\":\"GetSession\",\"session\":\"\",\"tenant\":\"\","
                     "\"code\":\"UNAUTHENTICATED\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("\"rpc\":\"Simulate\",\"session\":\"mine\",\"tenant\":"
                     "\"alice\",\"code\":\"OK\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("\"steps\":10,"), std::string::npos);
}

TEST_F(TenancyTest, TenantsSeeOnlyTheirOwnSessionsAndAdminsListAll) {
  TestServer server(Flags());
  ASSERT_TRUE(server.ok());
  EXPECT_NE(server.banner().find("bearer tokens of 3 tenant(s)"),
            std::string::npos)
      << server.banner();
  auto stub = server.NewStub();
  ASSERT_TRUE(Create(stub.get(), kAlice, "shared-name").ok());
  ASSERT_TRUE(Create(stub.get(), kAlice, "private").ok());
  // The same name in another tenant is another session.
  ASSERT_TRUE(Create(stub.get(), kBob, "shared-name", 60).ok());
  EXPECT_TRUE(Simulate(stub.get(), kBob, "shared-name", 100).ok());

  pb::SessionInfo info;
  ASSERT_TRUE(Get(stub.get(), kAlice, "shared-name", &info).ok());
  EXPECT_EQ(info.ne(), 50);
  EXPECT_EQ(info.step(), 0);  // bob's run did not touch it.
  EXPECT_EQ(info.tenant(), "alice");
  // Another tenant's session does not exist for bob: every kind of call.
  EXPECT_EQ(Get(stub.get(), kBob, "private").error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Simulate(stub.get(), kBob, "private", 5).error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::Status exported;
  {
    pb::ExportStateRequest req;
    req.set_session("private");
    auto ctx = As(kBob);
    auto reader = stub->ExportState(ctx.get(), req);
    pb::StateChunk chunk;
    while (reader->Read(&chunk)) {
    }
    exported = reader->Finish();
  }
  EXPECT_EQ(exported.error_code(), grpc::StatusCode::NOT_FOUND);
  pb::DeleteSessionRequest del;
  del.set_name("private");
  pb::DeleteSessionResponse deleted;
  EXPECT_EQ(stub->DeleteSession(As(kBob).get(), del, &deleted).error_code(),
            grpc::StatusCode::NOT_FOUND);
  pb::ForkSessionRequest fork;
  fork.set_source("private");
  fork.set_name("stolen");
  EXPECT_EQ(stub->ForkSession(As(kBob).get(), fork, &info).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get(stub.get(), kAlice, "private").ok());  // still there.

  grpc::Status s;
  EXPECT_EQ(Listed(stub.get(), kBob, false, &s),
            std::vector<std::string>{"bob/shared-name"});
  EXPECT_EQ(Listed(stub.get(), kBob, true, &s).size(), 0u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Listed(stub.get(), kOps, false, &s).size(), 0u);
  EXPECT_EQ(Listed(stub.get(), kOps, true, &s),
            (std::vector<std::string>{"alice/private", "alice/shared-name",
                                      "bob/shared-name"}));
  EXPECT_TRUE(s.ok());
}

TEST_F(TenancyTest, SessionsKeepTheirTenantAcrossRestarts) {
  {
    TestServer server(Flags());
    auto stub = server.NewStub();
    ASSERT_TRUE(Create(stub.get(), kAlice, "kept").ok());
    ASSERT_TRUE(Simulate(stub.get(), kAlice, "kept", 30).ok());
  }
  EXPECT_TRUE(fs::exists(dir_ / "data" / "alice" / "kept.sorn"));
  TestServer server(Flags());
  auto stub = server.NewStub();
  pb::SessionInfo info;
  ASSERT_TRUE(Get(stub.get(), kAlice, "kept", &info).ok());
  EXPECT_EQ(info.step(), 30);
  EXPECT_EQ(Get(stub.get(), kBob, "kept").error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(TenancyTest, QuotasOfSessionsNeuronsAndStreams) {
  TestServer server(Flags());
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  // alice: neurons=1000. ne = 500 gives 500 + 100 neurons.
  ASSERT_TRUE(Create(stub.get(), kAlice, "big", 500).ok());
  grpc::Status over = Create(stub.get(), kAlice, "too-many-neurons", 400);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(over.error_message().find("quota of 1000"), std::string::npos)
      << over.error_message();
  // sessions=2.
  ASSERT_TRUE(Create(stub.get(), kAlice, "small", 50).ok());
  over = Create(stub.get(), kAlice, "third", 50);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(over.error_message().find("quota of 2 sessions"),
            std::string::npos);
  // Other tenants are not affected by alice's quota.
  EXPECT_TRUE(Create(stub.get(), kBob, "third", 50).ok());
  // Deleting frees the quota.
  pb::DeleteSessionRequest del;
  del.set_name("small");
  pb::DeleteSessionResponse deleted;
  ASSERT_TRUE(stub->DeleteSession(As(kAlice).get(), del, &deleted).ok());
  EXPECT_TRUE(Create(stub.get(), kAlice, "third", 50).ok());

  // streams=1: an open Step stream holds alice's only stream.
  auto step_ctx = As(kAlice);
  auto stream = stub->Step(step_ctx.get());
  pb::StepRequest step;
  step.set_session("big");
  step.mutable_input()->Resize(10, 0.0);  // nu = 10 by default.
  ASSERT_TRUE(stream->Write(step));
  pb::StepResponse answer;
  ASSERT_TRUE(stream->Read(&answer));
  over = Simulate(stub.get(), kAlice, "third", 10);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(over.error_message().find("quota of 1 concurrent streams"),
            std::string::npos)
      << over.error_message();
  EXPECT_TRUE(Simulate(stub.get(), kBob, "third", 10).ok());
  stream->WritesDone();
  ASSERT_TRUE(stream->Finish().ok());
  EXPECT_TRUE(Simulate(stub.get(), kAlice, "third", 10).ok());
}

TEST_F(TenancyTest, BadTokensFilesStopTheServerWithoutQuotingTokens) {
  const std::string secret = "a-secret-token-that-must-not-leak";
  const std::string second = "another-secret-token-not-to-leak";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {secret + " alice superuser\n", ":1: the role (field 3) must be"},
      {"# header\n" + secret + " al/ice user\n", ":2: the tenant (field 2)"},
      {secret + " alice user sessions=-3\n",
       ":1: quota sessions must be a whole number from 0 to 2147483647"},
      // Would wrap to 1 session if it were cast to int.
      {secret + " alice user sessions=4294967297\n",
       ":1: quota sessions must be a whole number from 0 to 2147483647"},
      // Two tokens on one line: the second must not leak either.
      {secret + " alice user " + second + "\n", ":1: field 4 is not a quota"},
      {secret + " alice " + second + "\n", ":1: the role (field 3) must be"},
      {secret + " alice user\n" + secret + " bob user\n",
       ":2: the token of this line is also on line 1"},
      {"short alice user\n", "at least 16 characters"},
      {"# nothing\n", "holds no tokens"},
  };
  for (const auto& [text, expected] : cases) {
    std::ofstream(dir_ / "bad_tokens") << text;
    TestServer server({"--auth_tokens=" + (dir_ / "bad_tokens").string()},
                      LogTo());
    EXPECT_FALSE(server.ok());
    const int status = server.Stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << text;
    const std::string log = Stderr();
    EXPECT_NE(log.find(expected), std::string::npos) << log;
    EXPECT_EQ(log.find(secret), std::string::npos) << log;
    EXPECT_EQ(log.find(second), std::string::npos) << log;
    fs::remove(dir_ / "stderr");
  }
}

TEST_F(TenancyTest, NegativeDefaultQuotasStopTheServer) {
  // A negative quota would silently mean "no limit" (only 0 says so).
  for (const char* flag :
       {"--tenant_max_sessions=-1", "--tenant_max_neurons=-5",
        "--tenant_max_streams=-2"}) {
    TestServer server({Flags()[0], flag}, LogTo());
    EXPECT_FALSE(server.ok()) << flag;
    const int status = server.Stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << flag;
    const std::string log = Stderr();
    const std::string name =
        std::string(flag).substr(0, std::string(flag).find('='));
    EXPECT_NE(log.find(name + " must be >= 0"), std::string::npos) << log;
    fs::remove(dir_ / "stderr");
  }
  // Values an int flag cannot hold are refused by the flag parser itself
  // (exit code 1 too), not wrapped.
  TestServer server({Flags()[0], "--tenant_max_sessions=4294967297"}, LogTo());
  EXPECT_FALSE(server.ok());
  const int status = server.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
}

TEST_F(TenancyTest, LocalModeSaysSoAndEveryCallIsTheLocalAdmin) {
  TestServer server({}, LogTo());
  ASSERT_TRUE(server.ok());
  EXPECT_NE(server.banner().find("single-user local mode: no authentication"),
            std::string::npos)
      << server.banner();
  auto stub = server.NewStub();
  pb::SessionInfo info;
  ASSERT_TRUE(Create(stub.get(), nullptr, "a", 50, &info).ok());
  EXPECT_EQ(info.tenant(), "local");
  grpc::Status s;
  EXPECT_EQ(Listed(stub.get(), nullptr, true, &s),
            std::vector<std::string>{"local/a"});
  EXPECT_TRUE(s.ok());
}

TEST(MemoryReservationTest, RefusesASessionThatWouldNotFitBeforeBuildingIt) {
  TestServer server({"--max_memory_bytes=100000000"});  // 100 MB.
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  pb::SessionInfo info;
  ASSERT_TRUE(Create(stub.get(), nullptr, "fits", 1000, &info).ok());
  EXPECT_GT(info.memory_bytes(), 4'000'000);  // dense Wie alone: ~4.8 MB.
  EXPECT_LT(info.memory_bytes(), 20'000'000);
  const auto start = std::chrono::steady_clock::now();
  const grpc::Status s = Create(stub.get(), nullptr, "too-big", 10000);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("--max_memory_bytes"), std::string::npos)
      << s.error_message();
  // Refused from the estimate: building ne = 10,000 takes seconds.
  EXPECT_LT(seconds, 0.5 * TimeScale());
  // The reservation is returned on delete and counts replaced sessions once.
  pb::DeleteSessionRequest del;
  del.set_name("fits");
  pb::DeleteSessionResponse deleted;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub->DeleteSession(&ctx, del, &deleted).ok());
  // Exactly as many sessions as the budget holds fit, then no more; the
  // last must leave room for building it (its initial state beside it).
  Params params;
  params.ne = 1000;
  const int64_t fit =
      (100'000'000 - EstimateBuildBytes(params)) / info.memory_bytes();
  ASSERT_GE(fit, 5);
  for (int i = 0; i < fit; ++i) {
    EXPECT_TRUE(Create(stub.get(), nullptr, "s" + std::to_string(i), 1000).ok())
        << i;
  }
  EXPECT_EQ(Create(stub.get(), nullptr, "one-more", 1000).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

// The estimate is what the server process really grows by.
TEST(MemoryReservationTest, EstimateMatchesTheServersResidentGrowth) {
  if (ServerIsSanitized()) GTEST_SKIP() << "shadow memory inflates RSS";
  TestServer server;
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  ASSERT_TRUE(Create(stub.get(), nullptr, "warm", 100).ok());
  const int64_t before = ResidentBytes(server.pid());
  ASSERT_GT(before, 0);
  pb::SessionInfo info;
  ASSERT_TRUE(Create(stub.get(), nullptr, "measured", 4000, &info).ok());
  const int64_t grown = ResidentBytes(server.pid()) - before;
  // The estimate is an upper bound with headroom for growth (and the record
  // buffer, empty now); the network alone takes most of it.
  EXPECT_LE(grown, info.memory_bytes() * 11 / 10);
  EXPECT_GE(grown, info.memory_bytes() * 6 / 10);
  std::cout << "ne=4000: estimate " << info.memory_bytes() << " B, resident "
            << "growth " << grown << " B\n";
}

}  // namespace
}  // namespace sorn
