#include "core/plasticity.h"

#include <algorithm>

namespace sorn {

void ApplyStdp(double eta_stdp, std::span<const uint8_t> code,
               std::span<const int32_t> active_before,
               std::span<const int32_t> active_after, SynapseMatrix* wee) {
  // The reference's eta * (x_i(t+1) x_j(t) - x_i(t) x_j(t+1)) has the factor
  // -1, 0 or 1: look the delta up by (pre code, post code).
  double delta[4][4];
  uint8_t changes[4][4];
  for (int pre = 0; pre < 4; ++pre) {
    for (int post = 0; post < 4; ++post) {
      const int sign = (post >> 1) * (pre & 1) - (post & 1) * (pre >> 1);
      delta[pre][post] = sign == 0 ? 0.0 : eta_stdp * double(sign);
      changes[pre][post] = sign != 0 && eta_stdp != 0.0;
    }
  }
  // Only rows of neurons active at t or t+1 can change; walk each such row
  // once (both lists ascend: merge them).
  auto update_row = [&](int32_t j) {
    const double* by_post = delta[code[j]];
    const uint8_t* changes_by_post = changes[code[j]];
    wee->UpdateRowWhere(
        j, [&](int32_t i) { return changes_by_post[code[i]]; },
        [&](int32_t i) { return by_post[code[i]]; });
  };
  size_t a = 0;
  size_t b = 0;
  while (a < active_before.size() || b < active_after.size()) {
    int32_t j;
    if (b == active_after.size() ||
        (a < active_before.size() && active_before[a] < active_after[b])) {
      j = active_before[a++];
    } else if (a == active_before.size() ||
               active_after[b] < active_before[a]) {
      j = active_after[b++];
    } else {
      j = active_before[a++];
      ++b;
    }
    update_row(j);
  }
}

void ApplyIntrinsicPlasticity(double eta_ip, double h_ip, double te_min,
                              double te_max, std::span<const uint8_t> x_after,
                              std::span<double> te) {
  // Same operations as the reference, te + eta_ip * (x - h_ip), per value of
  // x; written as a select and min/max so that the loop vectorizes.
  const double silent = eta_ip * (0.0 - h_ip);
  const double active = eta_ip * (1.0 - h_ip);
  double* t = te.data();
  const uint8_t* x = x_after.data();
  for (size_t i = 0; i < te.size(); ++i) {
    const double moved = t[i] + (x[i] ? active : silent);
    t[i] = std::min(std::max(moved, te_min), te_max);
  }
}

bool ApplyStructuralPlasticity(double probability, Random* random,
                               SynapseMatrix* wee) {
  if (!(random->Uniform() < probability)) return false;
  const int64_t n = wee->rows();
  const int64_t possible = n * (n - 1);
  const int64_t free = possible - wee->nnz();
  if (free <= 0) return false;
  if (2 * free >= possible) {
    // Mostly empty: rejection sampling needs fewer than two tries on average.
    for (;;) {
      const int j = static_cast<int>(random->UniformInt(n));
      int i = static_cast<int>(random->UniformInt(n - 1));
      if (i >= j) ++i;
      if (!wee->Contains(j, i)) {
        wee->Insert(j, i, kNewSynapseWeight);
        return true;
      }
    }
  }
  // Mostly full: pick the k-th absent pair in row-major order.
  int64_t k = static_cast<int64_t>(random->UniformInt(free));
  for (int j = 0; j < n; ++j) {
    const int64_t absent_in_row = (n - 1) - int64_t(wee->row(j).size());
    if (k >= absent_in_row) {
      k -= absent_in_row;
      continue;
    }
    for (int i = 0; i < n; ++i) {
      if (i == j || wee->Contains(j, i)) continue;
      if (k-- == 0) {
        wee->Insert(j, i, kNewSynapseWeight);
        return true;
      }
    }
  }
  return false;  // Unreachable while nnz() is consistent.
}

void ApplyIstdp(double eta_inhib, double mu_ip,
                std::span<const int32_t> active_y_before,
                std::span<const uint8_t> x_after, SynapseMatrix* wei) {
  // The reference's -eta * y_j * (1 - x_i * (1 + 1/mu)) for y_j = 1; rows of
  // silent inhibitory neurons get 0 and are skipped.
  const double gain = 1.0 + 1.0 / mu_ip;
  const double delta[2] = {-eta_inhib * 1.0 * (1.0 - 0.0 * gain),
                           -eta_inhib * 1.0 * (1.0 - 1.0 * gain)};
  for (int32_t j : active_y_before) {
    wei->UpdateRow(j, [&](int32_t i) { return delta[x_after[i]]; });
  }
}

}  // namespace sorn
