// A user's program against the installed client: creates a session, runs
// it, steps it once, and prints what it got.   user HOST:PORT
#include <cstdio>

#include "client/cpp/sorn_client.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  sorn::client::SornClient client(argv[1]);
  sorn::v1::CreateSessionRequest create;
  create.set_name("installed");
  create.set_preset("zheng2013");
  create.set_seed(1);
  absl::StatusOr<sorn::v1::SessionInfo> info = client.Create(create);
  if (!info.ok()) {
    std::fprintf(stderr, "%s\n", info.status().ToString().c_str());
    return 1;
  }
  sorn::v1::RunRequest run;
  run.set_session("installed");
  run.set_timesteps(300);
  int64_t steps = 0;
  absl::Status s = client.Run(run, /*train=*/false,
                              [&](const sorn::v1::RunResponse& m) { steps += m.steps(); });
  if (!s.ok()) return 1;
  std::unique_ptr<sorn::client::StepStream> loop = client.OpenSteps("installed");
  sorn::v1::StepRequest first;
  first.set_session("installed");
  absl::StatusOr<sorn::v1::StepResponse> state = loop->Step(first);
  if (!state.ok() || !loop->Finish().ok()) return 1;
  std::printf("installed client: ne %d, %lld steps, step %lld\n", info->ne(),
              static_cast<long long>(steps), static_cast<long long>(state->step()));
  return 0;
}
