// Hostile use of the real server (issue 14, "nothing lost, nothing crashed"):
// statistics over large record buffers use memory that grows with what was
// asked and is reserved first, stop at the deadline, count against the
// stream quota; an allocation failure is RESOURCE_EXHAUSTED, never UNKNOWN;
// a readout fit that overflows is refused and leaves the session loadable.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"
#include "tests/support/api_calls.h"
#include "tests/support/channels.h"
#include "tests/support/process_status.h"
#include "tests/support/test_environment.h"
#include "tests/support/test_files.h"
#include "tests/support/test_server.h"

namespace sorn {
namespace {

namespace fs = std::filesystem;
namespace pb = ::sorn::v1;
using Clock = std::chrono::steady_clock;

// The most the server's resident memory grew above its level before `fn`
// while `fn` ran: VmHWM after resetting it (clear_refs "5"), or, where that
// is refused, the largest VmRSS seen every 2 ms.
int64_t PeakGrowthDuring(pid_t pid, const std::function<void()>& fn) {
  const int64_t before = ResidentBytes(pid);
  const bool reset = bool(
      std::ofstream("/proc/" + std::to_string(pid) + "/clear_refs") << "5");
  std::atomic<bool> done{false};
  std::atomic<int64_t> sampled{before};
  std::thread sampler([&] {
    while (!done.load()) {
      sampled = std::max<int64_t>(sampled, ResidentBytes(pid));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  fn();
  done = true;
  sampler.join();
  const int64_t peak =
      std::max<int64_t>(sampled, reset ? PeakResidentBytes(pid) : 0);
  return peak - before;
}

// A session of `ne` excitatory neurons with `steps` recorded steps, run with
// every plasticity rule frozen (fast: the activity is what is needed).
void MakeRecordedSession(pb::Sorn::Stub* stub, const std::string& name, int ne,
                         int64_t steps) {
  ASSERT_TRUE(
      CreateTestSession(stub, name, 7, [&](pb::CreateSessionRequest& r) {
        r.mutable_params()->set_ne(ne);
        r.set_record_buffer_steps(steps);
      }).ok());
  pb::RunRequest run = UniformRun(name, steps, 3);
  for (const char* rule : {"stdp", "ip", "sp", "istdp", "ss"}) {
    run.add_freeze(rule);
  }
  run.mutable_record()->set_x(false);
  run.mutable_record()->set_y(false);
  run.mutable_record()->set_r(false);
  run.mutable_record()->set_counts(false);
  grpc::Status status;
  RunCall(stub, run, false, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

pb::GetStatisticsRequest StatisticsOf(const std::string& session, bool matrix) {
  pb::GetStatisticsRequest req;
  req.set_session(session);
  req.set_correlation_matrix(matrix);
  return req;
}

class HostileRequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("hostile");
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  TestServerOptions LogTo() const {
    TestServerOptions o;
    o.stderr_path = (dir_ / "stderr").string();
    return o;
  }

  fs::path dir_;
};

// ne = 8000 over 2000 steps: the statistics without the matrix need the
// train copy (16 MB) and O(T + n) more; the server used to build two 8000 x
// 8000 matrices besides (+1.1 GB). The mean correlation is still there, and
// on the inhibitory population (1600 neurons, whose matrix fits a message)
// it equals the mean of the matrix's off-diagonal entries of varying
// neurons.
TEST_F(HostileRequestsTest, StatisticsWithoutTheMatrixUseLittleMemory) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  auto stub = LargeResponseStub(server.address());
  // A sanitized server's memory is not measured: a smaller session (faster
  // under the sanitizer) checks the rest.
  const int ne = ServerIsSanitized() ? 2000 : 8000;
  MakeRecordedSession(stub.get(), "big", ne, 2000);
  pb::Statistics stats;
  grpc::Status status;
  const int64_t growth = PeakGrowthDuring(server.pid(), [&] {
    grpc::ClientContext ctx;
    status = stub->GetStatistics(&ctx, StatisticsOf("big", false), &stats);
  });
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stats.steps(), 2000);
  EXPECT_EQ(stats.neurons(), ne);
  EXPECT_EQ(stats.correlation_matrix_size(), 0);
  ASSERT_TRUE(stats.has_mean_correlation());
  EXPECT_GT(stats.mean_correlation(), -1.0);
  EXPECT_LT(stats.mean_correlation(), 1.0);
  if (!ServerIsSanitized()) {
    std::printf("resident memory grew by %lld bytes\n", (long long)growth);
    EXPECT_LT(growth, int64_t{80} << 20) << growth << " bytes";
  }

  pb::GetStatisticsRequest inhibitory = StatisticsOf("big", true);
  inhibitory.set_population(pb::INHIBITORY);
  grpc::ClientContext ctx;
  pb::Statistics with_matrix;
  status = stub->GetStatistics(&ctx, inhibitory, &with_matrix);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const int n = with_matrix.neurons();
  ASSERT_EQ(n, ne / 5);  // ni = 0.2 ne by default.
  ASSERT_EQ(with_matrix.correlation_matrix_size(), n * n);
  // A neuron varies unless its row is 0 off the diagonal.
  std::vector<bool> varies(n, false);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n && !varies[i]; ++j) {
      varies[i] = i != j && with_matrix.correlation_matrix(i * n + j) != 0.0;
    }
  }
  double sum = 0.0;
  int64_t pairs = 0;
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(with_matrix.correlation_matrix(i * n + i), 1.0);
    for (int j = 0; j < n; ++j) {
      if (i != j && varies[i] && varies[j]) {
        sum += with_matrix.correlation_matrix(i * n + j);
        ++pairs;
      }
    }
  }
  ASSERT_GT(pairs, 1000);
  const double from_matrix = sum / double(pairs);
  EXPECT_NEAR(with_matrix.mean_correlation(), from_matrix,
              1e-12 * std::max(1e-3, std::abs(from_matrix)));
  // The same mean without the matrix.
  inhibitory.set_correlation_matrix(false);
  grpc::ClientContext ctx2;
  pb::Statistics without;
  ASSERT_TRUE(stub->GetStatistics(&ctx2, inhibitory, &without).ok());
  EXPECT_EQ(without.mean_correlation(), with_matrix.mean_correlation());
}

// With --max_memory_bytes = 512 MiB, the correlation matrix of 6000
// neurons (288 MB in the response and as many in gRPC's serialized copy)
// is refused at once with the estimate, and the server's memory stays under
// the budget; without the matrix, the same statistics fit.
TEST_F(HostileRequestsTest, StatisticsOverTheBudgetAreRefusedAtOnce) {
  constexpr int64_t kBudget = int64_t{512} << 20;
  TestServer server({"--max_memory_bytes=" + std::to_string(kBudget),
                     "--max_message_bytes=1000000000"});
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  MakeRecordedSession(stub.get(), "wide", 6000, 1000);
  pb::Statistics stats;
  grpc::Status status;
  Clock::duration took{};
  const int64_t growth = PeakGrowthDuring(server.pid(), [&] {
    grpc::ClientContext ctx;
    const auto start = Clock::now();
    status = stub->GetStatistics(&ctx, StatisticsOf("wide", true), &stats);
    took = Clock::now() - start;
  });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
  EXPECT_NE(status.error_message().find("correlation matrix needs about"),
            std::string::npos)
      << status.error_message();
  EXPECT_NE(status.error_message().find("--max_memory_bytes"),
            std::string::npos);
  EXPECT_LT(took, std::chrono::milliseconds(int(500 * TimeScale())));
  if (!ServerIsSanitized()) {
    std::printf("resident memory grew by %lld bytes\n", (long long)growth);
    EXPECT_LT(growth, int64_t{32} << 20) << growth << " bytes";
    EXPECT_LT(PeakResidentBytes(server.pid()), kBudget);
  }
  grpc::ClientContext ctx;
  status = stub->GetStatistics(&ctx, StatisticsOf("wide", false), &stats);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stats.steps(), 1000);
  EXPECT_TRUE(stats.has_mean_correlation());
}

