#include "core/initializer.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/status_macros.h"

namespace sorn {
namespace {

struct Triplet {
  int32_t pre;
  int32_t post;
  double weight;
};

// Weights U(0, 0.1), never exactly 0 (0 means "no synapse").
double InitialWeight(Random& random) {
  double w;
  do {
    w = random.Uniform(0.0, 0.1);
  } while (w == 0.0);
  return w;
}

// trunc(N(lambda, 1)), clamped to [0, max_partners].
int DrawPartnerCount(int lambda, int max_partners, Random& random) {
  const double drawn = std::trunc(lambda + random.Normal());
  return static_cast<int>(std::clamp(drawn, 0.0, double(max_partners)));
}

// `k` distinct values of [0, n) other than `exclude` (-1: none), ascending.
std::vector<int32_t> SampleDistinct(int n, int k, int exclude, Random& random,
                                    std::vector<uint8_t>& marks) {
  const int pool = exclude >= 0 ? n - 1 : n;
  k = std::min(k, pool);
  std::vector<int32_t> picked;
  picked.reserve(k);
  auto to_index = [&](int p) {
    return (exclude >= 0 && p >= exclude) ? p + 1 : p;
  };
  if (2 * k <= pool) {
    // Few picks: rejection with a reusable marker array.
    while (int(picked.size()) < k) {
      const int p = static_cast<int>(random.UniformInt(pool));
      if (marks[p]) continue;
      marks[p] = 1;
      picked.push_back(p);
    }
    for (int32_t p : picked) marks[p] = 0;
    for (int32_t& p : picked) p = to_index(p);
    std::sort(picked.begin(), picked.end());
  } else {
    // Many picks: selection sampling (Knuth's Algorithm S), one pass.
    for (int p = 0; p < pool && int(picked.size()) < k; ++p) {
      if (random.UniformInt(pool - p) < uint64_t(k - int(picked.size()))) {
        picked.push_back(to_index(p));
      }
    }
  }
  return picked;
}

// One matrix: for each "owner" neuron (a column for incoming rules, a row for
// outgoing ones) pick partners by the lambda rule or densely.
void Populate(int rows, int cols, NetworkType type, int lambda, bool by_column,
              bool no_diagonal, Random& random, std::vector<Triplet>& out) {
  const int owners = by_column ? cols : rows;
  const int partners = by_column ? rows : cols;
  std::vector<uint8_t> marks(partners, 0);
  for (int o = 0; o < owners; ++o) {
    const int exclude = no_diagonal ? o : -1;
    std::vector<int32_t> picked;
    if (type == NetworkType::kDense) {
      for (int p = 0; p < partners; ++p) {
        if (p != exclude) picked.push_back(p);
      }
    } else {
      const int max_partners = partners - (no_diagonal ? 1 : 0);
      picked = SampleDistinct(partners,
                              DrawPartnerCount(lambda, max_partners, random),
                              exclude, random, marks);
    }
    for (int32_t p : picked) {
      const double w = InitialWeight(random);
      out.push_back(by_column ? Triplet{p, o, w} : Triplet{o, p, w});
    }
  }
}

// Any column without synapses gets two, from rows drawn among the first 20 %
// of rows (at least enough rows to find two, never the diagonal).
void RepairEmptyColumns(int rows, int cols, bool no_diagonal, Random& random,
                        std::vector<Triplet>& triplets) {
  std::vector<int32_t> count(cols, 0);
  for (const Triplet& t : triplets) ++count[t.post];
  const int wanted = 2;
  int pool = static_cast<int>(std::floor(0.2 * rows));
  pool = std::min(rows, std::max(pool, wanted + (no_diagonal ? 1 : 0)));
  std::vector<uint8_t> marks(rows, 0);
  for (int i = 0; i < cols; ++i) {
    if (count[i] > 0) continue;
    const int exclude = (no_diagonal && i < pool) ? i : -1;
    for (int32_t j : SampleDistinct(pool, wanted, exclude, random, marks)) {
      triplets.push_back({j, i, InitialWeight(random)});
    }
  }
}

// Sorts into rows, divides every column by its sum, and wraps the result.
SynapseMatrixState Normalized(int rows, int cols,
                              std::vector<Triplet> triplets) {
  std::sort(triplets.begin(), triplets.end(),
            [](const Triplet& a, const Triplet& b) {
              return a.pre != b.pre ? a.pre < b.pre : a.post < b.post;
            });
  std::vector<double> sum(cols, 0.0);
  for (const Triplet& t : triplets) sum[t.post] += t.weight;
  SparseWeights w;
  w.rows = rows;
  w.cols = cols;
  w.row_start.assign(size_t(rows) + 1, 0);
  w.post.reserve(triplets.size());
  w.value.reserve(triplets.size());
  for (const Triplet& t : triplets) {
    ++w.row_start[t.pre + 1];
    w.post.push_back(t.post);
    w.value.push_back(t.weight / sum[t.post]);
  }
  for (int j = 0; j < rows; ++j) w.row_start[j + 1] += w.row_start[j];
  return SynapseMatrixState::FromWeights(std::move(w));
}

SynapseMatrixState BuildMatrix(int rows, int cols, NetworkType type, int lambda,
                               bool by_column, bool no_diagonal,
                               Random& random) {
  std::vector<Triplet> triplets;
  Populate(rows, cols, type, lambda, by_column, no_diagonal, random, triplets);
  RepairEmptyColumns(rows, cols, no_diagonal, random, triplets);
  return Normalized(rows, cols, std::move(triplets));
}

// Random input pools of `size` neurons each (ascending), drawn by partial
// Fisher-Yates shuffles: one shuffle shared by all pools when disjoint, a
// fresh one per pool otherwise.
std::vector<std::vector<int32_t>> DrawInputPools(int ne, int nu, int size,
                                                 bool disjoint,
                                                 Random& random) {
  std::vector<int32_t> order(ne);
  for (int i = 0; i < ne; ++i) order[i] = i;
  std::vector<std::vector<int32_t>> pools(nu);
  int next = 0;  // disjoint: the first position not yet given to a pool.
  for (int k = 0; k < nu; ++k) {
    if (!disjoint) next = 0;
    for (int n = 0; n < size; ++n, ++next) {
      const int pick = next + int(random.UniformInt(uint64_t(ne - next)));
      std::swap(order[next], order[pick]);
      pools[k].push_back(order[next]);
    }
    std::sort(pools[k].begin(), pools[k].end());
  }
  return pools;
}

}  // namespace

void DrawRandomInputPools(uint64_t seed, Params* params) {
  if (!params->input_pools.empty() || params->input_pool_size == 0) return;
  // Its own generator, so that pools leave the network's stream (and with it
  // every other draw) as it is without them.
  Random pool_random(seed ^ kInputPoolSeedSalt);
  params->input_pools =
      DrawInputPools(params->ne, params->nu, params->input_pool_size,
                     params->input_pools_disjoint, pool_random);
}

absl::StatusOr<NetworkState> InitialState(const Params& params, uint64_t seed) {
  RETURN_IF_ERROR(params.Validate());
  const int ne = params.ne;
  const int ni = params.ni();
  Random random(seed);
  NetworkState state;
  state.params = params;
  DrawRandomInputPools(seed, &state.params);
  // Wee: lambda_ee incoming per excitatory neuron; Wei: lambda_ei outgoing
  // per inhibitory neuron; Wie: lambda_ie incoming per inhibitory neuron.
  state.wee = BuildMatrix(ne, ne, params.network_type_ee, params.lambda_ee,
                          /*by_column=*/true, /*no_diagonal=*/true, random);
  state.wei = BuildMatrix(ni, ne, params.network_type_ei, params.lambda_ei,
                          /*by_column=*/false, /*no_diagonal=*/false, random);
  state.wie = BuildMatrix(ne, ni, params.network_type_ie, params.lambda_ie,
                          /*by_column=*/true, /*no_diagonal=*/false, random);
  state.te.resize(ne);
  for (double& t : state.te) t = random.Uniform(params.te_min, params.te_max);
  state.ti.resize(ni);
  for (double& t : state.ti) t = random.Uniform(params.ti_min, params.ti_max);
  state.x_prev.assign(ne, 0);
  state.x.assign(ne, 0);
  state.y_prev.assign(ni, 0);
  state.y.assign(ni, 0);
  state.random = random.state();
  state.step = 0;
  return state;
}

}  // namespace sorn
