#include "core/synapse_matrix.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sorn {
namespace {

// An imported running sum may differ from the recomputed one, and an inverse
// scale from 1 / scale, by rounding only (relative errors). Beyond the
// engine's own drift between refolds (measured: sums 2e-12, inverses 3e-14
// over 20,000 steps) the exact values replace the imported ones.
constexpr double kSumTolerance = 1e-9;
constexpr double kInverseTolerance = 1e-9;
constexpr double kSumDrift = 1e-10;
constexpr double kInverseDrift = 1e-12;
// A weight alone in its column is 1 up to the rounding drift of the running
// column sum between refolds (seen: 1 + 1e-12); such a state must import.
constexpr double kWeightTolerance = 1e-9;

// Slots given to a row of `size` synapses when (re)packed: room for a few
// structural-plasticity insertions before the row has to move.
int32_t RowCapacity(int32_t size) { return size + size / 4 + 2; }

absl::Status CheckShape(const SparseWeights& w) {
  if (w.rows < 0 || w.cols < 0) {
    return absl::InvalidArgumentError("negative matrix dimension");
  }
  if (w.row_start.size() != size_t(w.rows) + 1 || w.row_start.front() != 0 ||
      w.row_start.back() != w.nnz() || w.value.size() != w.post.size()) {
    return absl::InvalidArgumentError(
        "row_start, post and value do not describe a matrix of this shape");
  }
  return absl::OkStatus();
}

// Relative rounding errors of an inverse scale and of a running sum.
double InverseError(double scale, double inverse) {
  return std::abs(scale * inverse - 1.0);
}
double SumError(double sum, double exact) {
  return std::abs(sum - exact) / (1.0 + exact);
}

// Makes the running sums and inverse scales canonical: values further off
// than the engine's own drift become exact. Import and export both apply it,
// with the same exact sums (same summation order), so a state that drifted
// past the threshold (only reachable from a crafted import) is exported
// exact, and export -> import -> export is the identity for every state.
void ReplaceDrifted(const std::vector<double>& scale,
                    const std::vector<double>& exact_sum,
                    std::vector<double>* inverse, std::vector<double>* sum) {
  for (size_t i = 0; i < scale.size(); ++i) {
    if (InverseError(scale[i], (*inverse)[i]) > kInverseDrift) {
      (*inverse)[i] = 1.0 / scale[i];
    }
    if (SumError((*sum)[i], exact_sum[i]) > kSumDrift) {
      (*sum)[i] = exact_sum[i];
    }
  }
}

}  // namespace

SparseWeights SynapseMatrixState::Weights() const {
  SparseWeights w = stored;
  for (size_t k = 0; k < w.value.size(); ++k) {
    w.value[k] *= column_scale[w.post[k]];
  }
  return w;
}

SynapseMatrixState SynapseMatrixState::FromWeights(SparseWeights weights) {
  SynapseMatrixState state;
  state.column_scale.assign(weights.cols, 1.0);
  state.column_inverse_scale.assign(weights.cols, 1.0);
  state.column_sum.assign(weights.cols, 0.0);
  state.column_dirty.assign(weights.cols, 1);
  for (size_t k = 0; k < weights.value.size(); ++k) {
    state.column_sum[weights.post[k]] += weights.value[k];
  }
  state.stored = std::move(weights);
  return state;
}

