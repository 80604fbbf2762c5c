// sorn_simulate: a small example that runs one SORN in-process and prints
// how it organizes itself. It is what README's run command starts until the
// gRPC server exists.
//
//   sorn_simulate [--ne=200] [--steps=20000] [--seed=1] [--report_every=2000]
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "core/network.h"
#include "core/random.h"

ABSL_FLAG(int, ne, 200, "excitatory neurons");
ABSL_FLAG(int, steps, 20000, "steps to simulate");
ABSL_FLAG(uint64_t, seed, 1, "seed of the network and of the inputs");
ABSL_FLAG(int, report_every, 2000, "steps between progress lines");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Runs one SORN with uniform random input and prints its statistics.");
  absl::ParseCommandLine(argc, argv);
  sorn::Params params;
  params.ne = absl::GetFlag(FLAGS_ne);
  absl::StatusOr<sorn::Network> net =
      sorn::Network::Create(params, absl::GetFlag(FLAGS_seed));
  if (!net.ok()) {
    std::fprintf(stderr, "sorn_simulate: %s\n",
                 net.status().ToString().c_str());
    return 2;
  }
  std::printf("SORN ne=%d ni=%d nu=%d: %lld Wee, %lld Wei, %lld Wie synapses\n",
              net->ne(), net->ni(), net->nu(), (long long)net->wee().nnz(),
              (long long)net->wei().nnz(), (long long)net->wie().nnz());
  std::printf("%8s %8s %8s %8s %8s\n", "step", "rate_x", "rate_y", "Wee",
              "mean_Te");
  sorn::Random inputs(absl::GetFlag(FLAGS_seed) + 1000003);
  std::vector<double> u(net->nu());
  sorn::StepRecord record;
  const int steps = absl::GetFlag(FLAGS_steps);
  const int every = std::max(1, absl::GetFlag(FLAGS_report_every));
  double fired_x = 0, fired_y = 0;
  for (int t = 1; t <= steps; ++t) {
    for (double& v : u) v = inputs.Uniform();
    if (absl::Status s = net->Step(u, {}, &record); !s.ok()) {
      std::fprintf(stderr, "sorn_simulate: %s\n", s.ToString().c_str());
      return 1;
    }
    for (uint8_t v : record.x) fired_x += v;
    for (uint8_t v : record.y) fired_y += v;
    if (t % every == 0 || t == steps) {
      const int window = t % every == 0 ? every : t % every;
      double mean_te = 0;
      for (double v : net->te()) mean_te += v;
      std::printf("%8d %8.4f %8.4f %8lld %8.4f\n", t,
                  fired_x / (double(window) * net->ne()),
                  fired_y / (double(window) * net->ni()),
                  (long long)net->wee().nnz(), mean_te / net->ne());
      fired_x = fired_y = 0;
    }
  }
  return 0;
}
