// The sections of service_bench, in the order they run. Each starts its own
// servers, prints its figures and ratios, and returns false on any error.
#ifndef SORN_BENCH_SERVICE_SECTIONS_H_
#define SORN_BENCH_SERVICE_SECTIONS_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sorn::bench {

struct Options {
  bool quick = false;  // small counts: a smoke run.
  std::string only;    // comma-separated section names; empty: all.
};

using Section = std::function<bool(const Options&)>;

std::vector<std::pair<std::string, Section>> Sections();

}  // namespace sorn::bench

#endif  // SORN_BENCH_SERVICE_SECTIONS_H_
