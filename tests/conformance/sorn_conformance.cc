// sorn_conformance: replays conformance cases of the reference package.
//
//   sorn_conformance DIR [DIR...]
//
// Every folder holding a case.json (DIR itself or its direct subfolders) is
// one case. Prints exactly one line per case, "<case>: ok" or
// "<case>: FAIL <what differs and at which step>", and exits 0 only when all
// cases are ok (and at least one was found).
#include <iostream>
#include <string>

#include "tests/conformance/golden_case.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: sorn_conformance DIR [DIR...]\n";
    return 2;
  }
  int cases = 0;
  int failures = 0;
  for (int a = 1; a < argc; ++a) {
    const std::vector<std::string> dirs = sorn::FindGoldenCases(argv[a]);
    if (dirs.empty()) {
      std::cout << argv[a] << ": FAIL no case folder (with case.json) found\n";
      ++failures;
    }
    for (const std::string& dir : dirs) {
      ++cases;
      absl::StatusOr<sorn::GoldenCase> golden = sorn::LoadGoldenCase(dir);
      std::string name = golden.ok() ? golden->name : dir;
      std::string diff = golden.ok() ? sorn::ReplayGoldenCase(*golden)
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
