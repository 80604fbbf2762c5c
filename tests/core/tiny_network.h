// Hand-made networks of 5 excitatory and 1 inhibitory neuron for the
// mechanism tests: every weight is chosen in the test, nu = ne, so the input
// can force any neuron on (+10) or off (-10).
#ifndef SORN_TESTS_CORE_TINY_NETWORK_H_
#define SORN_TESTS_CORE_TINY_NETWORK_H_

#include <vector>

#include "core/network.h"
#include "core/reference_state.h"
#include "gtest/gtest.h"

namespace sorn {

struct TinyNetwork {
  Params params;
  ReferenceState ref;

  TinyNetwork() {
    params.ne = 5;
    params.nu = 5;
    params.h_ip = 0.1;
    params.lambda_ee = 2;
    params.lambda_ei = 2;
    ref.wee = DenseMatrix(5, 5);
    ref.wei = DenseMatrix(1, 5);
    ref.wie = DenseMatrix(5, 1);
    for (int j = 0; j < 5; ++j) ref.wie.at(j, 0) = 0.2;
    ref.te.assign(5, 0.5);
    ref.ti.assign(1, 0.5);
    ref.x = DenseMatrix(5, 2);
    ref.y = DenseMatrix(1, 2);
  }
  void SetX(const std::vector<int>& now) {
    for (int i = 0; i < 5; ++i) ref.x.at(i, 1) = now[i];
  }
  Network Build(FreezeSet frozen) const {
    absl::StatusOr<NetworkState> state =
        FromReferenceState(ref, params, frozen, /*seed=*/1);
    EXPECT_TRUE(state.ok()) << state.status();
    absl::StatusOr<Network> net = Network::FromState(*state);
    EXPECT_TRUE(net.ok()) << net.status();
    return *std::move(net);
  }
  // Everything frozen except `m`.
  static FreezeSet AllBut(Mechanism m) {
    FreezeSet f = FreezeSet::All();
    f.Erase(m);
    return f;
  }
  // Input forcing x(t+1): +10 where 1, -10 where 0.
  static std::vector<double> Force(const std::vector<int>& next) {
    std::vector<double> u(5);
    for (int i = 0; i < 5; ++i) u[i] = next[i] ? 10.0 : -10.0;
    return u;
  }
  static StepOptions NoNoise() {
    StepOptions o;
    o.noise = false;
    return o;
  }
};

}  // namespace sorn

#endif  // SORN_TESTS_CORE_TINY_NETWORK_H_
