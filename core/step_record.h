// StepRecord and StepOptions: what one step is asked to do and what it
// reports (SPEC.md: the reference's callbacks).
#ifndef SORN_CORE_STEP_RECORD_H_
#define SORN_CORE_STEP_RECORD_H_

#include <cstdint>
#include <vector>

#include "core/mechanism.h"
#include "core/sparse_weights.h"

namespace sorn {

struct StepOptions {
  // Plasticity phase: every mechanism not frozen runs. Training: none does.
  Phase phase = Phase::kPlasticity;
  // Gaussian noise (sd Params::noise_sd) on every neuron's drive.
  bool noise = true;
  // Fill StepRecord::te and ti with the thresholds after the step.
  bool record_thresholds = false;
  // Fill StepRecord::wee and wei with the weights after the step. Costs
  // O(synapses): ask for it every k steps, not every step.
  bool record_weights = false;
};

// One step's report. Reuse one record across steps: its buffers keep their
// capacity, so the hot loop does not allocate.
struct StepRecord {
  std::vector<uint8_t> x;  // x(t+1): 1 where the excitatory neuron fired.
  std::vector<uint8_t> y;  // y(t+1), inhibitory.
  std::vector<uint8_t> r;  // r(t+1): excitatory activity without the input.
  int64_t ee_conn = 0;     // Wee synapses before this step's plasticity.
  int64_t ei_conn = 0;     // Wei synapses before this step's plasticity.
  std::vector<double> te;  // when record_thresholds; else empty.
  std::vector<double> ti;
  SparseWeights wee;  // when record_weights; else empty.
  SparseWeights wei;
};

}  // namespace sorn

#endif  // SORN_CORE_STEP_RECORD_H_
