// Plain containers for weight matrices and dense arrays: what the network
// state, step records and conversions exchange. No invariants beyond their
// field comments; Network validates what it imports.
#ifndef SORN_CORE_SPARSE_WEIGHTS_H_
#define SORN_CORE_SPARSE_WEIGHTS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sorn {

// A dense row-major matrix of doubles (e.g. a reference `Wee` or `X`).
struct DenseMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<double> data;  // rows * cols values, row-major.

  DenseMatrix() = default;
  DenseMatrix(int r, int c) : rows(r), cols(c), data(size_t(r) * c, 0.0) {}
  double& at(int r, int c) { return data[size_t(r) * cols + c]; }
  double at(int r, int c) const { return data[size_t(r) * cols + c]; }
};

// A weight matrix in compressed sparse rows. Row j lists the synapses that
// leave pre-synaptic neuron j; within a row `post` ascends.
struct SparseWeights {
  int rows = 0;
  int cols = 0;
  std::vector<int64_t> row_start;  // rows + 1 offsets into post / value.
  std::vector<int32_t> post;       // post-synaptic (column) index.
  std::vector<double> value;       // weight of each synapse.

  int64_t nnz() const { return static_cast<int64_t>(post.size()); }
  // Keeps the entries that are not 0.
  static SparseWeights FromDense(const DenseMatrix& dense);
  DenseMatrix ToDense() const;
};

}  // namespace sorn

#endif  // SORN_CORE_SPARSE_WEIGHTS_H_
