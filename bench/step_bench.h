// The Step stream as an RL agent drives it, over one connection: round-trip
// latencies of lockstep steps, and the rate with several requests in flight.
// Works against sorn-server and against the echo server alike (both serve
// sorn.v1.Sorn/Step).
#ifndef SORN_BENCH_STEP_BENCH_H_
#define SORN_BENCH_STEP_BENCH_H_

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "grpcpp/grpcpp.h"
#include "sorn/v1/sorn.grpc.pb.h"

namespace sorn::bench {

// A channel with its own connection (gRPC would otherwise share one
// connection between channels to the same address).
inline std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(256 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

struct StepRun {
  std::vector<double> micros;  // one round trip per step.
  int64_t steps = 0;
  double seconds = 0;
  bool ok = false;
  v1::StepResponse last;  // the last response (its size is the echo's).
};

// Lockstep: write one request with `nu` inputs U(0, 1), read its response,
// repeat `steps` times (or until `stop` is set, if given).
inline StepRun LockstepSteps(v1::Sorn::Stub* stub, const std::string& session,
                             int nu, int64_t steps,
                             const std::atomic<bool>* stop = nullptr) {
  StepRun run;
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-sorn-session", session);
  auto stream = stub->Step(&ctx);
  v1::StepRequest request;
  request.set_session(session);
  request.mutable_input()->Resize(nu, 0.0);
  Random random(99);
  run.micros.reserve(size_t(std::min<int64_t>(steps, 1 << 20)));
  const auto start = Clock::now();
  for (int64_t t = 0; t < steps && !(stop != nullptr && stop->load()); ++t) {
    for (double& v : *request.mutable_input()) v = random.Uniform();
    const auto sent = Clock::now();
    if (!stream->Write(request) || !stream->Read(&run.last)) break;
    run.micros.push_back(1e6 * SecondsSince(sent));
    ++run.steps;
  }
  run.seconds = SecondsSince(start);
  stream->WritesDone();
  run.ok = stream->Finish().ok();
  return run;
}

// Pipelined: a writer keeps up to `window` requests ahead of the reader.
// Returns steps per second over `steps` steps (0 on error).
inline double PipelinedStepsPerSecond(v1::Sorn::Stub* stub,
                                      const std::string& session, int nu,
                                      int64_t steps, int window) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-sorn-session", session);
  auto stream = stub->Step(&ctx);
  std::atomic<int64_t> read{0};
  const auto start = Clock::now();
  std::thread writer([&] {
    v1::StepRequest request;
    request.set_session(session);
    request.mutable_input()->Resize(nu, 0.5);
    for (int64_t t = 0; t < steps; ++t) {
      while (t - read.load(std::memory_order_acquire) >= window) {
        std::this_thread::yield();
      }
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  v1::StepResponse response;
  while (read.load() < steps && stream->Read(&response)) {
    read.fetch_add(1, std::memory_order_release);
  }
  const double seconds = SecondsSince(start);
  const bool complete = read.load() == steps;
  read.store(steps);  // releases a writer stuck on a broken stream.
  writer.join();
  const bool ok = stream->Finish().ok();
  return ok && complete ? double(steps) / seconds : 0.0;
}

}  // namespace sorn::bench

#endif  // SORN_BENCH_STEP_BENCH_H_