// A response over --max_message_bytes is refused before anything is built:
// the matrix of 3000 neurons (72 MB) under the default 64 MiB.
TEST_F(HostileRequestsTest, StatisticsOverTheMessageLimitAreRefused) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  MakeRecordedSession(stub.get(), "w", 3000, 50);
  grpc::ClientContext ctx;
  pb::Statistics stats;
  const grpc::Status status =
      stub->GetStatistics(&ctx, StatisticsOf("w", true), &stats);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find("--max_message_bytes"),
            std::string::npos)
      << status.error_message();
}

// The correlation matrix of 2000 neurons over 20,000 steps takes the
// engine many seconds; with a 1 s deadline the call ends DEADLINE_EXCEEDED
// on the server too (its log line says so, within the bound), the server
// stops computing (no CPU time after it), and answers other calls at once.
TEST_F(HostileRequestsTest, StatisticsStopAtTheDeadline) {
  TestServer server({}, LogTo());
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  MakeRecordedSession(stub.get(), "long", 2000, 20000);
  const double scale = TimeScale();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  pb::Statistics stats;
  const auto start = Clock::now();
  const grpc::Status status =
      stub->GetStatistics(&ctx, StatisticsOf("long", true), &stats);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << status.error_message();
  EXPECT_LT(Clock::now() - start,
            std::chrono::milliseconds(int(1000 + 1000 * scale)));
  // The server ends the call itself, shortly after the deadline.
  std::string line;
  for (int i = 0; i < 100 && line.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(int(20 * scale)));
    std::istringstream log(ReadWholeFile(dir_ / "stderr"));
    for (std::string l; std::getline(log, l);) {
      if (l.find("\"rpc\":\"GetStatistics\"") != std::string::npos) line = l;
    }
  }
  ASSERT_FALSE(line.empty());
  EXPECT_NE(line.find("\"code\":\"DEADLINE_EXCEEDED\""), std::string::npos)
      << line;
  const size_t at = line.find("\"duration_ms\":");
  ASSERT_NE(at, std::string::npos) << line;
  EXPECT_LT(std::stod(line.substr(at + 14)), 1000 + 500 * scale) << line;
  // Idle afterwards: under 0.3 s of CPU in the next second.
  const double cpu = CpuSeconds(server.pid());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_LT(CpuSeconds(server.pid()) - cpu, 0.3);
  grpc::ClientContext get_ctx;
  get_ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(int(500 * scale)));
  pb::GetSessionRequest get;
  get.set_name("long");
  pb::SessionInfo info;
  EXPECT_TRUE(stub->GetSession(&get_ctx, get, &info).ok());
  EXPECT_EQ(info.recorded_steps(), 20000);
}

