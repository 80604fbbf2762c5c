// Loading and replaying one conformance case (tests/data/golden/FORMAT.md):
// a deterministic run of the reference package to be reproduced exactly.
#ifndef SORN_TESTS_CONFORMANCE_GOLDEN_CASE_H_
#define SORN_TESTS_CONFORMANCE_GOLDEN_CASE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/mechanism.h"
#include "core/network_state.h"
#include "core/npy_file.h"
#include "core/params.h"

namespace sorn {

struct GoldenCase {
  std::string name;
  Params params;
  FreezeSet frozen;
  Phase phase = Phase::kPlasticity;
  bool noise = false;
  int timesteps = 0;
  NetworkState initial;  // the reference's initial state, imported.
  NpyArray inputs;       // nu x T.
  NpyArray expected_x, expected_y, expected_r;       // T x ne, T x ni, T x ne.
  NpyArray expected_ee_conn, expected_ei_conn;       // T.
  NpyArray expected_wee, expected_wei, expected_te;  // after the last step.
};

// Reads case.json and the .npy files of the folder `dir`.
absl::StatusOr<GoldenCase> LoadGoldenCase(const std::string& dir);

// Replays the case in `arithmetic`. Returns "" when every spike, every count
// and the final weights and thresholds (to `tolerance`; 0: bit for bit)
// match, else what differs first and at which step.
std::string ReplayGoldenCase(const GoldenCase& golden,
                             Arithmetic arithmetic = Arithmetic::kExact,
                             double tolerance = 0.0);

// The case folders (those holding a case.json) directly inside `dir`, or
// `dir` itself when it is one; sorted by name.
std::vector<std::string> FindGoldenCases(const std::string& dir);

}  // namespace sorn

#endif  // SORN_TESTS_CONFORMANCE_GOLDEN_CASE_H_
