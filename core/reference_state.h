// Conversion between NetworkState and the reference package's state_dict
// layout: dense Wee (ne x ne), Wei (ni x ne), Wie (ne x ni); Te, Ti as
// columns; X (ne x 2) and Y (ni x 2) with column 0 = t-1, column 1 = t. It
// lets a network trained with the Python package continue here, and back.
#ifndef SORN_CORE_REFERENCE_STATE_H_
#define SORN_CORE_REFERENCE_STATE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/mechanism.h"
#include "core/network_state.h"
#include "core/params.h"
#include "core/sparse_weights.h"

namespace sorn {

struct ReferenceState {
  DenseMatrix wee;         // ne x ne, [j][i]: excitatory j -> excitatory i.
  DenseMatrix wei;         // ni x ne.
  DenseMatrix wie;         // ne x ni.
  std::vector<double> te;  // ne (the reference's ne x 1 column).
  std::vector<double> ti;  // ni.
  DenseMatrix x;           // ne x 2, entries 0.0 or 1.0.
  DenseMatrix y;           // ni x 2.
};

// A state continuing from `reference` with `params` (whose ne and nu must fit
// the matrices), the frozen set, and a generator seeded with `seed`.
// INVALID_ARGUMENT names the first array whose shape or values are wrong.
absl::StatusOr<NetworkState> FromReferenceState(const ReferenceState& reference,
                                                const Params& params,
                                                FreezeSet frozen,
                                                uint64_t seed);

// The reference layout of `state` (actual weights, dense).
ReferenceState ToReferenceState(const NetworkState& state);

}  // namespace sorn

#endif  // SORN_CORE_REFERENCE_STATE_H_
