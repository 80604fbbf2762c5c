// Small pieces service_bench measures with: latency quantiles, wall time,
// packed-bit decoding as a client does it, and the in-process engine rate
// that figures through the server are compared with.
#ifndef SORN_BENCH_BENCH_UTIL_H_
#define SORN_BENCH_BENCH_UTIL_H_

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "core/network.h"
#include "core/random.h"

namespace sorn::bench {

using Clock = std::chrono::steady_clock;

inline double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Quantiles {
  double p50 = 0, p99 = 0, p999 = 0;  // microseconds.
};

// REQUIRES: !micros.empty().
inline Quantiles QuantilesOf(std::vector<double> micros) {
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) {
    return micros[std::min(micros.size() - 1, size_t(q * micros.size()))];
  };
  return {at(0.5), at(0.99), at(0.999)};
}

// Unpacks `steps` rows of `n` bits (each row padded to whole bytes, as the
// API packs them) into one byte per neuron, appended to `out`. A table of
// the 256 byte values makes it about one store per 8 neurons.
inline void UnpackAppend(const std::string& packed, int steps, int n,
                         std::vector<uint8_t>* out) {
  static const auto kTable = [] {
    std::array<std::array<uint8_t, 8>, 256> t{};
    for (int b = 0; b < 256; ++b) {
      for (int k = 0; k < 8; ++k) t[b][k] = (b >> k) & 1;
    }
    return t;
  }();
  const int row_bytes = (n + 7) / 8;
  const size_t begin = out->size();
  out->resize(begin + size_t(steps) * n + 8);  // slack for the last byte.
  uint8_t* dst = out->data() + begin;
  const auto* src = reinterpret_cast<const uint8_t*>(packed.data());
  for (int t = 0; t < steps; ++t, dst += n, src += row_bytes) {
    for (int b = 0; b < row_bytes; ++b) {
      std::copy_n(kTable[src[b]].data(), 8, dst + 8 * b);
    }
  }
  out->resize(begin + size_t(steps) * n);
}

// Parameters of the networks measured: defaults except ne (and, from
// ne = 10,000, a sparse Wie with lambda_ie = 100; core_bench and service_bench
// share them).
inline Params BenchParams(int ne) {
  Params params;
  params.ne = ne;
  if (ne >= 10000) {
    params.network_type_ie = NetworkType::kSparse;
    params.lambda_ie = 100;
  }
  return params;
}

// Steps per second of Network::Step in this process on a new network made
// from `seed`, inputs U(0, 1), plasticity and noise on: the rate the server
// is compared with.
inline double InProcessStepsPerSecond(int ne, int64_t steps, uint64_t seed) {
  absl::StatusOr<Network> net = Network::Create(BenchParams(ne), seed);
  if (!net.ok()) return 0;
  Random inputs(seed + 1);
  std::vector<double> u(net->nu());
  StepRecord record;
  const auto start = Clock::now();
  for (int64_t t = 0; t < steps; ++t) {
    for (double& v : u) v = inputs.Uniform();
    (void)net->Step(u, StepOptions(), &record);
  }
  return double(steps) / SecondsSince(start);
}

}  // namespace sorn::bench

#endif  // SORN_BENCH_BENCH_UTIL_H_