// GetStatistics holds one of its tenant's stream slots: with streams=1 and
// a Step stream open, it is RESOURCE_EXHAUSTED, and fine once the stream
// ends. Another tenant is not affected.
TEST_F(HostileRequestsTest, StatisticsCountAgainstTheStreamQuota) {
  constexpr char kAlice[] = "alice-token-0123456789abcdef";
  constexpr char kBob[] = "bob-token-0123456789abcdef";
  std::ofstream(dir_ / "tokens") << kAlice << " alice user streams=1\n"
                                 << kBob << " bob user\n";
  TestServer server({"--auth_tokens=" + (dir_ / "tokens").string()});
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  auto as = [](const char* token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", std::string("Bearer ") + token);
    return ctx;
  };
  for (const char* token : {kAlice, kBob}) {
    pb::CreateSessionRequest create;
    create.set_name("s");
    create.set_seed(1);
    pb::SessionInfo info;
    ASSERT_TRUE(stub->CreateSession(as(token).get(), create, &info).ok());
    auto run_ctx = as(token);  // must outlive the reader.
    auto reader = stub->Simulate(run_ctx.get(), UniformRun("s", 50, 1));
    pb::RunResponse r;
    while (reader->Read(&r)) {
    }
    ASSERT_TRUE(reader->Finish().ok());
  }
  auto statistics = [&](const char* token) {
    pb::Statistics stats;
    return stub->GetStatistics(as(token).get(), StatisticsOf("s", false),
                               &stats);
  };
  ASSERT_TRUE(statistics(kAlice).ok());
  auto step_ctx = as(kAlice);
  auto stream = stub->Step(step_ctx.get());
  pb::StepRequest step;
  step.set_session("s");
  step.mutable_input()->Resize(10, 0.0);
  ASSERT_TRUE(stream->Write(step));
  pb::StepResponse answer;
  ASSERT_TRUE(stream->Read(&answer));
  const grpc::Status over = statistics(kAlice);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(over.error_message().find("quota of 1 concurrent streams"),
            std::string::npos)
      << over.error_message();
  EXPECT_TRUE(statistics(kBob).ok());
  stream->WritesDone();
  ASSERT_TRUE(stream->Finish().ok());
  EXPECT_TRUE(statistics(kAlice).ok());
}

