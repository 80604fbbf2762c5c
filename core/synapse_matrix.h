// SynapseMatrix: the engine's storage for one weight matrix (Wee, Wei or Wie)
// and the operations plasticity needs, each costing work in proportion to the
// synapses it touches.
//
// Layout: one row per pre-synaptic neuron, so a spike of neuron j walks one
// contiguous row. Synaptic scaling divides whole columns, which a row layout
// cannot reach cheaply, so every column i carries a scale factor and
//   weight(j, i) = stored(j, i) * column_scale[i].
// A running column sum and a dirty flag per column let normalization touch
// only the columns that changed, in O(1) each. Every kFoldInterval steps (and
// whenever a running sum may have lost precision) the scales are folded back
// into the stored values and the sums recomputed exactly, which bounds the
// rounding drift; weights stay within ~1e-12 of eager normalization.
#ifndef SORN_CORE_SYNAPSE_MATRIX_H_
#define SORN_CORE_SYNAPSE_MATRIX_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "core/sparse_weights.h"

namespace sorn {

// The exact internal representation of a SynapseMatrix, so that an exported
// and re-imported network continues bit for bit.
struct SynapseMatrixState {
  SparseWeights stored;              // weight = value * column_scale[post].
  std::vector<double> column_scale;  // cols factors, > 0.
  // cols: 1 / column_scale as the engine keeps it (updated by multiplication,
  // so it may differ from a fresh division in the last bits; kept so that a
  // restored network continues bit for bit).
  std::vector<double> column_inverse_scale;
  std::vector<double> column_sum;     // cols running sums of the weights.
  std::vector<uint8_t> column_dirty;  // 1: changed since last normalized.

  // The weights themselves.
  SparseWeights Weights() const;
  // A state holding `weights` as they are: scales 1, exact sums, every
  // column dirty (so that the next synaptic scaling normalizes it).
  static SynapseMatrixState FromWeights(SparseWeights weights);
};

// Not thread-safe. Owned by a Network.
class SynapseMatrix {
 public:
  struct Synapse {
    int32_t post;   // post-synaptic neuron.
    double stored;  // weight / column_scale[post].
  };
  // Steps between exact refolds of the column scales.
  static constexpr int64_t kFoldInterval = 4096;
  // A running sum that falls below this fraction of its previous value in one
  // update has lost that many digits to cancellation; the matrix then asks
  // for an exact recomputation (sums_need_refresh()).
  static constexpr double kCancellationLimit = 1e-3;
  // Normalization multiplies a column's scale by 1 / sum, and with it every
  // rounding error its running sum carries, while clipping at 1 and pruning
  // restore or remove weight without scaling that error back. The error left
  // from any earlier step is therefore amplified by at most the ratio of the
  // scale now to the scale then; a scale leaving [1 / kRefoldScale,
  // kRefoldScale] asks for a refresh, which bounds that ratio by
  // kRefoldScale^2 (measured drift below 1e-12).
  static constexpr double kRefoldScale = 16.0;
  // Column scales (and their inverses) stay within [kMinScale, kMaxScale], so
  // that weight * inverse scale never underflows and 1 / sum never makes an
  // infinite scale. A normalization that would leave the range folds the
  // scales and normalizes every column from its exact sum instead.
  static constexpr double kMinScale = 0x1p-500;
  static constexpr double kMaxScale = 0x1p+500;
  // Weights below this are pruned like weights <= 0 (by plasticity and when
  // scales are folded). A double cannot add them to a weight near 1, and
  // with them weight * inverse scale could underflow. SPEC.md's runs (10^3
  // steps) never get within 80 orders of magnitude of it, but long runs do:
  // a synapse that is never potentiated or depressed shrinks geometrically
  // under normalization, and after 10^6 steps about 1 % of Wee synapses are
  // below 1e-77 (docs/SCIENCE.md, "Engine notes"). The reference keeps such a
  // synapse until its weight underflows to 0 (~1e-320), so from then on
  // connection counts (and SP's candidate pairs) differ slightly; the drives do
  // not.
  static constexpr double kMinWeight = 1e-100;

  SynapseMatrix() = default;
  // Validates shapes, ordering and values; weights must be in (0, 1] and
  // finite, scales in [kMinScale, kMaxScale], running sums and inverse scales
  // exact up to rounding. `forbid_diagonal` rejects self-connections (Wee).
  // Running sums and inverse scales further off than the engine's own
  // rounding drift (but within the tolerance) are replaced by exact ones, so
  // a crafted state cannot carry an error that later steps amplify; the
  // engine's own exports keep their bits and continue bit for bit.
  static absl::StatusOr<SynapseMatrix> FromState(
      const SynapseMatrixState& state, bool forbid_diagonal);
  // Exports with the same replacement as FromState, so that export ->
  // import -> export is the identity even for a state whose drift a few
  // steps carried past the threshold (only reachable from a crafted import).
  SynapseMatrixState ToState() const;
  SparseWeights Weights() const;

