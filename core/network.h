// Network: one SORN (SPEC.md) and its step. This is the engine's entry point.
#ifndef SORN_CORE_NETWORK_H_
#define SORN_CORE_NETWORK_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/mechanism.h"
#include "core/network_state.h"
#include "core/params.h"
#include "core/random.h"
#include "core/step_record.h"
#include "core/synapse_matrix.h"

namespace sorn {

// A network and its generator. Work per step grows with the number of active
// synapses (plus O(ne) for thresholds), not with ne^2.
//
// Thread-compatible: one thread at a time may call a non-const method.
// Movable and copyable (a copy is an independent twin, a fork).
class Network {
 public:
  // A freshly initialized network. INVALID_ARGUMENT for bad params.
  static absl::StatusOr<Network> Create(const Params& params, uint64_t seed);
  // A network continuing from `state`; every shape and value is validated.
  static absl::StatusOr<Network> FromState(const NetworkState& state);
  // Everything needed to continue bit for bit.
  NetworkState ExportState() const;

  // Advances one step with input u(t) (nu values; unit k drives excitatory
  // neuron k, or its pool) and fills `record`. INVALID_ARGUMENT, with nothing
  // changed, for input of the wrong width or a non-finite value.
  absl::Status Step(std::span<const double> input, const StepOptions& options,
                    StepRecord* record);

  const Params& params() const { return params_; }
  int ne() const { return params_.ne; }
  int ni() const { return ni_; }
  int nu() const { return params_.nu; }
  int64_t step_count() const { return step_; }
  // Heap bytes the network holds now (see EstimateNetworkBytes for the
  // figure before it exists).
  int64_t MemoryBytes() const;
  FreezeSet frozen() const { return frozen_; }
  void set_frozen(FreezeSet frozen) { frozen_ = frozen; }

  const SynapseMatrix& wee() const { return wee_; }
  const SynapseMatrix& wei() const { return wei_; }
  const SynapseMatrix& wie() const { return wie_; }
  const std::vector<double>& te() const { return te_; }
  const std::vector<double>& ti() const { return ti_; }
  const std::vector<uint8_t>& x() const { return x_; }
  const std::vector<uint8_t>& y() const { return y_; }

 private:
  Network() = default;
  absl::Status CheckInput(std::span<const double> input) const;
  void ComputeActivity(std::span<const double> input, bool noise,
                       StepRecord* record);
  void ApplyPlasticity();
  void Advance();
  // drive_ie_ from the excitatory neurons in `active`.
  void AccumulateInhibitoryDrive(std::span<const int32_t> active);
  // The pools' CSR form from params_.input_pools (empty without pools).
  void BuildInputPools();
  // Every excitatory neuron's input from its pools, or nullptr without pools
  // (then unit k drives neuron k).
  const double* InputDrive(std::span<const double> input);

  // The state (NetworkState).
  Params params_;
  int ni_ = 0;
  double h_ip_ = 0.0;
  double sp_probability_ = 0.0;  // params_.EffectiveSpProbability().
  FreezeSet frozen_;
  SynapseMatrix wee_;
  SynapseMatrix wei_;
  SynapseMatrix wie_;
  std::vector<double> te_;
  std::vector<double> ti_;
  std::vector<uint8_t> x_prev_, x_, y_prev_, y_;
  Random random_{0};
  int64_t step_ = 0;

  // Derived: a dense row-major copy of Wie when it is fully connected
  // (Wie never changes), else empty.
  std::vector<double> wie_dense_;
  // Derived from params_.input_pools: unit k drives the neurons
  // pool_neuron_[pool_start_[k] .. pool_start_[k + 1]).
  std::vector<int32_t> pool_start_, pool_neuron_;
  // Derived from x_ and y_: ascending indices of the active neurons.
  std::vector<int32_t> active_x_, active_y_;
  // Scratch reused by every step; not state.
  std::vector<double> drive_ee_, drive_ei_, drive_ie_, noise_e_, noise_i_;
  std::vector<double> input_drive_;  // with pools: InputDrive's result.
  std::vector<uint8_t> x_next_, y_next_;
  std::vector<uint8_t> stdp_code_;  // StdpCode(x(t), x(t+1)) per neuron.
  std::vector<int32_t> active_x_next_, active_y_next_;
};

}  // namespace sorn

#endif  // SORN_CORE_NETWORK_H_
