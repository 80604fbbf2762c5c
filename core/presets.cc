#include "core/presets.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sorn {
namespace {

// Lazar, Pipa, Triesch 2009 (the counting task), as delpapa/SORN_V2's
// CountingTask/param.py and common/sorn.py set it: STDP, IP and scaling of
// Wee only; W_EI dense and fixed; no iSTDP, no SP, no noise; one disjoint
// pool of 10 neurons per letter (6 letters); the inhibitory update from
// x(t + 1).
Params Lazar2009() {
  Params p;
  p.ne = 200;
  p.nu = 6;
  p.input_pool_size = 10;
  p.input_pools_disjoint = true;
  p.input_gain = 1.0;
  p.lambda_ee = 10;
  p.network_type_ei = NetworkType::kDense;
  p.wei_fixed = true;
  p.eta_stdp = 0.001;
  p.eta_inhib = 0.0;
  p.eta_ip = 0.001;
  p.h_ip = 0.1;
  p.te_max = 0.5;
  p.ti_max = 0.5;
  p.sp_probability = 0.0;
  p.noise_sd = 0.0;
  p.clamp_thresholds = false;
  p.wee_prune_below = 1e-10;
  p.fast_inhibit = true;
  return p;
}

// Zheng, Dimitrakakis, Triesch 2013 (lognormal weights), as
// chrhartm/SORN's examples/zheng2013/param_noinput.py sets it: no input,
// noise of variance 0.05, the lab's pruning of Wee below 1e-10 and its iSTDP
// floor of 0.001.
Params Zheng2013() {
  Params p;
  p.ne = 200;
  p.nu = 0;
  p.lambda_ee = 20;
  p.lambda_ei = 40;
  p.eta_stdp = 0.004;
  p.eta_inhib = 0.001;
  p.eta_ip = 0.01;
  p.h_ip = 0.1;
  p.mu_ip = 0.1;
  p.te_max = 1.0;
  p.ti_max = 0.5;
  p.sp_probability = 0.1;
  p.noise_sd = std::sqrt(0.05);
  p.clamp_thresholds = false;
  p.wee_prune_below = 1e-10;
  p.wei_floor = 0.001;
  return p;
}

// Del Papa, Priesemann, Triesch 2017 (avalanches): Zheng 2013's network with
// the inhibitory update from x(t + 1) and SP scaled with size
// (delpapa/SORN: delpapa/param_Zheng2013.py).
Params DelPapa2017() {
  Params p = Zheng2013();
  p.fast_inhibit = true;
  p.sp_scale_with_size = true;
  return p;
}

}  // namespace

absl::StatusOr<Params> PresetParams(const std::string& name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower.empty() || lower == "sorn") return Params{};
  if (lower == "lazar2009") return Lazar2009();
  if (lower == "zheng2013") return Zheng2013();
  if (lower == "delpapa2017") return DelPapa2017();
  return absl::InvalidArgumentError(
      absl::StrCat("unknown preset \"", name,
                   "\"; known presets: ", absl::StrJoin(PresetNames(), ", ")));
}

std::vector<std::string> PresetNames() {
  return {"sorn", "lazar2009", "zheng2013", "delpapa2017"};
}

}  // namespace sorn
