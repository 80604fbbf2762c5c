// EstimateNetworkBytes: the memory a network of given parameters will need,
// computed before anything is allocated, so that a server can refuse a
// session that would not fit instead of failing halfway through building it.
#ifndef SORN_CORE_MEMORY_ESTIMATE_H_
#define SORN_CORE_MEMORY_ESTIMATE_H_

#include <cstdint>

#include "core/params.h"

namespace sorn {

// An upper estimate of Network::MemoryBytes() over the network's life: the
// expected synapse counts with the matrices' row slack, room for Wee to grow
// and move rows under structural plasticity, the dense copy of a fully
// connected Wie, and the per-neuron vectors. REQUIRES: params.Validate().
int64_t EstimateNetworkBytes(const Params& params);

// What Network::Create holds on top of EstimateNetworkBytes while it builds,
// until it returns: the initial NetworkState beside the network (CSR
// weights, 12 bytes a synapse) and the matrices' transient copies, 20 bytes
// a synapse in all. At ne = 10^6 with sparse E->I and I->E this is ~1.0 GB
// over a 1.6 GB estimate, covering the measured peak (bench/RESULTS.md).
// REQUIRES: params.Validate().
int64_t EstimateBuildBytes(const Params& params);

}  // namespace sorn

#endif  // SORN_CORE_MEMORY_ESTIMATE_H_