// An allocation that fails inside a call is RESOURCE_EXHAUSTED with a log
// line, not UNKNOWN, and the server goes on serving. The server's address
// space is capped (prlimit) at what it uses plus 200 MiB, and a correlation
// matrix of 8000 neurons (512 MB, within the budget and the message limit
// this server is given) cannot be allocated.
TEST_F(HostileRequestsTest, AnAllocationFailureIsResourceExhausted) {
  if (ServerIsSanitized()) {
    GTEST_SKIP() << "a sanitizer's shadow memory needs an unlimited "
                    "address space";
  }
  TestServer server({"--max_message_bytes=2000000000"}, LogTo());
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  MakeRecordedSession(stub.get(), "s", 8000, 100);
  // Warm up the threads and buffers one call uses, so that the cap falls
  // only on the matrix.
  {
    grpc::ClientContext ctx;
    pb::Statistics stats;
    ASSERT_TRUE(
        stub->GetStatistics(&ctx, StatisticsOf("s", false), &stats).ok());
  }
  rlimit old_limit{};
  ASSERT_EQ(prlimit(server.pid(), RLIMIT_AS, nullptr, &old_limit), 0);
  rlimit capped = old_limit;
  capped.rlim_cur = ProcStatusBytes(server.pid(), "VmSize:") + (200 << 20);
  ASSERT_EQ(prlimit(server.pid(), RLIMIT_AS, &capped, nullptr), 0);
  grpc::ClientContext ctx;
  pb::Statistics stats;
  const grpc::Status status =
      stub->GetStatistics(&ctx, StatisticsOf("s", true), &stats);
  ASSERT_EQ(prlimit(server.pid(), RLIMIT_AS, &old_limit, nullptr), 0);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
  EXPECT_NE(status.error_message().find("ran out of memory"), std::string::npos)
      << status.error_message();
  EXPECT_NE(ReadWholeFile(dir_ / "stderr")
                .find("sorn-server: GetStatistics ran out of memory"),
            std::string::npos);
  grpc::ClientContext get_ctx;
  pb::GetSessionRequest get;
  get.set_name("s");
  pb::SessionInfo info;
  EXPECT_TRUE(stub->GetSession(&get_ctx, get, &info).ok());
  EXPECT_EQ(info.recorded_steps(), 100);
}

// FitReadout to targets of 1e308 (finite, but X'Y overflows: the weights
// would be NaN) or 1e200 (finite weights, an infinite training error) is
// INVALID_ARGUMENT and changes nothing: the readout of the same name keeps
// its earlier fit, and after kill -9 the session file loads with it.
TEST_F(HostileRequestsTest, AFitThatOverflowsIsRefusedAndChangesNothing) {
  const std::vector<std::string> flags = {"--data_dir=" +
                                          (dir_ / "data").string()};
  pb::ReadoutInfo good;
  {
    TestServer server(flags);
    ASSERT_TRUE(server.ok());
    auto stub = server.NewStub();
    ASSERT_TRUE(CreateTestSession(stub.get(), "fit", 5).ok());
    grpc::Status status;
    RunCall(stub.get(), UniformRun("fit", 300, 2), false, &status);
    ASSERT_TRUE(status.ok()) << status.error_message();
    pb::FitReadoutRequest req;
    req.set_session("fit");
    req.set_readout("r");
    req.mutable_values()->set_outputs(1);
    for (int t = 0; t < 200; ++t) req.mutable_values()->add_values(t % 7);
    {
      grpc::ClientContext ctx;
      pb::FitReadoutResponse response;
      status = stub->FitReadout(&ctx, req, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      good = response.readout();
    }
    // 1e308 last: before, its NaN weights made the file unloadable.
    for (double big : {1e200, 1e308}) {
      for (double& v : *req.mutable_values()->mutable_values()) v = big;
      grpc::ClientContext ctx;
      pb::FitReadoutResponse response;
      status = stub->FitReadout(&ctx, req, &response);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << big << ": " << status.error_message() << " error "
          << response.readout().training_error();
      EXPECT_NE(status.error_message().find("overflows"), std::string::npos)
          << status.error_message();
    }
    // Non-finite targets are refused as before.
    req.mutable_values()->set_values(3, std::nan(""));
    {
      grpc::ClientContext ctx;
      pb::FitReadoutResponse response;
      EXPECT_EQ(stub->FitReadout(&ctx, req, &response).error_code(),
                grpc::StatusCode::INVALID_ARGUMENT);
    }
    grpc::ClientContext ctx;
    pb::GetSessionRequest get;
    get.set_name("fit");
    pb::SessionInfo info;
    ASSERT_TRUE(stub->GetSession(&ctx, get, &info).ok());
    ASSERT_EQ(info.readouts_size(), 1);
    EXPECT_EQ(info.readouts(0).training_error(), good.training_error());
    EXPECT_TRUE(std::isfinite(info.readouts(0).training_error()));
    server.Kill9();
  }
  TestServer restarted(flags);
  ASSERT_TRUE(restarted.ok());
  auto stub = restarted.NewStub();
  grpc::ClientContext ctx;
  pb::GetSessionRequest get;
  get.set_name("fit");
  pb::SessionInfo info;
  const grpc::Status status = stub->GetSession(&ctx, get, &info);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(info.step(), 300);
  ASSERT_EQ(info.readouts_size(), 1);
  EXPECT_EQ(info.readouts(0).name(), "r");
  EXPECT_EQ(info.readouts(0).training_error(), good.training_error());
}

}  // namespace
}  // namespace sorn
