#include "core/reference_state.h"

#include <cmath>

#include "core/network.h"
#include "gtest/gtest.h"

namespace sorn {
namespace {

TEST(ReferenceStateTest, RoundTripsThroughTheReferenceLayout) {
  absl::StatusOr<Network> net = Network::Create(Params(), 4);
  StepRecord rec;
  for (int t = 0; t < 20; ++t) {
    ASSERT_TRUE(
        net->Step(std::vector<double>(10, 0.3), StepOptions(), &rec).ok());
  }
  const NetworkState state = net->ExportState();
  const ReferenceState ref = ToReferenceState(state);
  EXPECT_EQ(ref.wee.rows, 200);
  EXPECT_EQ(ref.wei.rows, 40);
  EXPECT_EQ(ref.wie.cols, 40);
  EXPECT_EQ(ref.x.cols, 2);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(ref.x.at(i, 1), state.x[i]);
    EXPECT_EQ(ref.x.at(i, 0), state.x_prev[i]);
  }
  absl::StatusOr<NetworkState> back =
      FromReferenceState(ref, state.params, state.frozen, 4);
  ASSERT_TRUE(back.ok()) << back.status();
  const ReferenceState again = ToReferenceState(*back);
  EXPECT_EQ(again.wee.data, ref.wee.data);
  EXPECT_EQ(again.wei.data, ref.wei.data);
  EXPECT_EQ(again.wie.data, ref.wie.data);
  EXPECT_EQ(again.te, ref.te);
  EXPECT_EQ(again.x.data, ref.x.data);
  EXPECT_EQ(again.y.data, ref.y.data);
  EXPECT_TRUE(Network::FromState(*back).ok());
}

TEST(ReferenceStateTest, BadArraysAreNamedInTheError) {
  absl::StatusOr<Network> net = Network::Create(Params(), 4);
  const ReferenceState good = ToReferenceState(net->ExportState());
  const Params params;
  auto expect_bad = [&](ReferenceState r, const char* part) {
    absl::StatusOr<NetworkState> s = FromReferenceState(r, params, {}, 1);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << part;
    EXPECT_NE(s.status().message().find(part), std::string::npos)
        << s.status().message();
  };
  ReferenceState r = good;
  r.wee = DenseMatrix(199, 200);
  expect_bad(r, "Wee is 199 x 200; expected 200 x 200");
  r = good;
  r.wie.at(3, 4) = std::nan("");
  expect_bad(r, "Wie[3][4] is not finite");
  r = good;
  r.x.at(7, 1) = 0.5;
  expect_bad(r, "X[7][1] is 0.5");
  r = good;
  r.te.resize(10);
  expect_bad(r, "Te and Ti");
  r = good;
  r.y = DenseMatrix(40, 3);
  expect_bad(r, "Y is 40 x 3");
  // Negative weights pass the layout check and are caught on import.
  r = good;
  r.wee.at(0, 5) = -0.2;
  absl::StatusOr<NetworkState> s = FromReferenceState(r, params, {}, 1);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Network::FromState(*s).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sorn
