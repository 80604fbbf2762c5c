// sorn_quickstart: the README's first client. Creates a session on a running
// sorn-server, simulates 5,000 plastic steps with uniform random input
// generated on the server, and prints the network's statistics.
//
//   sorn_quickstart [--address=127.0.0.1:50051] [--session=quickstart]
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "grpcpp/grpcpp.h"
#include "sorn/v1/sorn.grpc.pb.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50051", "sorn-server address");
ABSL_FLAG(std::string, session, "quickstart", "session name to create");
ABSL_FLAG(int, steps, 5000, "steps to simulate");

namespace pb = ::sorn::v1;

int Fail(const char* what, const grpc::Status& s) {
  std::fprintf(stderr, "sorn_quickstart: %s: %s (code %d)\n", what,
               s.error_message().c_str(), int(s.error_code()));
  return 1;
}

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Creates, simulates and inspects one session.");
  absl::ParseCommandLine(argc, argv);
  auto stub = pb::Sorn::NewStub(grpc::CreateChannel(
      absl::GetFlag(FLAGS_address), grpc::InsecureChannelCredentials()));
  const std::string name = absl::GetFlag(FLAGS_session);

  grpc::ClientContext create_ctx;
  pb::CreateSessionRequest create;
  create.set_name(name);
  create.set_seed(1);
  pb::SessionInfo info;
  grpc::Status s = stub->CreateSession(&create_ctx, create, &info);
  if (!s.ok()) return Fail("CreateSession", s);
  std::printf("created \"%s\": ne=%d ni=%d nu=%d, %lld E->E synapses\n",
              info.name().c_str(), info.ne(), info.ni(), info.nu(),
              (long long)info.ee_connections());

  grpc::ClientContext run_ctx;
  pb::RunRequest run;
  run.set_session(name);
  run.set_timesteps(absl::GetFlag(FLAGS_steps));
  run.mutable_generated()->set_kind(pb::GeneratedInputs::UNIFORM);
  run.mutable_record()->set_r(false);
  auto reader = stub->Simulate(&run_ctx, run);
  pb::RunResponse batch;
  long long steps = 0, spikes = 0;
  while (reader->Read(&batch)) {
    steps += batch.steps();
    for (unsigned char byte : batch.x()) spikes += __builtin_popcount(byte);
  }
  s = reader->Finish();
  if (!s.ok()) return Fail("Simulate", s);
  std::printf("simulated %lld steps: excitatory rate %.4f\n", steps,
              double(spikes) / (double(steps) * info.ne()));

  grpc::ClientContext stats_ctx;
  pb::GetStatisticsRequest req;
  req.set_session(name);
  req.set_last_steps(1000);
  pb::Statistics stats;
  s = stub->GetStatistics(&stats_ctx, req, &stats);
  if (!s.ok()) return Fail("GetStatistics", s);
  std::printf(
      "last %lld steps: mean correlation %.4f, spike source entropy %.4f, "
      "autocorrelation(lag 2) %.4f\n",
      (long long)stats.steps(), stats.mean_correlation(),
      stats.spike_source_entropy(), stats.autocorrelation());

  grpc::ClientContext get_ctx;
  pb::GetSessionRequest get;
  get.set_name(name);
  s = stub->GetSession(&get_ctx, get, &info);
  if (!s.ok()) return Fail("GetSession", s);
  std::printf("now at step %lld with %lld E->E synapses\n",
              (long long)info.step(), (long long)info.ee_connections());
  return 0;
}
