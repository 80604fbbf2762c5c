#include "core/sparse_weights.h"

namespace sorn {

SparseWeights SparseWeights::FromDense(const DenseMatrix& dense) {
  SparseWeights w;
  w.rows = dense.rows;
  w.cols = dense.cols;
  w.row_start.reserve(size_t(dense.rows) + 1);
  w.row_start.push_back(0);
  for (int j = 0; j < dense.rows; ++j) {
    for (int i = 0; i < dense.cols; ++i) {
      const double v = dense.at(j, i);
      if (v != 0.0) {
        w.post.push_back(i);
        w.value.push_back(v);
      }
    }
    w.row_start.push_back(w.nnz());
  }
  return w;
}

DenseMatrix SparseWeights::ToDense() const {
  DenseMatrix dense(rows, cols);
  for (int j = 0; j < rows; ++j) {
    for (int64_t k = row_start[j]; k < row_start[j + 1]; ++k) {
      dense.at(j, post[k]) = value[k];
    }
  }
  return dense;
}

}  // namespace sorn
