// Builds the initial state of a network from its parameters (SPEC.md,
// "Initialization"): lambda-rule or dense matrices, zero-column repair,
// column normalization, uniform thresholds, silent activity.
#ifndef SORN_CORE_INITIALIZER_H_
#define SORN_CORE_INITIALIZER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/network_state.h"
#include "core/params.h"

namespace sorn {

// Random input pools are drawn from Random(seed ^ kInputPoolSeedSalt).
inline constexpr uint64_t kInputPoolSeedSalt = 0x5157'0a1c'9e37'79b9;

// Random input pools (input_pool_size > 0, input_pools empty) drawn into
// params->input_pools, as InitialState and a reference import do; anything
// else is left as it is. REQUIRES: params->Validate().
void DrawRandomInputPools(uint64_t seed, Params* params);

// INVALID_ARGUMENT if `params` do not validate. The same params and seed give
// the same state; the returned state's generator continues from where
// initialization left it.
absl::StatusOr<NetworkState> InitialState(const Params& params, uint64_t seed);

}  // namespace sorn

#endif  // SORN_CORE_INITIALIZER_H_