absl::StatusOr<SynapseMatrix> SynapseMatrix::FromState(
    const SynapseMatrixState& state, bool forbid_diagonal) {
  const SparseWeights& w = state.stored;
  if (absl::Status s = CheckShape(w); !s.ok()) return s;
  const size_t cols = size_t(w.cols);
  if (state.column_scale.size() != cols ||
      state.column_inverse_scale.size() != cols ||
      state.column_sum.size() != cols || state.column_dirty.size() != cols) {
    return absl::InvalidArgumentError(absl::StrCat(
        "column_scale, column_inverse_scale, column_sum and column_dirty must "
        "have ",
        cols, " entries"));
  }
  SynapseMatrix m;
  m.slices_.resize(w.rows);
  m.column_scale_ = state.column_scale;
  m.inverse_scale_ = state.column_inverse_scale;
  m.column_count_.assign(cols, 0);
  m.column_dirty_.assign(cols, 0);
  m.dirty_list_.reserve(cols);
  m.column_sum_ = state.column_sum;
  std::vector<double> exact_sum(cols, 0.0);
  for (size_t i = 0; i < cols; ++i) {
    const double scale = state.column_scale[i];
    if (!(scale >= kMinScale && scale <= kMaxScale)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "column_scale[%d] = %g must be in [2^-500, 2^500]", i, scale));
    }
    if (!(InverseError(scale, state.column_inverse_scale[i]) <=
          kInverseTolerance)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "column_inverse_scale[", i, "] is not 1 / column_scale[", i, "]"));
    }
  }
  int64_t slots = 0;
  for (int j = 0; j < w.rows; ++j) {
    const int64_t size = w.row_start[j + 1] - w.row_start[j];
    if (size < 0 || size > w.cols) {
      return absl::InvalidArgumentError(
          absl::StrCat("row ", j, " has ", size, " synapses"));
    }
    m.slices_[j] = {slots, static_cast<int32_t>(size),
                    RowCapacity(static_cast<int32_t>(size))};
    slots += m.slices_[j].capacity;
  }
  m.synapses_.resize(slots);
  for (int j = 0; j < w.rows; ++j) {
    Synapse* row = m.synapses_.data() + m.slices_[j].begin;
    int32_t n = 0;
    for (int64_t k = w.row_start[j]; k < w.row_start[j + 1]; ++k, ++n) {
      const int32_t i = w.post[k];
      if (i < 0 || i >= w.cols) {
        return absl::InvalidArgumentError(
            absl::StrCat("synapse ", j, " -> ", i, " is outside the ", w.rows,
                         " x ", w.cols, " matrix"));
      }
      if (n > 0 && row[n - 1].post >= i) {
        return absl::InvalidArgumentError(absl::StrCat(
            "row ", j, ": post-synaptic indices must ascend without repeats"));
      }
      if (forbid_diagonal && i == j) {
        return absl::InvalidArgumentError(
            absl::StrCat("self-connection ", j, " -> ", j, " is not allowed"));
      }
      const double weight = w.value[k] * state.column_scale[i];
      if (!std::isfinite(weight) || weight <= 0.0 ||
          weight > 1.0 + kWeightTolerance) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "weight %d -> %d is %.17g; must be in (0, 1]", j, i, weight));
      }
      row[n] = {i, w.value[k]};
      exact_sum[i] += weight;
      ++m.column_count_[i];
    }
    m.nnz_ += n;
  }
  for (size_t i = 0; i < cols; ++i) {
    const double sum = state.column_sum[i];
    if (!(SumError(sum, exact_sum[i]) <= kSumTolerance)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "column_sum[%d] = %.17g but the column's weights sum to %.17g "
          "(%d synapses)",
          i, sum, exact_sum[i], m.column_count_[i]));
    }
    if (state.column_dirty[i]) m.MarkDirty(static_cast<int>(i));
  }
  ReplaceDrifted(m.column_scale_, exact_sum, &m.inverse_scale_, &m.column_sum_);
  return m;
}

SynapseMatrixState SynapseMatrix::ToState() const {
  SynapseMatrixState state;
  SparseWeights& w = state.stored;
  w.rows = rows();
  w.cols = cols();
  w.row_start.reserve(slices_.size() + 1);
  w.row_start.push_back(0);
  w.post.reserve(nnz_);
  w.value.reserve(nnz_);
  std::vector<double> exact_sum(column_scale_.size(), 0.0);
  for (int j = 0; j < rows(); ++j) {
    for (const Synapse& s : row(j)) {
      w.post.push_back(s.post);
      w.value.push_back(s.stored);
      exact_sum[s.post] += s.stored * column_scale_[s.post];
    }
    w.row_start.push_back(w.nnz());
  }
  state.column_scale = column_scale_;
  state.column_inverse_scale = inverse_scale_;
  state.column_sum = column_sum_;
  state.column_dirty = column_dirty_;
  ReplaceDrifted(state.column_scale, exact_sum, &state.column_inverse_scale,
                 &state.column_sum);
  return state;
}