  int rows() const { return static_cast<int>(slices_.size()); }
  int cols() const { return static_cast<int>(column_scale_.size()); }
  int64_t nnz() const { return nnz_; }
  // Heap bytes this matrix holds (capacities, slack included).
  int64_t MemoryBytes() const;
  // The synapses leaving neuron j, post ascending. Invalidated by Insert.
  std::span<const Synapse> row(int j) const {
    const RowSlice& r = slices_[j];
    return {synapses_.data() + r.begin, size_t(r.size)};
  }
  double column_scale(int i) const { return column_scale_[i]; }
  const double* column_scales() const { return column_scale_.data(); }
  double weight(const Synapse& s) const {
    return s.stored * column_scale_[s.post];
  }
  // 0 where there is no synapse.
  double WeightAt(int j, int i) const;
  bool Contains(int j, int i) const;

  // acc[post] += stored over the rows in `active`, in the given order; the
  // drive into neuron i is then acc[i] * column_scale(i).
  void AccumulateRows(std::span<const int32_t> active, double* acc) const {
    for (int32_t j : active) {
      for (const Synapse& s : row(j)) acc[s.post] += s.stored;
    }
  }

  // Adds delta_for(post) to every synapse of row j where it is not 0, then
  // prunes weights <= 0 (below kMinWeight) for good and clips weights > 1 to
  // 1 (SPEC.md STDP and iSTDP).
  template <typename DeltaFn>
  void UpdateRow(int j, DeltaFn delta_for);
  // The same where only the synapses with changes(post) == 1 (0 or 1, cheap
  // to compute) have a nonzero delta: they are found in a branch-free first
  // pass, so rows where few synapses change (STDP) cost little.
  template <typename ChangesFn, typename DeltaFn>
  void UpdateRowWhere(int j, ChangesFn changes, DeltaFn delta_for);

  // Adds synapse j -> i with the given weight. REQUIRES: !Contains(j, i).
  void Insert(int j, int i, double weight);

  // Synaptic scaling: divides every changed column by its sum. A column
  // without synapses stays empty (SPEC.md: no division by zero).
  void NormalizeColumns();
  // Folds the scales into the stored values, prunes weights below
  // kMinWeight (in exact arithmetic: weights <= 0), and recomputes the sums
  // exactly.
  void FoldScales();

  // Reference-exact arithmetic (Arithmetic::kExact) from now on: the scales
  // are folded to 1 and stay 1, so a stored value is the weight itself;
  // plasticity prunes at <= 0 as the reference does, not below kMinWeight;
  // callers normalize with NormalizeColumnsExact, never NormalizeColumns.
  void UseExactArithmetic();
  bool exact() const { return exact_; }
  // Synaptic scaling as the reference computes it: each column's sum,
  // accumulated over the rows in ascending order (as NumPy's sum(axis=0)),
  // then each weight divided by its column's sum. Every column, changed or
  // not, as the reference does: a weight divided by a sum that rounded to
  // 1 - ulp is not the weight. A column whose sum is exactly 1 is skipped
  // (w / 1 == w). REQUIRES: exact().
  void NormalizeColumnsExact();
  // Plasticity also prunes weights below `floor` (>= 0; the lab's 1e-10 for
  // Wee), FoldScales too. Call after UseExactArithmetic, if at all.
  void SetPruneBelow(double floor);
  double prune_below() const { return prune_below_; }
  // In exact arithmetic, deletes every synapse whose weight is below the
  // prune floor, as the lab's code does after each STDP update (in fast
  // arithmetic, weights that drift below it under scaling alone are deleted
  // at the next FoldScales). O(nnz). REQUIRES: exact().
  void PruneBelowFloorExact();
  // > 0: an update that takes a weight to <= 0 sets it to `floor` instead of
  // pruning it (the lab's iSTDP floor of 0.001 for Wei). 0: prune (default).
  void SetFloorAtZero(double floor) { zero_floor_ = floor; }

  // True when a running sum may have lost relative precision (a column lost
  // almost all of its weight); callers then FoldScales().
  bool sums_need_refresh() const { return sums_need_refresh_; }

