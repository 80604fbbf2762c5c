// The sections of service_bench (service_sections.h): each starts its
// servers with the tests' TestServer (tests/support), drives them through
// real clients and prints its figures next to the limit they are read
// against.
#include "bench/service_sections.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "bench/bench_util.h"
#include "bench/step_bench.h"
#include "client/cpp/sorn_client.h"
#include "tests/support/api_calls.h"
#include "tests/support/process_status.h"
#include "tests/support/test_server.h"

namespace sorn::bench {
namespace {

constexpr int kNe = 200;

bool CreateSession(v1::Sorn::Stub* stub, const std::string& name, int ne,
                   uint64_t seed) {
  const grpc::Status s =
      CreateTestSession(stub, name, seed, [ne](v1::CreateSessionRequest& r) {
        const Params p = BenchParams(ne);
        r.mutable_params()->set_ne(ne);
        if (p.network_type_ie == NetworkType::kSparse) {
          r.mutable_params()->set_network_type_ie(v1::SPARSE);
          r.mutable_params()->set_lambda_ie(p.lambda_ie);
        }
      });
  if (!s.ok())
    std::printf("CreateSession %s: %s\n", name.c_str(),
                s.error_message().c_str());
  return s.ok();
}

void PrintQuantiles(const char* what, const Quantiles& q) {
  std::printf("%-28s p50 %8.1f us   p99 %8.1f us   p99.9 %8.1f us\n", what,
              q.p50, q.p99, q.p999);
}

// 1. The RL loop against the echo limit.
bool StepSection(const Options& o) {
  const int64_t steps = o.quick ? 2000 : 100000;
  const int64_t warmup = o.quick ? 200 : 2000;
  TestServer server({"--log_rpcs=false"});
  auto stub = server.NewStub();
  if (!server.ok() || !CreateSession(stub.get(), "rl", kNe, 1)) return false;
  LockstepSteps(stub.get(), "rl", 10, warmup);
  StepRun sorn = LockstepSteps(stub.get(), "rl", 10, steps);
  if (!sorn.ok || sorn.steps != steps) return false;
  // The echo answers with the very message sorn-server sent.
  const std::string reply =
      "/tmp/service_bench_reply." + std::to_string(getpid());
  {
    std::ofstream out(reply, std::ios::binary);
    sorn.last.SerializeToOstream(&out);
  }
  TestServerOptions echo_options;
  echo_options.binary = "/proc/self/exe";
  TestServer echo({"--echo_server=" + reply}, echo_options);
  std::remove(reply.c_str());
  if (!echo.ok()) return false;
  auto echo_stub = echo.NewStub();
  LockstepSteps(echo_stub.get(), "rl", 10, warmup);
  StepRun bare = LockstepSteps(echo_stub.get(), "rl", 10, steps);
  if (!bare.ok) return false;
  const Quantiles s = QuantilesOf(sorn.micros), e = QuantilesOf(bare.micros);
  std::printf("%lld lockstep steps, ne=%d, %zu-byte responses\n",
              (long long)steps, kNe, sorn.last.ByteSizeLong());
  PrintQuantiles("sorn-server Step", s);
  PrintQuantiles("echo (the limit)", e);
  std::printf(
      "ratio to echo: p50 %.2f (target <= 1.2)  p99 %.2f (target <= 1.5)"
      "  p99.9 %.2f\n",
      s.p50 / e.p50, s.p99 / e.p99, s.p999 / e.p999);
  std::printf("lockstep: %.0f steps/s (echo %.0f)\n", steps / sorn.seconds,
              steps / bare.seconds);
  for (int window : {4, 32}) {
    const double rate =
        PipelinedStepsPerSecond(stub.get(), "rl", 10, steps, window);
    const double limit =
        PipelinedStepsPerSecond(echo_stub.get(), "rl", 10, steps, window);
    if (rate == 0 || limit == 0) return false;
    std::printf(
        "pipelined, %2d in flight: %.0f steps/s (echo %.0f, ratio %.2f)\n",
        window, rate, limit, rate / limit);
  }
  return true;
}

// 2. Simulate into arrays, against the engine in this process.
bool SimulateSection(const Options& o) {
  const int64_t steps = o.quick ? 20000 : 1000000;
  TestServer server({"--log_rpcs=false"});
  if (!server.ok()) return false;
  client::SornClient client(server.address());
  v1::CreateSessionRequest create;
  create.set_name("stream");
  create.set_seed(5);
  create.mutable_params()->set_ne(kNe);
  if (!client.Create(create).ok()) return false;
  const int ni = 40;
  v1::RunRequest run;
  run.set_session("stream");
  run.set_timesteps(steps);
  run.mutable_generated()->set_kind(v1::GeneratedInputs::UNIFORM);
  run.mutable_generated()->set_seed(6);
  std::vector<uint8_t> x, y, r;
  std::vector<int64_t> ee, ei;
  x.reserve(steps * kNe);
  r.reserve(steps * kNe);
  y.reserve(steps * ni);
  ee.reserve(steps);
  ei.reserve(steps);
  const auto start = Clock::now();
  const absl::Status s = client.Run(run, false, [&](const v1::RunResponse& m) {
    UnpackAppend(m.x(), m.steps(), kNe, &x);
    UnpackAppend(m.y(), m.steps(), ni, &y);
    UnpackAppend(m.r(), m.steps(), kNe, &r);
    ee.insert(ee.end(), m.ee_conn().begin(), m.ee_conn().end());
    ei.insert(ei.end(), m.ei_conn().begin(), m.ei_conn().end());
  });
  const double seconds = SecondsSince(start);
  if (!s.ok() || int64_t(x.size()) != steps * kNe ||
      int64_t(ee.size()) != steps) {
    std::printf("Simulate: %s, %zu of %lld steps\n", s.ToString().c_str(),
                ee.size(), (long long)steps);
    return false;
  }
  const double in_process = InProcessStepsPerSecond(kNe, steps, 5);
  std::printf("%lld steps of x, y, r and counts, ne=%d, decoded into arrays\n",
              (long long)steps, kNe);
  std::printf(
      "C++ client: %.0f steps/s; in-process Network::Step: %.0f steps/s;"
      " ratio %.2f (target >= 0.7)\n",
      steps / seconds, in_process, steps / seconds / in_process);
  return true;
}

// 3. Many idle sessions.
bool DensitySection(const Options& o) {
  const int sessions = o.quick ? 50 : 1000;
  TestServer server({"--log_rpcs=false", "--max_sessions=2000"});
  auto stub = server.NewStub();
  if (!server.ok()) return false;
  const int64_t empty = sorn::ResidentBytes(server.pid());
  const auto start = Clock::now();
  for (int i = 0; i < sessions; ++i) {
    if (!CreateSession(stub.get(), "idle-" + std::to_string(i), kNe, i)) {
      return false;
    }
  }
  const double seconds = SecondsSince(start);
  const int64_t full = sorn::ResidentBytes(server.pid());
  std::printf("%d idle sessions of ne=%d: created in %.2f s (%.2f ms each)\n",
              sessions, kNe, seconds, 1e3 * seconds / sessions);
  std::printf(
      "server resident memory: %.1f MB empty, %.1f MB with them "
      "(%.0f KB per session; target <= 1 GB for 1,000)\n",
      empty / 1e6, full / 1e6, (full - empty) / 1024.0 / sessions);
  return true;
}

// 4. Clients stepping their own sessions at once.
bool ConcurrencySection(const Options& o) {
  const double seconds = o.quick ? 0.5 : 5.0;
  TestServer server({"--log_rpcs=false", "--tenant_max_streams=100"});
  auto stub = server.NewStub();
  if (!server.ok()) return false;
  double rate_of_two = 0;
  for (int clients : {2, 8, 64}) {
    for (int c = 0; c < clients; ++c) {
      if (!CreateSession(
              stub.get(),
              "c" + std::to_string(clients) + "-" + std::to_string(c), kNe,
              c)) {
        return false;
      }
    }
    std::atomic<bool> stop{false};
    std::vector<StepRun> runs(clients);
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        auto channel = OwnChannel(server.address());
        auto own = v1::Sorn::NewStub(channel);
        runs[c] = LockstepSteps(
            own.get(), "c" + std::to_string(clients) + "-" + std::to_string(c),
            10, int64_t{1} << 40, &stop);
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads) t.join();
    std::vector<double> all;
    int64_t steps = 0;
    int errors = 0;
    double longest = 0;
    for (const StepRun& run : runs) {
      errors += !run.ok;
      steps += run.steps;
      longest = std::max(longest, run.seconds);
      all.insert(all.end(), run.micros.begin(), run.micros.end());
    }
    if (all.empty()) return false;
    const double rate = steps / longest;
    if (clients == 2) rate_of_two = rate;
    const Quantiles q = QuantilesOf(all);
    std::printf(
        "%2d clients: %7.0f steps/s in all, p50 %7.1f us, p99 %8.1f us,"
        " %d errors; ratio to 2 clients %.2f\n",
        clients, rate, q.p50, q.p99, errors, rate / rate_of_two);
    if (errors > 0) return false;
  }
  std::printf("(target: 64 clients >= 0.8 x the rate of 2)\n");
  return true;
}

// 5. Large networks through the server, against in-process.
bool LargeSection(const Options& o) {
  TestServer server({"--log_rpcs=false"});
  if (!server.ok()) return false;
  client::SornClient client(server.address());
  auto stub = server.NewStub();
  std::vector<std::pair<int, int64_t>> sizes = {{10000, 2000}, {100000, 200}};
  if (o.quick) sizes = {{10000, 50}};
  for (const auto& [ne, steps] : sizes) {
    const std::string name = "large-" + std::to_string(ne);
    const auto created = Clock::now();
    if (!CreateSession(stub.get(), name, ne, 3)) return false;
    const double create_seconds = SecondsSince(created);
    v1::RunRequest run;
    run.set_session(name);
    run.set_timesteps(steps);
    run.mutable_generated()->set_kind(v1::GeneratedInputs::UNIFORM);
    int64_t received = 0;
    const auto start = Clock::now();
    const absl::Status s = client.Run(
        run, false, [&](const v1::RunResponse& m) { received += m.steps(); });
    const double seconds = SecondsSince(start);
    if (!s.ok() || received != steps) return false;
    const double in_process = InProcessStepsPerSecond(ne, steps, 3);
    std::printf(
        "ne=%6d: created in %.1f s; %lld steps: %.0f steps/s through "
        "the server, %.0f in-process, ratio %.2f\n",
        ne, create_seconds, (long long)steps, steps / seconds, in_process,
        steps / seconds / in_process);
    if (!client.Delete(name).ok()) return false;
  }
  return true;
}

}  // namespace

std::vector<std::pair<std::string, Section>> Sections() {
  return {{"step", StepSection},
          {"simulate", SimulateSection},
          {"density", DensitySection},
          {"concurrency", ConcurrencySection},
          {"large", LargeSection}};
}

}  // namespace sorn::bench
