// core_bench: steps per second of the engine on one core.
//
//   build/bench/core_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
//
// BM_Step/<ne>: default parameters except ne (and, from ne = 10,000, a sparse
// Wie with lambda_ie = 100 incoming synapses per inhibitory neuron), inputs
// U(0, 1), all plasticity and noise on. The network is warmed up once, untimed
// (3,000 steps; 1,000 at ne = 100,000) so that rates have settled, and every
// repetition then runs the same fixed number of steps from that snapshot: the
// work measured is identical between runs, only the machine's noise varies.
// (A SORN keeps slowly changing its synapse count over 10^5-10^6 steps, so
// running "as long as the timer wants" would measure different networks.)
// items_per_second is steps per second; rss_growth_kb is how much resident
// memory grew from the end of the first tenth of the timed steps to the end
// (it stays 0: memory does not grow with the number of steps; the first
// tenth lets a freshly copied network's rows take their slack).
// BM_StepTraining/<ne>: the same, in the training phase (activity only, as an
// RL agent runs a frozen reservoir).
// BM_StepExact/<ne>: BM_Step in reference-exact arithmetic (Arithmetic::
// kExact: every column of Wee and Wei summed and divided at every step).
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>
#include <vector>

#include "bench/bench_util.h"
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

// The warmed-up network of each size and arithmetic, built on first use.
const sorn::Network* WarmNetwork(int ne, sorn::Arithmetic arithmetic) {
  static auto* cache = new std::map<std::pair<int, sorn::Arithmetic>,
                                    std::unique_ptr<sorn::Network>>();
  auto it = cache->find({ne, arithmetic});
  if (it != cache->end()) return it->second.get();
  sorn::Params params = sorn::bench::BenchParams(ne);
  params.arithmetic = arithmetic;
  absl::StatusOr<sorn::Network> net = sorn::Network::Create(params, 42);
  if (!net.ok()) return nullptr;
  sorn::Random inputs(7);
  std::vector<double> u(net->nu());
  sorn::StepRecord record;
  const int warmup = ne >= 100000 ? 1000 : 3000;
  for (int t = 0; t < warmup; ++t) {
    for (double& v : u) v = inputs.Uniform();
    (void)net->Step(u, sorn::StepOptions(), &record);
  }
  std::unique_ptr<sorn::Network>& slot = (*cache)[{ne, arithmetic}];
  slot = std::make_unique<sorn::Network>(*std::move(net));
  return slot.get();
}

void RunSteps(benchmark::State& state, sorn::Phase phase,
              sorn::Arithmetic arithmetic = sorn::Arithmetic::kFast) {
  const int ne = static_cast<int>(state.range(0));
  const sorn::Network* warm = WarmNetwork(ne, arithmetic);
  if (warm == nullptr) {
    state.SkipWithError("cannot create the network");
    return;
  }
  sorn::Network net = *warm;
  sorn::Random inputs(11);
  std::vector<double> u(net.nu());
  sorn::StepRecord record;
  sorn::StepOptions options;  // noise on.
  options.phase = phase;
  const int64_t tenth = state.max_iterations / 10;
  int64_t rss_before = ResidentKb();
  int64_t spikes = 0;
  int64_t step = 0;
  for (auto _ : state) {
    for (double& v : u) v = inputs.Uniform();
    (void)net.Step(u, options, &record);
    for (uint8_t x : record.x) spikes += x;
    if (++step == tenth) rss_before = ResidentKb();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["rate_x"] =
      double(spikes) / (double(state.iterations()) * net.ne());
  state.counters["wee_synapses"] = double(net.wee().nnz());
  state.counters["rss_growth_kb"] = double(ResidentKb() - rss_before);
}

void BM_Step(benchmark::State& state) {
  RunSteps(state, sorn::Phase::kPlasticity);
}
void BM_StepTraining(benchmark::State& state) {
  RunSteps(state, sorn::Phase::kTraining);
}
void BM_StepExact(benchmark::State& state) {
  RunSteps(state, sorn::Phase::kPlasticity, sorn::Arithmetic::kExact);
}

// Fixed step counts of about a second each.
BENCHMARK(BM_Step)
    ->Unit(benchmark::kMicrosecond)
    ->Args({200})
    ->Iterations(150000);
BENCHMARK(BM_Step)
    ->Unit(benchmark::kMicrosecond)
    ->Args({1000})
    ->Iterations(50000);
BENCHMARK(BM_Step)
    ->Unit(benchmark::kMicrosecond)
    ->Args({10000})
    ->Iterations(8000);
BENCHMARK(BM_Step)
    ->Unit(benchmark::kMicrosecond)
    ->Args({100000})
    ->Iterations(600);
BENCHMARK(BM_StepExact)
    ->Unit(benchmark::kMicrosecond)
    ->Args({200})
    ->Iterations(150000);
BENCHMARK(BM_StepExact)
    ->Unit(benchmark::kMicrosecond)
    ->Args({1000})
    ->Iterations(50000);
BENCHMARK(BM_StepTraining)
    ->Unit(benchmark::kMicrosecond)
    ->Args({200})
    ->Iterations(300000);
BENCHMARK(BM_StepTraining)
    ->Unit(benchmark::kMicrosecond)
    ->Args({1000})
    ->Iterations(60000);

}  // namespace

BENCHMARK_MAIN();
