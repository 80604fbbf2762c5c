// core_bench: steps per second of the engine on one core.
//
//   build/bench/core_bench --benchmark_min_time=2
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// BM_Step/<ne>: default parameters except ne (and, from ne = 10,000, a sparse
// Wie with lambda_ie = 100 incoming synapses per inhibitory neuron), inputs
// U(0, 1), all plasticity and noise on. An untimed warm-up of 3,000 steps
// (1,000 at ne = 100,000) lets rates settle first. items_per_second is steps
// per second; rss_growth_kb is how much resident memory grew over the timed
// steps (it stays 0: memory does not grow with the number of steps).
// BM_StepTraining/<ne>: the same network in the training phase (activity
// only, as an RL agent on a frozen reservoir runs it).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include "benchmark/benchmark.h"
#include "core/network.h"
#include "core/random.h"

namespace {

int64_t ResidentKb() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

sorn::Params BenchParams(int ne) {
  sorn::Params params;
  params.ne = ne;
  if (ne >= 10000) {
    params.network_type_ie = sorn::NetworkType::kSparse;
    params.lambda_ie = 100;
  }
  return params;
}

void RunSteps(benchmark::State& state, sorn::Phase phase) {
  const int ne = static_cast<int>(state.range(0));
  const int warmup = ne >= 100000 ? 1000 : 3000;
  absl::StatusOr<sorn::Network> net =
      sorn::Network::Create(BenchParams(ne), 42);
  if (!net.ok()) {
    state.SkipWithError(std::string(net.status().message()).c_str());
    return;
  }
  sorn::Random inputs(7);
  std::vector<double> u(net->nu());
  sorn::StepRecord record;
  sorn::StepOptions options;  // noise on.
  for (int t = 0; t < warmup; ++t) {
    for (double& v : u) v = inputs.Uniform();
    (void)net->Step(u, options, &record);
  }
  options.phase = phase;
  const int64_t rss_before = ResidentKb();
  int64_t spikes = 0;
  for (auto _ : state) {
    for (double& v : u) v = inputs.Uniform();
    (void)net->Step(u, options, &record);
    for (uint8_t x : record.x) spikes += x;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["rate_x"] =
      double(spikes) / (double(state.iterations()) * net->ne());
  state.counters["wee_synapses"] = double(net->wee().nnz());
  state.counters["rss_growth_kb"] = double(ResidentKb() - rss_before);
}

void BM_Step(benchmark::State& state) {
  RunSteps(state, sorn::Phase::kPlasticity);
}
void BM_StepTraining(benchmark::State& state) {
  RunSteps(state, sorn::Phase::kTraining);
}

BENCHMARK(BM_Step)->Arg(200)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(
    benchmark::kMicrosecond);
BENCHMARK(BM_StepTraining)->Arg(200)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