 private:
  void MarkDirty(int i) {
    if (!column_dirty_[i]) {
      column_dirty_[i] = 1;
      dirty_list_.push_back(i);
    }
  }
  // Adds `delta` to synapse s; returns false if that pruned it
  // (its stored value is then 0 and the caller must erase it).
  bool ApplyDelta(Synapse& s, double delta);
  void AddToColumnSum(int i, double delta);
  void RemoveFromColumn(int i, double weight);

  // Row j occupies synapses_[begin, begin + size); the slots up to
  // begin + capacity are its slack, so a row grows in place until full and is
  // then moved to the end of synapses_. One array keeps a spike's rows close
  // together and makes copies (forks, exports) a few memcpy's.
  struct RowSlice {
    int64_t begin;
    int32_t size;
    int32_t capacity;
  };
  std::span<Synapse> MutableRow(int j) {
    const RowSlice& r = slices_[j];
    return {synapses_.data() + r.begin, size_t(r.size)};
  }
  // Removes the synapses of row j whose stored value was set to 0 (pruned).
  void ErasePruned(int j);
  // Moves row j to the end of synapses_ with twice its capacity.
  void GrowRow(int j);
  // Rewrites synapses_ with every row at its initial slack, dropping the
  // slots that moved rows left behind.
  void Pack();

  std::vector<Synapse> synapses_;
  std::vector<RowSlice> slices_;
  int64_t abandoned_ = 0;  // slots left behind by moved rows.
  std::vector<double> column_scale_;
  std::vector<double> inverse_scale_;  // ~1 / column_scale_, kept in step.
  std::vector<double> column_sum_;
  std::vector<int32_t> column_count_;
  std::vector<uint8_t> column_dirty_;
  std::vector<int32_t> dirty_list_;  // the columns whose flag is set.
  std::vector<uint32_t> changed_;    // UpdateRow scratch; not state.
  int64_t nnz_ = 0;
  bool sums_need_refresh_ = false;
  bool exact_ = false;
  // Weights below this are pruned: kMinWeight, or in exact arithmetic the
  // smallest positive double (so that exactly the weights <= 0 are), or the
  // prune floor if that is higher.
  double keep_min_ = kMinWeight;
  double prune_below_ = 0.0;  // SetPruneBelow.
  double zero_floor_ = 0.0;   // SetFloorAtZero.
};

inline bool SynapseMatrix::ApplyDelta(Synapse& s, double delta) {
  const double old_weight = s.stored * column_scale_[s.post];
  double new_weight = old_weight + delta;
  if (new_weight < keep_min_) {
    if (!(zero_floor_ > 0.0 && new_weight <= 0.0)) {
      RemoveFromColumn(s.post, old_weight);
      s.stored = 0.0;
      return false;
    }
    new_weight = zero_floor_;
  }
  if (new_weight > 1.0) new_weight = 1.0;
  s.stored = new_weight * inverse_scale_[s.post];
  // The weight as stored is new_weight up to the inverse scale's rounding;
  // the sum takes the stored one, or a weight clipped to 1 at every step
  // would add that rounding error to the sum, always with the same sign.
  AddToColumnSum(s.post, s.stored * column_scale_[s.post] - old_weight);
  return true;
}

template <typename DeltaFn>
void SynapseMatrix::UpdateRow(int j, DeltaFn delta_for) {
  bool pruned = false;
  for (Synapse& s : MutableRow(j)) {
    const double delta = delta_for(s.post);
    if (delta != 0.0) pruned |= !ApplyDelta(s, delta);
  }
  if (pruned) ErasePruned(j);
}

template <typename ChangesFn, typename DeltaFn>
void SynapseMatrix::UpdateRowWhere(int j, ChangesFn changes,
                                   DeltaFn delta_for) {
  std::span<Synapse> row = MutableRow(j);
  if (changed_.size() < row.size()) changed_.resize(row.size());
  uint32_t* changed = changed_.data();
  size_t num_changed = 0;
  for (size_t k = 0; k < row.size(); ++k) {
    changed[num_changed] = static_cast<uint32_t>(k);
    num_changed += changes(row[k].post);
  }
  bool pruned = false;
  for (size_t c = 0; c < num_changed; ++c) {
    Synapse& s = row[changed[c]];
    pruned |= !ApplyDelta(s, delta_for(s.post));
  }
  if (pruned) ErasePruned(j);
}

inline void SynapseMatrix::AddToColumnSum(int i, double delta) {
  const double before = column_sum_[i];
  column_sum_[i] = before + delta;
  if (column_sum_[i] < kCancellationLimit * before) sums_need_refresh_ = true;
  MarkDirty(i);
}

}  // namespace sorn

#endif  // SORN_CORE_SYNAPSE_MATRIX_H_
