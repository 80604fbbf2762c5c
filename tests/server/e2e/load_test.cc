// sorn_load_test [CLIENTS] [SECONDS]: a bounded load test of the real server.
// CLIENTS threads (default 64), each with its own session, run a random mix
// of every call for SECONDS (default 60) against a server with a data dir.
// Passes when no call fails unexpectedly and the server's resident memory
// after warm-up grows less than 10 %: the mean of samples (every 250 ms) over
// the last third of the run against the mean over the second third (the
// first third is warm-up: arenas, buffers and record buffers fill). Means,
// because resident memory swings by tens of MB with the states and messages in
// flight at the instant of a sample. Prints calls per method, errors, and
// memory.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/api_calls.h"
#include "tests/support/process_status.h"
#include "tests/support/test_files.h"
#include "tests/support/test_server.h"

namespace {

namespace fs = std::filesystem;
namespace pb = ::sorn::v1;
using Clock = std::chrono::steady_clock;

struct Tally {
  std::mutex mu;
  std::map<std::string, long> calls;
  std::map<std::string, long> expected_errors;
  std::vector<std::string> unexpected;

  // `allowed`: codes this call may legitimately return under load.
  void Count(const std::string& method, const grpc::Status& s,
             std::initializer_list<grpc::StatusCode> allowed = {}) {
    std::lock_guard<std::mutex> lock(mu);
    ++calls[method];
    if (s.ok()) return;
    for (grpc::StatusCode c : allowed) {
      if (s.error_code() == c) {
        ++expected_errors[method + " " + std::to_string(int(c))];
        return;
      }
    }
    if (unexpected.size() < 20) {
      unexpected.push_back(method + ": code " +
                           std::to_string(int(s.error_code())) + " " +
                           s.error_message());
    } else {
      unexpected.push_back("...");
    }
  }
};

// Fits readout "parity" on the session's last 20 recorded steps.
grpc::Status FitParity(pb::Sorn::Stub* stub, const std::string& name) {
  grpc::ClientContext ctx;
  pb::FitReadoutRequest req;
  req.set_session(name);
  req.set_readout("parity");
  for (int t = 0; t < 20; ++t) req.mutable_labels()->add_labels(t % 2);
  pb::FitReadoutResponse resp;
  return stub->FitReadout(&ctx, req, &resp);
}

void Drain(grpc::ClientReaderInterface<pb::RunResponse>* reader) {
  pb::RunResponse r;
  while (reader->Read(&r)) {
  }
}

// One client: its own session, then random calls until `stop`.
void Client(int id, std::shared_ptr<grpc::Channel> channel,
            const std::atomic<bool>& stop, Tally& tally) {
  auto stub = pb::Sorn::NewStub(channel);
  std::mt19937 pick(id);
  const std::string name = "load-" + std::to_string(id);
  {
    grpc::ClientContext ctx;
    pb::CreateSessionRequest req;
    req.set_name(name);
    req.set_seed(id);
    req.mutable_params()->set_ne(100 + 10 * (id % 10));
    req.set_record_buffer_steps(2000);
    pb::SessionInfo info;
    tally.Count("CreateSession", stub->CreateSession(&ctx, req, &info));
  }
  {
    grpc::ClientContext ctx;
    auto reader = stub->Train(&ctx, sorn::UniformRun(name, 50, id));
    Drain(reader.get());
    tally.Count("Train", reader->Finish());
    tally.Count("FitReadout", FitParity(stub.get(), name));
  }
  while (!stop.load()) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    switch (pick() % 10) {
      case 0:
      case 1: {
        auto reader = stub->Simulate(&ctx, sorn::UniformRun(name, 300, id));
        Drain(reader.get());
        tally.Count("Simulate", reader->Finish());
        break;
      }
      case 2: {
        // Refit the readout, then Train with its outputs.
        tally.Count("FitReadout", FitParity(stub.get(), name));
        pb::RunRequest run = sorn::UniformRun(name, 200, id);
        run.add_readouts("parity");
        auto reader = stub->Train(&ctx, run);
        Drain(reader.get());
        tally.Count("Train", reader->Finish());
        break;
      }
      case 3: {
        auto stream = stub->Step(&ctx);
        pb::StepRequest req;
        req.set_session(name);
        req.mutable_input()->Resize(10, 0.5);
        pb::StepResponse resp;
        for (int k = 0; k < 50 && stream->Write(req) && stream->Read(&resp);
             ++k) {
          req.clear_session();
        }
        stream->WritesDone();
        tally.Count("Step", stream->Finish());
        break;
      }
      case 4: {
        pb::GetStatisticsRequest req;
        req.set_session(name);
        pb::Statistics resp;
        tally.Count("GetStatistics", stub->GetStatistics(&ctx, req, &resp));
        break;
      }
      case 5: {
        pb::ExportStateRequest req;
        req.set_session(name);
        auto reader = stub->ExportState(&ctx, req);
        pb::StateChunk chunk;
        while (reader->Read(&chunk)) {
        }
        tally.Count("ExportState", reader->Finish());
        break;
      }
      case 6: {
        pb::ForkSessionRequest req;
        req.set_source(name);
        req.set_name(name + "-fork");
        pb::SessionInfo info;
        tally.Count("ForkSession", stub->ForkSession(&ctx, req, &info));
        grpc::ClientContext del_ctx;
        pb::DeleteSessionRequest del;
        del.set_name(name + "-fork");
        pb::DeleteSessionResponse deleted;
        tally.Count("DeleteSession",
                    stub->DeleteSession(&del_ctx, del, &deleted));
        break;
      }
      case 7: {
        // Everyone drives one shared session: one wins, the rest are told
        // it is busy.
        auto reader = stub->Simulate(&ctx, sorn::UniformRun("common", 100, id));
        Drain(reader.get());
        tally.Count("Simulate(common)", reader->Finish(),
                    {grpc::StatusCode::FAILED_PRECONDITION});
        break;
      }
      case 8: {
        pb::ListSessionsRequest req;
        pb::ListSessionsResponse resp;
        tally.Count("ListSessions", stub->ListSessions(&ctx, req, &resp));
        break;
      }
      case 9: {
        // Bad requests are part of the mix; they must fail cleanly.
        pb::GetSessionRequest req;
        req.set_name("no-such-session-" + std::to_string(id));
        pb::SessionInfo info;
        tally.Count("GetSession(missing)", stub->GetSession(&ctx, req, &info),
                    {grpc::StatusCode::NOT_FOUND});
        break;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int clients = argc > 1 ? std::atoi(argv[1]) : 64;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 60;
  const fs::path dir = sorn::FreshTestDir("load");
  sorn::TestServerOptions quiet;
  quiet.stderr_path = (dir.string() + ".log");
  sorn::TestServer server(
      {"--data_dir=" + dir.string(), "--checkpoint_every_steps=1000"}, quiet);
  if (!server.ok()) {
    std::fprintf(stderr, "load: the server did not start\n");
    return 1;
  }
  {
    auto stub = server.NewStub();
    grpc::ClientContext ctx;
    pb::CreateSessionRequest req;
    req.set_name("common");
    pb::SessionInfo info;
    if (!stub->CreateSession(&ctx, req, &info).ok()) return 1;
  }
  Tally tally;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  // A few channels, as a few client processes would have.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < 4; ++c) channels.push_back(server.NewChannel());
  const auto start = Clock::now();
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back(Client, i, channels[i % channels.size()],
                         std::cref(stop), std::ref(tally));
  }
  // Third of the run -> samples.
  std::vector<std::vector<long long>> thirds(3);
  long long peak = 0;
  for (auto now = Clock::now(); now - start < std::chrono::seconds(seconds);
       now = Clock::now()) {
    const double at = std::chrono::duration<double>(now - start).count();
    const long long rss = sorn::ResidentBytes(server.pid());
    thirds[std::min(2, int(3 * at / seconds))].push_back(rss);
    peak = std::max(peak, rss);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  auto mean = [](const std::vector<long long>& v) {
    double sum = 0;
    for (long long x : v) sum += double(x);
    return v.empty() ? 0.0 : sum / double(v.size());
  };
  const double warm = mean(thirds[1]);
  const double end = mean(thirds[2]);
  stop = true;
  for (std::thread& t : threads) t.join();
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - start).count();
  server.Stop();
  fs::remove_all(dir);
  fs::remove(quiet.stderr_path);

  long total = 0;
  std::printf("load: %d clients for %.1f s\n", clients, elapsed);
  for (const auto& [method, n] : tally.calls) {
    std::printf("  %-22s %8ld calls\n", method.c_str(), n);
    total += n;
  }
  for (const auto& [what, n] : tally.expected_errors)
    std::printf("  expected error %-14s %6ld\n", what.c_str(), n);
  const double growth = (end - warm) / warm;
  std::printf("  resident memory by third of the run (means, MB):");
  for (const auto& t : thirds) std::printf(" %.1f", mean(t) / 1e6);
  std::printf("\n");
  std::printf(
      "  %ld calls (%.0f/s); resident memory (means) %.1f MB after warm-up, "
      "%.1f MB in the last third (%+.1f %%), peak %.1f MB\n",
      total, total / elapsed, warm / 1e6, end / 1e6, 100 * growth, peak / 1e6);
  bool ok = true;
  if (!tally.unexpected.empty()) {
    ok = false;
    std::printf("FAIL: %zu unexpected errors:\n", tally.unexpected.size());
    for (const std::string& e : tally.unexpected)
      std::printf("  %s\n", e.c_str());
  }
  if (growth >= 0.10) {
    ok = false;
    std::printf(
        "FAIL: resident memory grew %.1f %% after warm-up (limit 10 %%)\n",
        100 * growth);
  }
  if (total < clients) {
    ok = false;
    std::printf("FAIL: only %ld calls\n", total);
  }
  std::printf(ok ? "load: PASS\n" : "load: FAIL\n");
  return ok ? 0 : 1;
}
