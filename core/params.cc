#include "core/params.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace sorn {
namespace {

absl::Status CheckUnitInterval(const char* name, double value) {
  if (!std::isfinite(value) || value < 0.0 || value > 1.0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " must be in [0, 1], got ", value));
  }
  return absl::OkStatus();
}

absl::Status CheckRange(const char* min_name, double min, const char* max_name,
                        double max) {
  if (!std::isfinite(min) || !std::isfinite(max)) {
    return absl::InvalidArgumentError(absl::StrCat(
        min_name, " and ", max_name, " must be finite, got ", min, ", ", max));
  }
  if (min > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        min_name, " (", min, ") must not exceed ", max_name, " (", max, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckLambda(const char* name, NetworkType type, int lambda,
                         int partners, const char* partners_text) {
  if (type == NetworkType::kDense) return absl::OkStatus();
  if (lambda < 0 || lambda > partners) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " must be in [0, ", partners, "] (", partners_text,
                     "), got ", lambda));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Arithmetic> ParseArithmetic(const std::string& name) {
  if (name == "FAST") return Arithmetic::kFast;
  if (name == "EXACT") return Arithmetic::kExact;
  return absl::InvalidArgumentError(
      absl::StrCat("arithmetic must be FAST or EXACT, got \"", name, "\""));
}

const char* ArithmeticName(Arithmetic arithmetic) {
  return arithmetic == Arithmetic::kExact ? "EXACT" : "FAST";
}

absl::StatusOr<NetworkType> ParseNetworkType(const std::string& name) {
  if (name == "Sparse") return NetworkType::kSparse;
  if (name == "Dense") return NetworkType::kDense;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown network type \"", name, "\"; expected \"Sparse\" or \"Dense\""));
}

int Params::ni() const { return static_cast<int>(std::floor(0.2 * ne)); }

double Params::EffectiveHip() const {
  if (h_ip.has_value()) return *h_ip;
  return static_cast<double>(2 * nu) / static_cast<double>(ne);
}

double Params::EffectiveSpProbability() const {
  if (!sp_scale_with_size) return sp_probability;
  // Del Papa 2017: N (N - 1) * (0.1 / (200 * 199)) for the default 0.1.
  const double pairs = double(ne) * double(ne - 1) / (200.0 * 199.0);
  return std::min(1.0, sp_probability * pairs);
}

int64_t Params::InputPoolEntries() const {
  if (input_pools.empty()) return int64_t(nu) * input_pool_size;
  int64_t entries = 0;
  for (const std::vector<int32_t>& pool : input_pools) entries += pool.size();
  return entries;
}

absl::Status Params::ValidateInputPools() const {
  if (InputPoolEntries() > kMaxInputPoolEntries) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input pools have ", InputPoolEntries(), " entries in all; at most ",
        kMaxInputPoolEntries, " are supported (they travel with the params)"));
  }
  if (input_pool_size < 0 || input_pool_size > ne) {
    return absl::InvalidArgumentError(
        absl::StrCat("input_pool_size must be in [0, ne = ", ne, "], got ",
                     input_pool_size));
  }
  if (!std::isfinite(input_gain)) {
    return absl::InvalidArgumentError(
        absl::StrCat("input_gain must be finite, got ", input_gain));
  }
  if (input_pools.empty()) {
    if (input_pools_disjoint && int64_t(nu) * input_pool_size > ne) {
      return absl::InvalidArgumentError(
          absl::StrCat("disjoint input pools need nu * input_pool_size <= ne; ",
                       nu, " * ", input_pool_size, " > ", ne));
    }
    return absl::OkStatus();
  }
  if (int(input_pools.size()) != nu) {
    return absl::InvalidArgumentError(
        absl::StrCat("input_pools has ", input_pools.size(),
                     " pools; expected one per input unit, nu = ", nu));
  }
  // Sorted (neuron, unit) pairs: memory in the entries (bounded above), not
  // in ne (which may not have been checked against a server's limit yet).
  std::vector<std::pair<int32_t, int32_t>> entries;
  entries.reserve(InputPoolEntries());
  for (size_t k = 0; k < input_pools.size(); ++k) {
    for (int32_t neuron : input_pools[k]) {
      if (neuron < 0 || neuron >= ne) {
        return absl::InvalidArgumentError(
            absl::StrCat("input_pools[", k, "] names neuron ", neuron,
                         ", outside [0, ne = ", ne, ")"));
      }
      entries.emplace_back(neuron, int32_t(k));
    }
  }
  std::sort(entries.begin(), entries.end());
  for (size_t e = 1; e < entries.size(); ++e) {
    const auto [neuron, unit] = entries[e];
    const int32_t other = entries[e - 1].second;
    if (entries[e - 1].first != neuron) continue;
    if (other == unit) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input_pools[", unit, "] names neuron ", neuron, " twice"));
    }
    if (input_pools_disjoint) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input_pools[", other, "] and [", unit, "] share neuron ", neuron,
          " but input_pools_disjoint is set"));
    }
  }
  return absl::OkStatus();
}

