// NetworkState: everything that determines a network's future, as plain data.
// Export, import, checkpoints and forks all go through it; importing it into
// a Network validates every shape and value.
#ifndef SORN_CORE_NETWORK_STATE_H_
#define SORN_CORE_NETWORK_STATE_H_

#include <cstdint>
#include <vector>

#include "core/mechanism.h"
#include "core/params.h"
#include "core/random.h"
#include "core/synapse_matrix.h"

namespace sorn {

struct NetworkState {
  Params params;
  FreezeSet frozen;             // mechanisms that do not run.
  SynapseMatrixState wee;       // ne x ne, excitatory -> excitatory.
  SynapseMatrixState wei;       // ni x ne, inhibitory -> excitatory.
  SynapseMatrixState wie;       // ne x ni, excitatory -> inhibitory.
  std::vector<double> te;       // ne excitatory thresholds.
  std::vector<double> ti;       // ni inhibitory thresholds.
  std::vector<uint8_t> x_prev;  // x(t-1), 0 or 1 per excitatory neuron.
  std::vector<uint8_t> x;       // x(t): drives the next step.
  std::vector<uint8_t> y_prev;  // y(t-1).
  std::vector<uint8_t> y;       // y(t).
  RandomState random{};         // generator state (noise, sp).
  int64_t step = 0;             // steps taken since creation.
};

}  // namespace sorn

#endif  // SORN_CORE_NETWORK_STATE_H_
