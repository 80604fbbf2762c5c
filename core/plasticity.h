// The five plasticity mechanisms of SPEC.md as free functions over the
// network's parts, each touching only what its rule can change:
// STDP walks the rows of neurons active at t or t+1, iSTDP those of
// inhibitory neurons active at t, synaptic scaling the changed columns.
#ifndef SORN_CORE_PLASTICITY_H_
#define SORN_CORE_PLASTICITY_H_

#include <cstdint>
#include <span>

#include "core/random.h"
#include "core/synapse_matrix.h"

namespace sorn {

// STDP on Wee: w(j,i) += eta * (x_i(t+1) x_j(t) - x_i(t) x_j(t+1)) on
// existing synapses, then prune <= 0 and clip > 1.
// `code[i]` = x_i(t) | x_i(t+1) << 1 (see StdpCode); `active_before` /
// `active_after`: ascending indices of x(t) / x(t+1) == 1.
void ApplyStdp(double eta_stdp, std::span<const uint8_t> code,
               std::span<const int32_t> active_before,
               std::span<const int32_t> active_after, SynapseMatrix* wee);

// The per-neuron code ApplyStdp reads: activity before and after the step.
inline uint8_t StdpCode(uint8_t before, uint8_t after) {
  return static_cast<uint8_t>(before | (after << 1));
}

// IP: te += eta_ip * (x(t+1) - h_ip), clamped to [te_min, te_max].
void ApplyIntrinsicPlasticity(double eta_ip, double h_ip, double te_min,
                              double te_max, std::span<const uint8_t> x_after,
                              std::span<double> te);

// SP: with `probability`, one uniformly chosen absent synapse j -> i (j != i)
// is created with weight 0.001. Returns whether a synapse was added.
bool ApplyStructuralPlasticity(double probability, Random* random,
                               SynapseMatrix* wee);

// iSTDP on Wei: w(j,i) += -eta * y_j(t) * (1 - x_i(t+1) * (1 + 1/mu_ip)),
// then prune <= 0 and clip > 1. `active_y_before`: indices of y(t) == 1.
void ApplyIstdp(double eta_inhib, double mu_ip,
                std::span<const int32_t> active_y_before,
                std::span<const uint8_t> x_after, SynapseMatrix* wei);

// The weight SP gives a new synapse.
inline constexpr double kNewSynapseWeight = 0.001;

}  // namespace sorn

#endif  // SORN_CORE_PLASTICITY_H_
