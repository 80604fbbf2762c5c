// FitReadout, DeleteReadout and readout outputs in Train and Step, through
// the C++ stubs against the real server: a known linear map is recovered,
// outputs on new steps equal what the map gives, classifiers classify new
// steps in the Step stream, skip_last aligns rows, and readouts travel with
// exports, imports and forks.
#include <algorithm>
#include <cmath>

#include "gtest/gtest.h"
#include "tests/server/e2e/readout_fixture.h"
#include "tests/support/api_calls.h"
#include "tests/support/packed_activity.h"

namespace sorn {
namespace {

namespace pb = ::sorn::v1;

// Targets that are an exact linear function of x, the input and 1: least
// squares recovers the map's weights, and the readout's outputs on 300 new
// steps (Train, several messages) are the map's outputs.
TEST_F(ReadoutTest, RecoversAKnownLinearMapAndPredictsNewSteps) {
  Prepare("map");
  const pb::FitReadoutResponse fit = FitMap("map", 1500);
  const pb::ReadoutInfo& info = fit.readout();
  EXPECT_EQ(info.name(), "map");
  EXPECT_EQ(info.features_count(), kNe + kNu + 1);
  EXPECT_EQ(info.outputs(), kOutputs);
  EXPECT_FALSE(info.classifier());
  EXPECT_EQ(info.fitted_steps(), 1500);
  EXPECT_EQ(info.fitted_at_step(), 4500);
  EXPECT_TRUE(info.features().bias());
  EXPECT_FALSE(info.has_training_accuracy());
  EXPECT_LT(info.training_error(), 1e-18);
  ASSERT_EQ(fit.weights().rows(), kNe + kNu + 1);
  ASSERT_EQ(fit.weights().cols(), kOutputs);
  double worst = 0;
  for (int f = 0; f < kNe + kNu + 1; ++f) {
    for (int o = 0; o < kOutputs; ++o) {
      worst = std::max(worst, std::abs(fit.weights().data(f * kOutputs + o) -
                                       MapWeight(f, o)));
    }
  }
  EXPECT_LT(worst, 1e-7);
  ExpectMapScores("map", 300, 99);
}

// Class labels given as labels and as one-hot rows: the class is whether
// neuron 5 fired. Both readouts classify 200 new steps (Step stream, one
// step per response) without a mistake.
TEST_F(ReadoutTest, ClassifiesNewStepsInTheStepStream) {
  Prepare("cls");
  std::vector<std::vector<double>> inputs;
  const Gathered g = Gather(Train(TrainWithInputs("cls", 1000, 3, &inputs)));
  pb::FitReadoutRequest labels;
  labels.set_session("cls");
  labels.set_readout("fired5");
  pb::FitReadoutRequest one_hot = labels;
  one_hot.set_readout("fired5.onehot");
  one_hot.mutable_one_hot()->set_outputs(2);
  for (const auto& x : g.x) {
    labels.mutable_labels()->add_labels(x[5]);
    one_hot.mutable_one_hot()->add_values(x[5] ? 0.0 : 1.0);
    one_hot.mutable_one_hot()->add_values(x[5] ? 1.0 : 0.0);
  }
  for (const pb::FitReadoutRequest* req : {&labels, &one_hot}) {
    pb::FitReadoutResponse fit;
    ASSERT_TRUE(Fit(*req, &fit).ok());
    EXPECT_TRUE(fit.readout().classifier());
    EXPECT_EQ(fit.readout().outputs(), 2);
    EXPECT_EQ(fit.readout().training_accuracy(), 1.0);
    EXPECT_FALSE(fit.has_weights());  // not asked for.
  }
  grpc::ClientContext ctx;
  auto stream = stub_->Step(&ctx);
  int fired = 0;
  for (int t = 0; t < 200; ++t) {
    pb::StepRequest req;
    if (t == 0) {
      req.set_session("cls");
      req.add_readouts("fired5");
      req.add_readouts("fired5.onehot");
    }
    req.set_phase(pb::TRAINING);
    for (int k = 0; k < kNu; ++k) req.add_input(inputs[t][k]);
    ASSERT_TRUE(stream->Write(req));
    pb::StepResponse r;
    ASSERT_TRUE(stream->Read(&r));
    const int x5 = Unpack(r.x(), 1, kNe)[0][5];
    fired += x5;
    ASSERT_EQ(r.readouts_size(), 2);
    for (const pb::ReadoutOutput& out : r.readouts()) {
      ASSERT_EQ(out.classes_size(), 1);
      ASSERT_EQ(out.scores_size(), 2);
      EXPECT_EQ(out.classes(0), x5) << out.name() << " step " << t;
      EXPECT_NEAR(out.scores(1), x5, 1e-6);
    }
    EXPECT_EQ(r.readouts(0).name(), "fired5");
    EXPECT_EQ(r.readouts(1).name(), "fired5.onehot");
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_GT(fired, 5);  // both classes occurred.
  EXPECT_LT(fired, 195);
}

// skip_last: the rows end before the most recent steps, so a target of
// "the next step's x[7]" needs no unknown last row.
TEST_F(ReadoutTest, SkipLastAlignsRowsWithEarlierSteps) {
  Prepare("skip");
  std::vector<std::vector<double>> inputs;
  const Gathered g = Gather(Train(TrainWithInputs("skip", 400, 4, &inputs)));
  pb::FitReadoutRequest req;
  req.set_session("skip");
  req.set_readout("same");
  req.set_skip_last(1);
  req.set_regularization(0.0);
  req.mutable_values()->set_outputs(1);
  // Rows are steps 1..399 of the call (the last one skipped); the target is
  // each row's own x[7], which the fit must then reproduce exactly.
  for (int t = 0; t < 399; ++t) req.mutable_values()->add_values(g.x[t][7]);
  pb::FitReadoutResponse fit;
  ASSERT_TRUE(Fit(req, &fit).ok());
  EXPECT_LT(fit.readout().training_error(), 1e-18);
  EXPECT_EQ(fit.readout().fitted_at_step(), 3399);
  // Shifted by one step, the same targets are not a function of the row.
  req.set_skip_last(0);
  req.set_regularization(1e-6);
  ASSERT_TRUE(Fit(req, &fit).ok());
  EXPECT_GT(fit.readout().training_error(), 1e-3);
}

// Readouts are part of the state: GetSession lists them, ExportState ->
// ImportState and ForkSession carry them, and the copies score new steps
// like the original.
TEST_F(ReadoutTest, TravelWithExportImportAndFork) {
  Prepare("orig");
  FitMap("orig", 1200);
  grpc::ClientContext get_ctx;
  pb::GetSessionRequest get;
  get.set_name("orig");
  pb::SessionInfo info;
  ASSERT_TRUE(stub_->GetSession(&get_ctx, get, &info).ok());
  ASSERT_EQ(info.readouts_size(), 1);
  EXPECT_EQ(info.readouts(0).name(), "map");
  EXPECT_EQ(info.readouts(0).fitted_steps(), 1200);

  const std::string bytes = ExportStateBytes(stub_.get(), "orig");
  pb::NetworkState state;
  ASSERT_TRUE(state.ParseFromString(bytes));
  ASSERT_EQ(state.readouts_size(), 1);
  EXPECT_EQ(state.readouts(0).weights().rows(), kNe + kNu + 1);
  {
    grpc::ClientContext ctx;
    pb::SessionInfo imported;
    auto writer = stub_->ImportState(&ctx, &imported);
    pb::ImportStateRequest req;
    req.mutable_header()->set_name("copy");
    req.set_data(bytes);
    ASSERT_TRUE(writer->Write(req));
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    ASSERT_EQ(imported.readouts_size(), 1);
    EXPECT_EQ(imported.readouts(0).training_error(),
              info.readouts(0).training_error());
  }
  {
    grpc::ClientContext ctx;
    pb::ForkSessionRequest req;
    req.set_source("orig");
    req.set_name("fork");
    pb::SessionInfo fork;
    ASSERT_TRUE(stub_->ForkSession(&ctx, req, &fork).ok());
    ASSERT_EQ(fork.readouts_size(), 1);
  }
  for (const char* name : {"orig", "copy", "fork"}) {
    ExpectMapScores(name, 100, 7);
  }
  // The imported state's re-export carries the same readout bytes.
  pb::NetworkState again;
  ASSERT_TRUE(again.ParseFromString(ExportStateBytes(stub_.get(), "copy")));
  ASSERT_EQ(again.readouts_size(), 1);
  EXPECT_EQ(again.readouts(0).weights().SerializeAsString(),
            state.readouts(0).weights().SerializeAsString());
}

TEST_F(ReadoutTest, DeleteReadout) {
  Prepare("del");
  FitMap("del", 500);
  grpc::ClientContext ctx;
  pb::DeleteReadoutRequest req;
  req.set_session("del");
  req.set_readout("map");
  pb::SessionInfo info;
  ASSERT_TRUE(stub_->DeleteReadout(&ctx, req, &info).ok());
  EXPECT_EQ(info.readouts_size(), 0);
  grpc::ClientContext again;
  EXPECT_EQ(stub_->DeleteReadout(&again, req, &info).error_code(),
            grpc::StatusCode::NOT_FOUND);
  pb::RunRequest run = UniformRun("del", 10, 1);
  run.add_readouts("map");
  grpc::Status s;
  Train(run, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(s.error_message().find("no readout \"map\""), std::string::npos);
}

}  // namespace
}  // namespace sorn
