// Hyperparameters of a SORN network (SPEC.md, "Sizes and names"), their
// defaults and their validation. Plain data: copyable, no invariants until
// Validate() has returned OK.
#ifndef SORN_CORE_PARAMS_H_
#define SORN_CORE_PARAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sorn {

// How a weight matrix is populated at initialization.
enum class NetworkType {
  kSparse,  // lambda rule: a drawn number of partners per neuron.
  kDense,   // every allowed entry exists.
};

absl::StatusOr<NetworkType> ParseNetworkType(const std::string& name);

// How synaptic scaling is computed (docs/SPEC.md, "Arithmetic").
enum class Arithmetic {
  // Lazy column scale factors: each step touches only what changed. Weights
  // stay within ~1e-12 of the reference's; a drive within an ulp of zero
  // can round the other way, and the trajectory then diverges.
  kFast,
  // The reference's operations in its order: every column summed over the
  // pre-synaptic rows in ascending order, every weight divided by its
  // column's sum, pruning at <= 0. Every spike and weight equals the
  // reference's bit for bit (with noise off, or the same noise).
  kExact,
};
// "FAST" or "EXACT".
absl::StatusOr<Arithmetic> ParseArithmetic(const std::string& name);
const char* ArithmeticName(Arithmetic arithmetic);

// Every field has the reference package's default. Validate() before use.
struct Params {
  // Excitatory neurons. At least 5 (so that ni >= 1).
  int ne = 200;
  // Input units. Without pools, input unit k drives excitatory neuron k
  // (the reference's rule). 0 <= nu <= ne; 0 means no input at all.
  int nu = 10;

  // Input pools (the lab's rule, docs/SPEC.md "Variants"): input unit k
  // drives every excitatory neuron of input_pools[k] with input_gain * u_k.
  // Explicit pools: nu lists of distinct neurons in [0, ne). Random pools:
  // input_pool_size > 0 with input_pools empty; InitialState draws them
  // (disjoint if input_pools_disjoint, which needs nu * size <= ne) from a
  // generator derived from the seed and stores them here, so a network's
  // params always carry the pools it uses. 0 and empty: no pools.
  // Pools travel with the params (states, SessionInfo): their entries are
  // bounded so that no message carrying them grows past a megabyte.
  static constexpr int64_t kMaxInputPoolEntries = int64_t{1} << 18;
  int input_pool_size = 0;
  bool input_pools_disjoint = false;
  std::vector<std::vector<int32_t>> input_pools;
  // Multiplies every input value (pools or not). Finite. 1 keeps the
  // reference's arithmetic bit for bit (1 * u == u).
  double input_gain = 1.0;

  // Population rule of Wee (ne x ne), Wei (ni x ne) and Wie (ne x ni).
  NetworkType network_type_ee = NetworkType::kSparse;
  NetworkType network_type_ei = NetworkType::kSparse;
  NetworkType network_type_ie = NetworkType::kDense;

  // Sparse Wee: mean incoming connections per excitatory neuron, drawn as
  // trunc(N(lambda_ee, 1)). 0 <= lambda_ee <= ne - 1. Unused when Dense.
  int lambda_ee = 20;
  // Sparse Wei: mean outgoing connections per inhibitory neuron.
  // 0 <= lambda_ei <= ne. Unused when Dense.
  int lambda_ei = 40;
  // Sparse Wie: mean incoming excitatory connections per inhibitory neuron.
  // 0 <= lambda_ie <= ne. Unused when Dense (the default, where the
  // reference reads it as "100 %").
  int lambda_ie = 100;

  // STDP learning rate, in [0, 1].
  double eta_stdp = 0.004;
  // iSTDP learning rate, in [0, 1].
  double eta_inhib = 0.001;
  // Intrinsic plasticity learning rate, in [0, 1].
  double eta_ip = 0.01;

  // Excitatory thresholds are drawn from and clamped to [te_min, te_max].
  double te_min = 0.0;
  double te_max = 1.0;
  // Inhibitory thresholds are drawn from [ti_min, ti_max] and never change.
  double ti_min = 0.0;
  double ti_max = 0.5;

  // Target rate of iSTDP, in (0, 1].
  double mu_ip = 0.1;
  // Accepted for compatibility with the reference, which does not use it.
  // Finite and >= 0.
  double sigma_ip = 0.0;
  // Target rate of IP, in [0, 1]. Unset means 2 * nu / ne (the reference's
  // rule; note: not mu_ip).
  std::optional<double> h_ip;

  // Standard deviation of the Gaussian noise added to every neuron's drive
  // each step while noise is on. Finite and >= 0.
  double noise_sd = 0.04;
  // Probability per step that structural plasticity adds one synapse, in
  // [0, 1].
  double sp_probability = 0.1;
  // Synaptic scaling's arithmetic; fixed for the network's life.
  Arithmetic arithmetic = Arithmetic::kFast;

  // The lab's rules where they differ from the reference's (docs/SPEC.md,
  // "Variants"); each default is the reference's behaviour.
  //
  // IP clamps thresholds to [te_min, te_max]; false: IP moves them freely.
  bool clamp_thresholds = true;
  // E->E synapses whose weight falls below this are deleted (the lab's
  // 1e-10), besides those at <= 0. In [0, 1).
  double wee_prune_below = 0.0;
  // > 0: an I->E weight that iSTDP takes to <= 0 is set to this value
  // instead of being pruned (the lab's 0.001). In [0, 1].
  double wei_floor = 0.0;
  // The inhibitory neurons see x(t+1) instead of x(t).
  bool fast_inhibit = false;
  // I->E weights (Wei) never change: neither iSTDP nor synaptic scaling.
  bool wei_fixed = false;
  // SP's probability per step is min(1, sp_probability * ne (ne - 1) /
  // (200 * 199)): the same per possible pair as at ne = 200 (Del Papa 2017).
  bool sp_scale_with_size = false;

  // Inhibitory neurons: floor(0.2 * ne), as the reference computes it.
  int ni() const;
  // h_ip if set, else 2 * nu / ne.
  double EffectiveHip() const;
  // SP's probability per step (sp_scale_with_size applied).
  double EffectiveSpProbability() const;
  // Pool entries over all units: the explicit lists', or nu * size for
  // random pools still to be drawn.
  int64_t InputPoolEntries() const;

  // OK, or INVALID_ARGUMENT naming the first field that is out of range.
  absl::Status Validate() const;

 private:
  absl::Status ValidateInputPools() const;
};

}  // namespace sorn

#endif  // SORN_CORE_PARAMS_H_
