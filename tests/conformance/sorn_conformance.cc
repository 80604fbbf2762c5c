// sorn_conformance: replays conformance cases of the reference package.
//
//   sorn_conformance [--arithmetic=EXACT|FAST] DIR [DIR...]
//
// Every folder holding a case.json (DIR itself or its direct subfolders) is
// one case. Prints exactly one line per case, "<case>: ok" or
// "<case>: FAIL <what differs and at which step>", and exits 0 only when all
// cases are ok (and at least one was found). EXACT (the default) must match
// the reference bit for bit; FAST its spikes, and its weights and
// thresholds to 1e-9.
#include <iostream>
#include <string>

#include "absl/strings/match.h"
#include "tests/conformance/golden_case.h"

int main(int argc, char** argv) {
  int first_dir = 1;
  sorn::Arithmetic arithmetic = sorn::Arithmetic::kExact;
  constexpr absl::string_view kFlag = "--arithmetic=";
  if (argc > 1 && absl::StartsWith(argv[1], kFlag)) {
    absl::StatusOr<sorn::Arithmetic> parsed =
        sorn::ParseArithmetic(std::string(argv[1] + kFlag.size()));
    if (!parsed.ok()) {
      std::cerr << parsed.status().message() << "\n";
      return 2;
    }
    arithmetic = *parsed;
    first_dir = 2;
  }
  if (argc <= first_dir) {
    std::cerr << "usage: sorn_conformance [--arithmetic=EXACT|FAST] DIR "
                 "[DIR...]\n";
    return 2;
  }
  const double tolerance = arithmetic == sorn::Arithmetic::kExact ? 0.0 : 1e-9;
  int cases = 0;
  int failures = 0;
  for (int a = first_dir; a < argc; ++a) {
    const std::vector<std::string> dirs = sorn::FindGoldenCases(argv[a]);
    if (dirs.empty()) {
      std::cout << argv[a] << ": FAIL no case folder (with case.json) found\n";
      ++failures;
    }
    for (const std::string& dir : dirs) {
      ++cases;
      absl::StatusOr<sorn::GoldenCase> golden = sorn::LoadGoldenCase(dir);
      std::string name = golden.ok() ? golden->name : dir;
      std::string diff =
          golden.ok() ? sorn::ReplayGoldenCase(*golden, arithmetic, tolerance)
                      : std::string(golden.status().message());
      if (diff.empty()) {
        std::cout << name << ": ok\n";
      } else {
        std::cout << name << ": FAIL " << diff << "\n";
        ++failures;
      }
    }
  }
  return failures == 0 && cases > 0 ? 0 : 1;
}
