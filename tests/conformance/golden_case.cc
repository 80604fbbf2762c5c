#include "tests/conformance/golden_case.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "core/network.h"
#include "core/reference_state.h"
#include "nlohmann/json.hpp"

namespace sorn {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<NpyArray> Load(const std::string& dir, const char* file,
                              std::vector<int64_t> shape) {
  absl::StatusOr<NpyArray> a = ReadNpy(absl::StrCat(dir, "/", file));
  if (!a.ok()) return a.status();
  if (a->shape != shape) {
    std::string want, got;
    for (int64_t d : shape) absl::StrAppend(&want, d, " ");
    for (int64_t d : a->shape) absl::StrAppend(&got, d, " ");
    return absl::InvalidArgumentError(
        absl::StrCat(file, " has shape [ ", got, "]; expected [ ", want, "]"));
  }
  return a;
}

DenseMatrix ToDense(const NpyArray& a) {
  DenseMatrix m;
  m.rows = static_cast<int>(a.shape[0]);
  m.cols = a.shape.size() > 1 ? static_cast<int>(a.shape[1]) : 1;
  m.data = a.data;
  return m;
}

// Lambdas do not matter for a replay (the matrices are given), but must be
// valid for the network size.
void FitLambdas(const nlohmann::json& p, Params& params) {
  params.lambda_ee =
      p.value("lambda_ee", std::min(params.lambda_ee, params.ne - 1));
  params.lambda_ei =
      p.value("lambda_ei", std::min(params.lambda_ei, params.ne));
  params.lambda_ie =
      p.value("lambda_ie", std::min(params.lambda_ie, params.ne));
}

std::string CompareSpikes(const char* what, const NpyArray& expected, int t,
                          const std::vector<uint8_t>& got) {
  const size_t n = got.size();
  for (size_t i = 0; i < n; ++i) {
    const double want = expected.data[size_t(t) * n + i];
    if (want != double(got[i])) {
      return absl::StrCat(what, " differs at step ", t, ", neuron ", i,
                          ": expected ", want, ", got ", int(got[i]));
    }
  }
  return "";
}

std::string CompareFinal(const char* what, const std::vector<double>& expected,
                         const std::vector<double>& got, double tolerance) {
  if (expected.size() != got.size()) {
    return absl::StrCat("final ", what, " has ", got.size(),
                        " values; expected ", expected.size());
  }
  size_t worst = 0;
  double worst_diff = 0.0;
  for (size_t k = 0; k < got.size(); ++k) {
    const double d = std::abs(expected[k] - got[k]);
    if (!(d <= worst_diff)) {
      worst_diff = d;
      worst = k;
    }
  }
  if (!(worst_diff <= tolerance)) {
    return absl::StrCat("final ", what, " differs by ", worst_diff,
                        " at flat index ", worst, " (expected ",
                        expected[worst], ", got ", got[worst], ")");
  }
  return "";
}

}  // namespace

