#include "core/memory_estimate.h"

#include <algorithm>

namespace sorn {
namespace {

// sizeof(SynapseMatrix::Synapse): an int32 index padded next to a double.
constexpr int64_t kSynapseBytes = 16;
// Per column: scale, inverse scale and sum (double), count (int32), dirty
// flag and dirty-list entry. Per row: its slice (begin, size, capacity).
constexpr int64_t kColumnBytes = 3 * 8 + 4 + 1 + 4;
constexpr int64_t kRowBytes = 16;

int64_t ExpectedSynapses(int rows, int cols, NetworkType type, int lambda,
                         bool by_column, bool no_diagonal) {
  const int64_t partners =
      (by_column ? rows : cols) - (no_diagonal ? 1 : 0);  // per line.
  const int64_t lines = by_column ? cols : rows;
  if (type == NetworkType::kDense) return lines * partners;
  // Counts are drawn around lambda (sd 1) and capped at the partners.
  return lines * std::min<int64_t>(partners, lambda + 1);
}

// `slot_factor` covers the rows' slack (1.25 plus 2 per row when packed) and,
// for matrices that gain synapses, rows that moved to grow (up to half the
// slots are left behind before the matrix packs itself).
int64_t MatrixBytes(int rows, int cols, int64_t synapses, double slot_factor) {
  const int64_t slots = int64_t(double(synapses) * slot_factor) + 2 * rows;
  return slots * kSynapseBytes + rows * kRowBytes + cols * kColumnBytes;
}

struct SynapseCounts {
  int64_t ee, ei, ie;
};

SynapseCounts Expected(const Params& params) {
  const int ne = params.ne;
  const int ni = params.ni();
  return {ExpectedSynapses(ne, ne, params.network_type_ee, params.lambda_ee,
                           /*by_column=*/true, /*no_diagonal=*/true),
          ExpectedSynapses(ni, ne, params.network_type_ei, params.lambda_ei,
                           /*by_column=*/false, /*no_diagonal=*/false),
          ExpectedSynapses(ne, ni, params.network_type_ie, params.lambda_ie,
                           /*by_column=*/true, /*no_diagonal=*/false)};
}

}  // namespace

int64_t EstimateBuildBytes(const Params& params) {
  const auto [ee, ei, ie] = Expected(params);
  const int64_t rows = 2 * int64_t(params.ne) + params.ni();
  // The initializer's triplets (16 bytes a synapse, one matrix at a time)
  // come before the network exists and fit in the session's own
  // reservation; what comes on top is the state beside the network while
  // Network::FromState copies it (CSR: 12 bytes a synapse) and the matrices'
  // transient copies as they pack their rows (8 more, measured at 1M).
  return (ee + ei + ie) * 20 + rows * 8;
}

int64_t EstimateNetworkBytes(const Params& params) {
  const int ne = params.ne;
  const int ni = params.ni();
  const auto [ee, ei, ie] = Expected(params);
  int64_t total = MatrixBytes(ne, ne, ee, /*slot_factor=*/2.5) +
                  MatrixBytes(ni, ne, ei, /*slot_factor=*/1.25) +
                  MatrixBytes(ne, ni, ie, /*slot_factor=*/1.25);
  if (ie == int64_t(ne) * ni) total += ie * 8;  // Wie's dense copy.
  // Thresholds, drives, noise (double); activity, codes (byte); active
  // index lists (int32).
  total += (ne + ni) * (2 * 8 + 8) + ne * 8 + (ne + ni) * 6 + (ne + ni) * 8;
  if (params.InputPoolEntries() > 0) {
    // The pools in the params (as lists) and as the network's CSR copy, and
    // the per-step input drive.
    total +=
        params.InputPoolEntries() * (4 + 4) + params.nu * (24 + 4) + ne * 8;
  }
  return total;
}

}  // namespace sorn
