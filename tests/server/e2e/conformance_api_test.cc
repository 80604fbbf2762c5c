// Conformance through the API: every golden case imported in the reference
// layout, replayed with Simulate or Train, and compared spike for spike.
#include <cmath>

#include "core/reference_state.h"
#include "gtest/gtest.h"
#include "server/wire/proto_convert.h"
#include "tests/conformance/golden_case.h"
#include "tests/support/api_calls.h"
#include "tests/support/packed_activity.h"
#include "tests/support/test_server.h"

namespace sorn {
namespace {

namespace pb = ::sorn::v1;

void ToProto(const DenseMatrix& m, pb::DenseMatrix* p) {
  p->set_rows(m.rows);
  p->set_cols(m.cols);
  p->mutable_data()->Assign(m.data.begin(), m.data.end());
}

void ColumnToProto(const std::vector<double>& v, pb::DenseMatrix* p) {
  p->set_rows(static_cast<int>(v.size()));
  p->set_cols(1);
  p->mutable_data()->Assign(v.begin(), v.end());
}

// In both arithmetics: FAST to 1e-9, EXACT bit for bit.
TEST(ConformanceApiTest, EveryGoldenCaseReplaysThroughTheServer) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  const std::vector<std::string> dirs = FindGoldenCases(SORN_GOLDEN_DIR);
  ASSERT_EQ(dirs.size(), 7u);
  for (const Arithmetic arithmetic : {Arithmetic::kFast, Arithmetic::kExact})
    for (const std::string& dir : dirs) {
      absl::StatusOr<GoldenCase> golden = LoadGoldenCase(dir);
      ASSERT_TRUE(golden.ok()) << golden.status();
      golden->params.arithmetic = arithmetic;
      golden->name += std::string("-") + ArithmeticName(arithmetic);
      SCOPED_TRACE(golden->name);
      const int ne = golden->params.ne, ni = golden->params.ni();
      const int nu = golden->params.nu, steps = golden->timesteps;

      // ImportState in the reference's state_dict layout.
      const ReferenceState ref = ToReferenceState(golden->initial);
      pb::ReferenceState proto;
      ToProto(ref.wee, proto.mutable_wee());
      ToProto(ref.wei, proto.mutable_wei());
      ToProto(ref.wie, proto.mutable_wie());
      ColumnToProto(ref.te, proto.mutable_te());
      ColumnToProto(ref.ti, proto.mutable_ti());
      ToProto(ref.x, proto.mutable_x());
      ToProto(ref.y, proto.mutable_y());
      {
        grpc::ClientContext ctx;
        pb::SessionInfo info;
        auto writer = stub->ImportState(&ctx, &info);
        pb::ImportStateRequest first;
        auto* header = first.mutable_header();
        header->set_name(golden->name);
        header->set_format(pb::ImportStateRequest::Header::REFERENCE);
        server::ParamsToProto(golden->params, header->mutable_params());
        ASSERT_TRUE(writer->Write(first));
        const std::string bytes = proto.SerializeAsString();
        for (size_t at = 0; at < bytes.size(); at += 256 * 1024) {
          pb::ImportStateRequest chunk;
          chunk.set_data(bytes.substr(at, 256 * 1024));
          ASSERT_TRUE(writer->Write(chunk));
        }
        writer->WritesDone();
        grpc::Status s = writer->Finish();
        ASSERT_TRUE(s.ok()) << s.error_message();
        EXPECT_EQ(info.ne(), ne);
      }

      // Replay with the case's inputs, freeze set and phase, noise off.
      pb::RunRequest run;
      run.set_session(golden->name);
      run.set_timesteps(steps);
      run.set_noise(false);
      run.set_steps_per_message(64);
      for (const std::string& m : golden->frozen.Names()) run.add_freeze(m);
      run.set_phase(golden->phase == Phase::kTraining ? pb::TRAINING
                                                      : pb::PLASTICITY);
      run.mutable_values()->set_units(nu);
      run.mutable_values()->set_steps(steps);
      run.mutable_values()->mutable_values()->Assign(
          golden->inputs.data.begin(), golden->inputs.data.end());
      grpc::ClientContext ctx;
      auto reader = golden->phase == Phase::kTraining
                        ? stub->Train(&ctx, run)
                        : stub->Simulate(&ctx, run);
      pb::RunResponse r;
      int t0 = 0;
      int mismatches = 0;
      while (reader->Read(&r)) {
        const auto x = Unpack(r.x(), r.steps(), ne);
        const auto y = Unpack(r.y(), r.steps(), ni);
        const auto rr = Unpack(r.r(), r.steps(), ne);
        for (int k = 0; k < r.steps(); ++k) {
          const int t = t0 + k;
          for (int i = 0; i < ne; ++i) {
            mismatches +=
                x[k][i] != golden->expected_x.data[size_t(t) * ne + i];
            mismatches +=
                rr[k][i] != golden->expected_r.data[size_t(t) * ne + i];
          }
          for (int i = 0; i < ni; ++i) {
            mismatches +=
                y[k][i] != golden->expected_y.data[size_t(t) * ni + i];
          }
          mismatches += r.ee_conn(k) != golden->expected_ee_conn.data[t];
          mismatches += r.ei_conn(k) != golden->expected_ei_conn.data[t];
        }
        t0 += r.steps();
      }
      ASSERT_TRUE(reader->Finish().ok());
      EXPECT_EQ(t0, steps);
      EXPECT_EQ(mismatches, 0);

      // The exported final weights and thresholds.
      grpc::Status exported;
      const std::string bytes =
          ExportStateBytes(stub.get(), golden->name, &exported);
      ASSERT_TRUE(exported.ok());
      pb::NetworkState state;
      ASSERT_TRUE(state.ParseFromString(bytes));
      absl::StatusOr<NetworkState> final_state =
          server::NetworkStateFromProto(state);
      ASSERT_TRUE(final_state.ok());
      const DenseMatrix wee = final_state->wee.Weights().ToDense();
      const DenseMatrix wei = final_state->wei.Weights().ToDense();
      double worst = 0;
      for (size_t k = 0; k < wee.data.size(); ++k) {
        worst = std::max(worst,
                         std::abs(wee.data[k] - golden->expected_wee.data[k]));
      }
      for (size_t k = 0; k < wei.data.size(); ++k) {
        worst = std::max(worst,
                         std::abs(wei.data[k] - golden->expected_wei.data[k]));
      }
      for (int i = 0; i < ne; ++i) {
        worst = std::max(
            worst, std::abs(final_state->te[i] - golden->expected_te.data[i]));
      }
      EXPECT_LE(worst, arithmetic == Arithmetic::kExact ? 0.0 : 1e-9);
      EXPECT_EQ(state.params().arithmetic(),
                arithmetic == Arithmetic::kExact ? pb::EXACT : pb::FAST);
    }
}

}  // namespace
}  // namespace sorn