absl::StatusOr<GoldenCase> LoadGoldenCase(const std::string& dir) {
  std::ifstream in(dir + "/case.json");
  if (!in) return absl::NotFoundError(absl::StrCat("no case.json in ", dir));
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir, "/case.json is not JSON"));
  }
  GoldenCase c;
  try {
    c.name = j.value("name", fs::path(dir).filename().string());
    c.params.ne = j.at("ne").get<int>();
    c.params.nu = j.at("nu").get<int>();
    c.timesteps = j.at("timesteps").get<int>();
    c.noise = j.value("noise", false);
    if (j.contains("h_ip")) c.params.h_ip = j.at("h_ip").get<double>();
    const nlohmann::json& p = j.value("params", nlohmann::json::object());
    for (auto [key, field] : {std::pair{"eta_stdp", &c.params.eta_stdp},
                              {"eta_inhib", &c.params.eta_inhib},
                              {"eta_ip", &c.params.eta_ip},
                              {"te_min", &c.params.te_min},
                              {"te_max", &c.params.te_max},
                              {"ti_min", &c.params.ti_min},
                              {"ti_max", &c.params.ti_max},
                              {"mu_ip", &c.params.mu_ip}}) {
      if (p.contains(key)) *field = p.at(key).get<double>();
    }
    FitLambdas(p, c.params);
    absl::StatusOr<Phase> phase = ParsePhase(j.value("phase", "plasticity"));
    if (!phase.ok()) return phase.status();
    c.phase = *phase;
    absl::StatusOr<FreezeSet> frozen =
        FreezeSet::FromNames(j.value("freeze", std::vector<std::string>{}));
    if (!frozen.ok()) return frozen.status();
    c.frozen = *frozen;
    if (j.contains("ni") && j.at("ni").get<int>() != c.params.ni()) {
      return absl::InvalidArgumentError("case.json: ni is not floor(0.2 * ne)");
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir, "/case.json: ", e.what()));
  }
  const int64_t ne = c.params.ne, ni = c.params.ni(), nu = c.params.nu;
  const int64_t t = c.timesteps;
  ReferenceState ref;
  struct Item {
    const char* file;
    std::vector<int64_t> shape;
    NpyArray* out;
  };
  NpyArray wee, wei, wie, te, ti, x, y;
  for (const Item& item :
       std::vector<Item>{{"initial_Wee.npy", {ne, ne}, &wee},
                         {"initial_Wei.npy", {ni, ne}, &wei},
                         {"initial_Wie.npy", {ne, ni}, &wie},
                         {"initial_Te.npy", {ne}, &te},
                         {"initial_Ti.npy", {ni}, &ti},
                         {"initial_X.npy", {ne, 2}, &x},
                         {"initial_Y.npy", {ni, 2}, &y},
                         {"inputs.npy", {nu, t}, &c.inputs},
                         {"expected_X.npy", {t, ne}, &c.expected_x},
                         {"expected_Y.npy", {t, ni}, &c.expected_y},
                         {"expected_R.npy", {t, ne}, &c.expected_r},
                         {"expected_ee_conn.npy", {t}, &c.expected_ee_conn},
                         {"expected_ei_conn.npy", {t}, &c.expected_ei_conn},
                         {"expected_Wee.npy", {ne, ne}, &c.expected_wee},
                         {"expected_Wei.npy", {ni, ne}, &c.expected_wei},
                         {"expected_Te.npy", {ne}, &c.expected_te}}) {
    absl::StatusOr<NpyArray> a = Load(dir, item.file, item.shape);
    if (!a.ok()) return a.status();
    *item.out = *std::move(a);
  }
  ref.wee = ToDense(wee);
  ref.wei = ToDense(wei);
  ref.wie = ToDense(wie);
  ref.te = te.data;
  ref.ti = ti.data;
  ref.x = ToDense(x);
  ref.y = ToDense(y);
  absl::StatusOr<NetworkState> state =
      FromReferenceState(ref, c.params, c.frozen, /*seed=*/1);
  if (!state.ok()) return state.status();
  c.initial = *std::move(state);
  return c;
}

std::string ReplayGoldenCase(const GoldenCase& golden, Arithmetic arithmetic,
                             double tolerance) {
  NetworkState initial = golden.initial;
  initial.params.arithmetic = arithmetic;
  absl::StatusOr<Network> net = Network::FromState(initial);
  if (!net.ok()) return absl::StrCat("cannot import: ", net.status().message());
  const int nu = golden.params.nu;
  const int steps = golden.timesteps;
  StepOptions options;
  options.phase = golden.phase;
  options.noise = golden.noise;
  StepRecord record;
  std::vector<double> input(nu);
  for (int t = 0; t < steps; ++t) {
    for (int k = 0; k < nu; ++k)
      input[k] = golden.inputs.data[size_t(k) * steps + t];
    if (absl::Status s = net->Step(input, options, &record); !s.ok()) {
      return absl::StrCat("step ", t, " failed: ", s.message());
    }
    if (record.ee_conn != golden.expected_ee_conn.data[t]) {
      return absl::StrCat("ee_conn differs at step ", t, ": expected ",
                          golden.expected_ee_conn.data[t], ", got ",
                          record.ee_conn);
    }
    if (record.ei_conn != golden.expected_ei_conn.data[t]) {
      return absl::StrCat("ei_conn differs at step ", t, ": expected ",
                          golden.expected_ei_conn.data[t], ", got ",
                          record.ei_conn);
    }
    for (std::string diff :
         {CompareSpikes("X", golden.expected_x, t, record.x),
          CompareSpikes("Y", golden.expected_y, t, record.y),
          CompareSpikes("R", golden.expected_r, t, record.r)}) {
      if (!diff.empty()) return diff;
    }
  }
  for (std::string diff :
       {CompareFinal("Wee", golden.expected_wee.data,
                     net->wee().Weights().ToDense().data, tolerance),
        CompareFinal("Wei", golden.expected_wei.data,
                     net->wei().Weights().ToDense().data, tolerance),
        CompareFinal("Te", golden.expected_te.data, net->te(), tolerance)}) {
    if (!diff.empty()) return diff;
  }
  return "";
}

std::vector<std::string> FindGoldenCases(const std::string& dir) {
  std::vector<std::string> cases;
  std::error_code ec;
  if (fs::exists(fs::path(dir) / "case.json", ec)) return {dir};
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory() && fs::exists(e.path() / "case.json", ec)) {
      cases.push_back(e.path().string());
    }
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

}  // namespace sorn