SparseWeights SynapseMatrix::Weights() const { return ToState().Weights(); }

bool SynapseMatrix::Contains(int j, int i) const {
  const std::span<const Synapse> r = row(j);
  auto it = std::lower_bound(
      r.begin(), r.end(), i,
      [](const Synapse& s, int post) { return s.post < post; });
  return it != r.end() && it->post == i;
}

double SynapseMatrix::WeightAt(int j, int i) const {
  const std::span<const Synapse> r = row(j);
  auto it = std::lower_bound(
      r.begin(), r.end(), i,
      [](const Synapse& s, int post) { return s.post < post; });
  return (it != r.end() && it->post == i) ? weight(*it) : 0.0;
}

void SynapseMatrix::ErasePruned(int j) {
  RowSlice& r = slices_[j];
  Synapse* row = synapses_.data() + r.begin;
  int32_t kept = 0;
  for (int32_t k = 0; k < r.size; ++k) {
    if (row[k].stored != 0.0) row[kept++] = row[k];
  }
  r.size = kept;
}

void SynapseMatrix::GrowRow(int j) {
  RowSlice& r = slices_[j];
  const int64_t begin = static_cast<int64_t>(synapses_.size());
  const int32_t capacity = std::max(4, 2 * r.capacity);
  synapses_.resize(begin + capacity);
  std::copy_n(synapses_.begin() + r.begin, r.size, synapses_.begin() + begin);
  abandoned_ += r.capacity;
  r.begin = begin;
  r.capacity = capacity;
  if (2 * abandoned_ > static_cast<int64_t>(synapses_.size())) Pack();
}

void SynapseMatrix::Pack() {
  std::vector<Synapse> packed;
  packed.reserve(synapses_.size() - abandoned_);
  for (RowSlice& r : slices_) {
    const int64_t begin = static_cast<int64_t>(packed.size());
    packed.insert(packed.end(), synapses_.begin() + r.begin,
                  synapses_.begin() + r.begin + r.size);
    r.begin = begin;
    r.capacity = RowCapacity(r.size);
    packed.resize(begin + r.capacity);
  }
  synapses_ = std::move(packed);
  abandoned_ = 0;
}

void SynapseMatrix::RemoveFromColumn(int i, double weight) {
  --nnz_;
  if (--column_count_[i] == 0) {
    column_sum_[i] = 0.0;
  } else {
    AddToColumnSum(i, -weight);
  }
  MarkDirty(i);
}

void SynapseMatrix::Insert(int j, int i, double weight) {
  if (slices_[j].size == slices_[j].capacity) GrowRow(j);
  RowSlice& r = slices_[j];
  Synapse* row = synapses_.data() + r.begin;
  Synapse* at = std::lower_bound(
      row, row + r.size, i,
      [](const Synapse& s, int post) { return s.post < post; });
  std::copy_backward(at, row + r.size, row + r.size + 1);
  ++r.size;
  if (column_count_[i] == 0) {
    column_scale_[i] = 1.0;
    inverse_scale_[i] = 1.0;
    column_sum_[i] = 0.0;
  }
  *at = Synapse{i, weight * inverse_scale_[i]};
  ++column_count_[i];
  ++nnz_;
  AddToColumnSum(i, at->stored * column_scale_[i]);
}

