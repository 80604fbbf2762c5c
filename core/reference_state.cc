#include "core/reference_state.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/initializer.h"
#include "core/random.h"
#include "core/status_macros.h"

namespace sorn {
namespace {

absl::Status CheckDense(const char* name, const DenseMatrix& m, int rows,
                        int cols) {
  if (m.rows != rows || m.cols != cols ||
      m.data.size() != size_t(rows) * cols) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " is ", m.rows, " x ", m.cols, "; expected ", rows, " x ", cols));
  }
  for (size_t k = 0; k < m.data.size(); ++k) {
    if (!std::isfinite(m.data[k])) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, "[", k / cols, "][", k % cols, "] is not finite"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint8_t>> ActivityColumn(const char* name,
                                                    const DenseMatrix& m,
                                                    int column) {
  std::vector<uint8_t> out(m.rows);
  for (int i = 0; i < m.rows; ++i) {
    const double v = m.at(i, column);
    if (v != 0.0 && v != 1.0) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, "[", i, "][", column, "] is ", v, "; must be 0 or 1"));
    }
    out[i] = v == 1.0;
  }
  return out;
}

DenseMatrix ActivityMatrix(const std::vector<uint8_t>& prev,
                           const std::vector<uint8_t>& now) {
  DenseMatrix m(static_cast<int>(now.size()), 2);
  for (size_t i = 0; i < now.size(); ++i) {
    m.at(int(i), 0) = prev[i];
    m.at(int(i), 1) = now[i];
  }
  return m;
}

}  // namespace

absl::StatusOr<NetworkState> FromReferenceState(const ReferenceState& reference,
                                                const Params& params,
                                                FreezeSet frozen,
                                                uint64_t seed) {
  RETURN_IF_ERROR(params.Validate());
  const int ne = params.ne;
  const int ni = params.ni();
  RETURN_IF_ERROR(CheckDense("Wee", reference.wee, ne, ne));
  RETURN_IF_ERROR(CheckDense("Wei", reference.wei, ni, ne));
  RETURN_IF_ERROR(CheckDense("Wie", reference.wie, ne, ni));
  RETURN_IF_ERROR(CheckDense("X", reference.x, ne, 2));
  RETURN_IF_ERROR(CheckDense("Y", reference.y, ni, 2));
  if (int(reference.te.size()) != ne || int(reference.ti.size()) != ni) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Te and Ti have ", reference.te.size(), " and ", reference.ti.size(),
        " values; expected ", ne, " and ", ni));
  }
  NetworkState state;
  state.params = params;
  DrawRandomInputPools(seed, &state.params);
  state.frozen = frozen;
  state.wee =
      SynapseMatrixState::FromWeights(SparseWeights::FromDense(reference.wee));
  state.wei =
      SynapseMatrixState::FromWeights(SparseWeights::FromDense(reference.wei));
  state.wie =
      SynapseMatrixState::FromWeights(SparseWeights::FromDense(reference.wie));
  state.te = reference.te;
  state.ti = reference.ti;
  absl::StatusOr<std::vector<uint8_t>> column =
      ActivityColumn("X", reference.x, 0);
  if (!column.ok()) return column.status();
  state.x_prev = *std::move(column);
  column = ActivityColumn("X", reference.x, 1);
  if (!column.ok()) return column.status();
  state.x = *std::move(column);
  column = ActivityColumn("Y", reference.y, 0);
  if (!column.ok()) return column.status();
  state.y_prev = *std::move(column);
  column = ActivityColumn("Y", reference.y, 1);
  if (!column.ok()) return column.status();
  state.y = *std::move(column);
  state.random = Random(seed).state();
  state.step = 0;
  return state;
}

ReferenceState ToReferenceState(const NetworkState& state) {
  ReferenceState reference;
  reference.wee = state.wee.Weights().ToDense();
  reference.wei = state.wei.Weights().ToDense();
  reference.wie = state.wie.Weights().ToDense();
  reference.te = state.te;
  reference.ti = state.ti;
  reference.x = ActivityMatrix(state.x_prev, state.x);
  reference.y = ActivityMatrix(state.y_prev, state.y);
  return reference;
}

}  // namespace sorn
