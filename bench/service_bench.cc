// service_bench: sorn-server as its users feel it, every figure next to the
// limit measured in the same run (bench/RESULTS.md).
//
//   build/bench/service_bench [--quick]
//   [--only=step,simulate,density,concurrency,large] build/bench/service_bench
//   --inprocess=STEPS   (ne = 200 in-process rate only)
//
// step         RL loop: one Step request per step, ne = 200: round-trip
//              quantiles against a bare echo of the same messages; pipelined.
// simulate     Simulate ne = 200 received and decoded into arrays by a C++
//              client, against Network::Step in this process.
// density      resident memory of a server holding 1,000 idle ne = 200
//              sessions, and the time to create them.
// concurrency  2, 8 and 64 clients each stepping its own session.
// large        Simulate at ne = 10,000 and 100,000 against in-process.
// --quick runs each with small counts (CI's smoke test, seconds).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <string>

#include "bench/bench_util.h"
#include "bench/echo_server.h"
#include "bench/service_sections.h"
#include "tests/support/test_server.h"

int main(int argc, char** argv) {
  using namespace sorn::bench;
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      options.quick = true;
    } else if (arg.rfind("--only=", 0) == 0) {
      options.only = arg.substr(7);
    } else if (arg.rfind("--inprocess=", 0) == 0) {
      std::printf("in-process ne=200: %.0f steps/s\n",
                  InProcessStepsPerSecond(200, std::stoll(arg.substr(12)), 5));
      return 0;
    } else if (arg.rfind("--echo_server=", 0) == 0) {
      // Internal: the echo process; the flag names a serialized reply.
      std::ifstream in(arg.substr(14), std::ios::binary);
      sorn::v1::StepResponse reply;
      if (!reply.ParseFromIstream(&in)) return 1;
      return RunEchoServer(reply);
    } else if (arg == "--port=0") {
      // TestServer passes it to every program it starts.
    } else {
      std::fprintf(stderr, "service_bench: unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  std::printf("service_bench%s: sorn-server %s\n",
              options.quick ? " --quick" : "",
              sorn::DefaultServerBinary().c_str());
  bool ok = true;
  for (const auto& [name, section] : Sections()) {
    if (!options.only.empty() &&
        ("," + options.only + ",").find("," + name + ",") ==
            std::string::npos) {
      continue;
    }
    std::printf("\n== %s\n", name.c_str());
    std::fflush(stdout);
    const bool passed = section(options);
    if (!passed) std::printf("%s: FAILED (errors above)\n", name.c_str());
    ok = ok && passed;
  }
  std::printf("\nservice_bench: %s\n", ok ? "all sections ran" : "FAILED");
  return ok ? 0 : 1;
}