absl::Status Params::Validate() const {
  if (ne < 5) {
    return absl::InvalidArgumentError(
        absl::StrCat("ne must be at least 5 (so that ni >= 1), got ", ne));
  }
  if (nu < 0 || nu > ne) {
    return absl::InvalidArgumentError(
        absl::StrCat("nu must be in [0, ne = ", ne, "], got ", nu));
  }
  absl::Status s =
      CheckLambda("lambda_ee", network_type_ee, lambda_ee, ne - 1,
                  "an excitatory neuron has ne - 1 possible partners");
  if (s.ok()) {
    s = CheckLambda("lambda_ei", network_type_ei, lambda_ei, ne,
                    "an inhibitory neuron has ne possible targets");
  }
  if (s.ok()) {
    s = CheckLambda("lambda_ie", network_type_ie, lambda_ie, ne,
                    "an inhibitory neuron has ne possible sources");
  }
  if (s.ok()) s = CheckUnitInterval("eta_stdp", eta_stdp);
  if (s.ok()) s = CheckUnitInterval("eta_inhib", eta_inhib);
  if (s.ok()) s = CheckUnitInterval("eta_ip", eta_ip);
  if (s.ok()) s = CheckRange("te_min", te_min, "te_max", te_max);
  if (s.ok()) s = CheckRange("ti_min", ti_min, "ti_max", ti_max);
  // iSTDP uses 1 / mu_ip: a subnormal mu_ip (found by the fuzzer) makes it
  // infinite and the inhibitory weights NaN. No target rate below 1e-6 (one
  // spike per neuron per million steps) is meaningful.
  if (s.ok() && (!std::isfinite(mu_ip) || mu_ip < 1e-6 || mu_ip > 1.0)) {
    s = absl::InvalidArgumentError(
        absl::StrCat("mu_ip must be in [1e-6, 1], got ", mu_ip));
  }
  if (s.ok() && (!std::isfinite(sigma_ip) || sigma_ip < 0.0)) {
    s = absl::InvalidArgumentError(
        absl::StrCat("sigma_ip must be finite and >= 0, got ", sigma_ip));
  }
  if (s.ok() && !h_ip.has_value() && EffectiveHip() > 1.0) {
    s = absl::InvalidArgumentError(
        absl::StrCat("h_ip defaults to 2 * nu / ne = ", EffectiveHip(),
                     ", outside [0, 1]; set h_ip or lower nu"));
  }
  if (s.ok()) s = CheckUnitInterval("h_ip", EffectiveHip());
  if (s.ok() && (!std::isfinite(noise_sd) || noise_sd < 0.0)) {
    s = absl::InvalidArgumentError(
        absl::StrCat("noise_sd must be finite and >= 0, got ", noise_sd));
  }
  if (s.ok()) s = CheckUnitInterval("sp_probability", sp_probability);
  if (s.ok() && (!(wee_prune_below >= 0.0) || !(wee_prune_below < 1.0))) {
    s = absl::InvalidArgumentError(absl::StrCat(
        "wee_prune_below must be in [0, 1), got ", wee_prune_below));
  }
  if (s.ok()) s = CheckUnitInterval("wei_floor", wei_floor);
  if (s.ok()) s = ValidateInputPools();
  return s;
}

}  // namespace sorn