void SynapseMatrix::NormalizeColumns() {
  bool out_of_range = false;
  for (int32_t i : dirty_list_) {
    column_dirty_[i] = 0;
    if (column_count_[i] == 0) {
      column_sum_[i] = 0.0;
      continue;
    }
    // One division per column (divisions dominate this loop): the scale is
    // multiplied by 1 / sum, its inverse by the sum.
    const double sum = column_sum_[i];
    const double scale = column_scale_[i] * (1.0 / sum);
    const double inverse = inverse_scale_[i] * sum;
    if (!(scale >= kMinScale && scale <= kMaxScale && inverse >= kMinScale &&
          inverse <= kMaxScale)) {
      out_of_range = true;  // left as it was; normalized below.
      continue;
    }
    if (!(scale >= 1.0 / kRefoldScale && scale <= kRefoldScale)) {
      sums_need_refresh_ = true;
    }
    column_scale_[i] = scale;
    inverse_scale_[i] = inverse;
    column_sum_[i] = 1.0;
  }
  dirty_list_.clear();
  if (out_of_range) {
    // Rare (weights many orders of magnitude apart): with the scales folded
    // and tiny weights pruned, every column's 1 / sum is in range.
    FoldScales();
    NormalizeColumns();
  }
}

void SynapseMatrix::FoldScales() {
  std::fill(column_sum_.begin(), column_sum_.end(), 0.0);
  for (int j = 0; j < rows(); ++j) {
    bool pruned = false;
    for (Synapse& s : MutableRow(j)) {
      s.stored *= column_scale_[s.post];
      if (s.stored < keep_min_) {
        s.stored = 0.0;
        --column_count_[s.post];
        --nnz_;
        pruned = true;
      } else {
        column_sum_[s.post] += s.stored;
      }
    }
    if (pruned) ErasePruned(j);
  }
  std::fill(column_scale_.begin(), column_scale_.end(), 1.0);
  std::fill(inverse_scale_.begin(), inverse_scale_.end(), 1.0);
  for (int i = 0; i < cols(); ++i) MarkDirty(i);
  sums_need_refresh_ = false;
}

void SynapseMatrix::UseExactArithmetic() {
  exact_ = true;
  keep_min_ = std::max(std::numeric_limits<double>::denorm_min(), prune_below_);
  // An exact network's own export has every scale 1 already: folding would
  // only rewrite its sums and flags, and export -> import -> export would
  // not be the identity.
  if (std::any_of(column_scale_.begin(), column_scale_.end(),
                  [](double scale) { return scale != 1.0; })) {
    FoldScales();
  }
}

void SynapseMatrix::SetPruneBelow(double floor) {
  prune_below_ = floor;
  const double base =
      exact_ ? std::numeric_limits<double>::denorm_min() : kMinWeight;
  keep_min_ = std::max(base, floor);
}

void SynapseMatrix::PruneBelowFloorExact() {
  for (int j = 0; j < rows(); ++j) {
    bool pruned = false;
    for (Synapse& s : MutableRow(j)) {
      if (s.stored < keep_min_) {
        RemoveFromColumn(s.post, s.stored);
        s.stored = 0.0;
        pruned = true;
      }
    }
    if (pruned) ErasePruned(j);
  }
}

void SynapseMatrix::NormalizeColumnsExact() {
  // column_sum_ holds the exact sums here; afterwards the sums of the
  // divided weights, 1 up to rounding, as the running sums would.
  std::fill(column_sum_.begin(), column_sum_.end(), 0.0);
  double* sum = column_sum_.data();
  for (int j = 0; j < rows(); ++j) {
    for (const Synapse& s : row(j)) sum[s.post] += s.stored;
  }
  // Every weight divided, also by a sum of exactly 1 (w / 1 == w): a
  // branch on it would be mispredicted about half the time.
  for (int j = 0; j < rows(); ++j) {
    for (Synapse& s : MutableRow(j)) s.stored /= sum[s.post];
  }
  for (int i = 0; i < cols(); ++i) {
    column_sum_[i] = column_count_[i] > 0 ? 1.0 : 0.0;
  }
  for (int32_t i : dirty_list_) column_dirty_[i] = 0;
  dirty_list_.clear();
  sums_need_refresh_ = false;
}

int64_t SynapseMatrix::MemoryBytes() const {
  auto bytes = [](const auto& v) {
    return int64_t(v.capacity() * sizeof(v[0]));
  };
  return bytes(synapses_) + bytes(slices_) + bytes(column_scale_) +
         bytes(inverse_scale_) + bytes(column_sum_) + bytes(column_count_) +
         bytes(column_dirty_) + bytes(dirty_list_) + bytes(changed_);
}

}  // namespace sorn
