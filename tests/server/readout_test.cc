// FitReadout, DeleteReadout and readout outputs in Train and Step, through
// the C++ stubs against the real server: a known linear map is recovered,
// outputs on new steps equal what the map gives, readouts travel with
// exports, forks and restarts, and bad requests are refused without harm.
#include <cmath>
#include <filesystem>
#include <random>

#include "gtest/gtest.h"
#include "tests/server/test_server.h"

namespace sorn {
namespace {

namespace pb = ::sorn::v1;
namespace fs = std::filesystem;

constexpr int kNe = 200;
constexpr int kNu = 10;
constexpr int kOutputs = 3;

// A fixed map from [x (ne), input (nu), 1] to 3 outputs.
double MapWeight(int feature, int output) {
  return std::sin(1.0 + feature * 0.37 + output * 1.91);
}

// Steps of explicit uniform inputs (the test must know them).
pb::RunRequest TrainWithInputs(const std::string& session, int steps,
                               uint64_t seed,
                               std::vector<std::vector<double>>* inputs) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  pb::RunRequest req;
  req.set_session(session);
  req.set_timesteps(steps);
  pb::InputMatrix* m = req.mutable_values();
  m->set_units(kNu);
  m->set_steps(steps);
  inputs->assign(steps, std::vector<double>(kNu));
  for (int k = 0; k < kNu; ++k) {
    for (int t = 0; t < steps; ++t) (*inputs)[t][k] = u(rng);
  }
  for (int k = 0; k < kNu; ++k) {
    for (int t = 0; t < steps; ++t) m->add_values((*inputs)[t][k]);
  }
  req.mutable_record()->set_y(false);
  req.mutable_record()->set_r(false);
  return req;
}

// x of every step of the responses, and the readout outputs gathered.
struct Gathered {
  std::vector<std::vector<uint8_t>> x;
  std::vector<double> scores;  // of the first readout asked for.
  std::vector<int32_t> classes;
};

Gathered Gather(const std::vector<pb::RunResponse>& responses) {
  Gathered g;
  for (const pb::RunResponse& r : responses) {
    for (auto& step : Unpack(r.x(), r.steps(), kNe)) g.x.push_back(step);
    if (r.readouts_size() > 0) {
      g.scores.insert(g.scores.end(), r.readouts(0).scores().begin(),
                      r.readouts(0).scores().end());
      g.classes.insert(g.classes.end(), r.readouts(0).classes().begin(),
                       r.readouts(0).classes().end());
    }
  }
  return g;
}

double Expected(const std::vector<uint8_t>& x, const std::vector<double>& u,
                int o) {
  double s = MapWeight(kNe + kNu, o);  // bias.
  for (int i = 0; i < kNe; ++i) s += x[i] * MapWeight(i, o);
  for (int k = 0; k < kNu; ++k) s += u[k] * MapWeight(kNe + k, o);
  return s;
}

class ReadoutTest : public SharedServerTest {
 protected:
  // A session whose every neuron has fired: 3,000 plastic steps.
  void Prepare(const std::string& name) {
    ASSERT_TRUE(CreateTestSession(stub_.get(), name, 11).ok());
    grpc::Status s;
    RunCall(stub_.get(), UniformRun(name, 3000, 5), false, &s);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  std::vector<pb::RunResponse> Train(const pb::RunRequest& req,
                                     grpc::Status* s = nullptr) {
    grpc::Status ignored;
    std::vector<pb::RunResponse> out =
        RunCall(stub_.get(), req, true, s != nullptr ? s : &ignored);
    if (s == nullptr) {
      EXPECT_TRUE(ignored.ok()) << ignored.error_message();
    }
    return out;
  }
  grpc::Status Fit(const pb::FitReadoutRequest& req,
                   pb::FitReadoutResponse* response = nullptr) {
    grpc::ClientContext ctx;
    pb::FitReadoutResponse ignored;
    return stub_->FitReadout(&ctx, req,
                             response != nullptr ? response : &ignored);
  }
  // Fits "map" on `steps` Train steps to MapWeight's outputs.
  pb::FitReadoutResponse FitMap(const std::string& name, int steps) {
    std::vector<std::vector<double>> inputs;
    const Gathered g = Gather(Train(TrainWithInputs(name, steps, 21, &inputs)));
    pb::FitReadoutRequest req;
    req.set_session(name);
    req.set_readout("map");
    req.mutable_features()->set_include_input(true);
    req.set_regularization(0.0);
    req.set_return_weights(true);
    req.mutable_values()->set_outputs(kOutputs);
    for (int t = 0; t < steps; ++t) {
      for (int o = 0; o < kOutputs; ++o) {
        req.mutable_values()->add_values(Expected(g.x[t], inputs[t], o));
      }
    }
    pb::FitReadoutResponse response;
    grpc::Status s = Fit(req, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }
  // Trains `steps` more steps asking for "map" and checks its scores.
  void ExpectMapScores(const std::string& name, int steps, uint64_t seed) {
    std::vector<std::vector<double>> inputs;
    pb::RunRequest req = TrainWithInputs(name, steps, seed, &inputs);
    req.add_readouts("map");
    req.set_steps_per_message(64);
    const Gathered g = Gather(Train(req));
    ASSERT_EQ(g.scores.size(), size_t(steps) * kOutputs);
    EXPECT_TRUE(g.classes.empty());  // not a classifier.
    double worst = 0;
    for (int t = 0; t < steps; ++t) {
      for (int o = 0; o < kOutputs; ++o) {
        worst = std::max(worst, std::abs(g.scores[t * kOutputs + o] -
                                         Expected(g.x[t], inputs[t], o)));
      }
    }
    EXPECT_LT(worst, 1e-7) << name;
  }
};

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

// Every malformed FitReadout is INVALID_ARGUMENT (unknown session:
// NOT_FOUND) with a message naming the problem; the session keeps its
// readout and steps on.
TEST_F(ReadoutTest, BadRequestsAreRefusedAndLoseNothing) {
  Prepare("bad");
  FitMap("bad", 300);
  auto base = [] {
    pb::FitReadoutRequest req;
    req.set_session("bad");
    req.set_readout("r");
    for (int t = 0; t < 10; ++t) req.mutable_labels()->add_labels(t % 2);
    return req;
  };
  struct Case {
    const char* what;
    std::function<void(pb::FitReadoutRequest&)> edit;
    grpc::StatusCode code;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"unknown session", [](auto& r) { r.set_session("nope"); },
       grpc::StatusCode::NOT_FOUND, "no session"},
      {"bad readout name", [](auto& r) { r.set_readout("a/b"); },
       grpc::StatusCode::INVALID_ARGUMENT, "readout name"},
      {"no targets", [](auto& r) { r.clear_labels(); },
       grpc::StatusCode::INVALID_ARGUMENT, "labels, one_hot or values"},
      {"more rows than recorded steps",
       [](auto& r) {
         r.mutable_labels()->mutable_labels()->Resize(20000, 0);
         r.mutable_labels()->set_labels(1, 1);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "recorded steps"},
      {"negative label", [](auto& r) { r.mutable_labels()->set_labels(3, -1); },
       grpc::StatusCode::INVALID_ARGUMENT, "label"},
      {"label beyond classes",
       [](auto& r) {
         r.mutable_labels()->set_classes(2);
         r.mutable_labels()->set_labels(3, 2);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "label"},
      {"label of 2^31 - 1 (an id, not a class)",
       [](auto& r) { r.mutable_labels()->set_labels(3, 2147483647); },
       grpc::StatusCode::INVALID_ARGUMENT, "at most 65536 classes"},
      {"one class",
       [](auto& r) {
         for (int& l : *r.mutable_labels()->mutable_labels()) l = 0;
       },
       grpc::StatusCode::INVALID_ARGUMENT, "class"},
      {"one-hot row with two ones",
       [](auto& r) {
         r.mutable_one_hot()->set_outputs(2);
         for (int t = 0; t < 10; ++t) {
           r.mutable_one_hot()->add_values(1.0);
           r.mutable_one_hot()->add_values(t == 4 ? 1.0 : 0.0);
         }
       },
       grpc::StatusCode::INVALID_ARGUMENT, "one_hot row 4"},
      {"values not a multiple of outputs",
       [](auto& r) {
         r.mutable_values()->set_outputs(3);
         for (int t = 0; t < 10; ++t) r.mutable_values()->add_values(t);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "not a multiple"},
      {"zero outputs", [](auto& r) { r.mutable_values()->set_outputs(0); },
       grpc::StatusCode::INVALID_ARGUMENT, "outputs must be >= 1"},
      {"NaN target",
       [](auto& r) {
         r.mutable_values()->set_outputs(1);
         for (int t = 0; t < 10; ++t)
           r.mutable_values()->add_values(t == 2 ? std::nan("") : 1.0);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "NaN"},
      {"negative regularization", [](auto& r) { r.set_regularization(-1); },
       grpc::StatusCode::INVALID_ARGUMENT, "regularization"},
      {"NaN regularization",
       [](auto& r) { r.set_regularization(std::nan("")); },
       grpc::StatusCode::INVALID_ARGUMENT, "regularization"},
      {"unknown population",
       [](auto& r) {
         r.mutable_features()->set_population(pb::Population(42));
       },
       grpc::StatusCode::INVALID_ARGUMENT, "population"},
      {"negative skip_last", [](auto& r) { r.set_skip_last(-1); },
       grpc::StatusCode::INVALID_ARGUMENT, "skip_last"},
      {"collinear without regularization",
       [](auto& r) {
         r.set_regularization(0);
         r.mutable_features()->set_include_input(true);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "collinear"},
  };
  for (const Case& c : cases) {
    pb::FitReadoutRequest req = base();
    c.edit(req);
    grpc::Status s = Fit(req);
    EXPECT_EQ(s.error_code(), c.code) << c.what << ": " << s.error_message();
    EXPECT_NE(s.error_message().find(c.message), std::string::npos)
        << c.what << ": " << s.error_message();
  }
  // A Train or Step asking for an unknown readout is NOT_FOUND before any
  // step runs.
  grpc::ClientContext get_ctx;
  pb::GetSessionRequest get;
  get.set_name("bad");
  pb::SessionInfo before;
  ASSERT_TRUE(stub_->GetSession(&get_ctx, get, &before).ok());
  pb::RunRequest run = UniformRun("bad", 10, 1);
  run.add_readouts("map");
  run.add_readouts("ghost");
  grpc::Status s;
  Train(run, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(s.error_message().find("ghost"), std::string::npos);
  {
    grpc::ClientContext ctx;
    auto stream = stub_->Step(&ctx);
    pb::StepRequest req;
    req.set_session("bad");
    req.add_readouts("ghost");
    for (int k = 0; k < kNu; ++k) req.add_input(0.5);
    stream->Write(req);
    stream->WritesDone();
    pb::StepResponse r;
    EXPECT_FALSE(stream->Read(&r));
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
  }
  // Nothing was lost: the same step, the readout still there and right.
  grpc::ClientContext after_ctx;
  pb::SessionInfo after;
  ASSERT_TRUE(stub_->GetSession(&after_ctx, get, &after).ok());
  EXPECT_EQ(after.step(), before.step());
  ASSERT_EQ(after.readouts_size(), 1);
  ExpectMapScores("bad", 50, 8);
}

// A fit over --max_readout_bytes is RESOURCE_EXHAUSTED, and says so.
TEST(ReadoutLimitTest, AFitOverTheServersLimitIsRefused) {
  TestServer server({"--max_readout_bytes=1000000"});
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  ASSERT_TRUE(CreateTestSession(stub.get(), "big", 1).ok());
  grpc::Status s;
  RunCall(stub.get(), UniformRun("big", 1000, 1), false, &s);
  ASSERT_TRUE(s.ok());
  pb::FitReadoutRequest req;
  req.set_session("big");
  req.set_readout("r");
  // 2 x 1,000 rows x 201 features + 1,000 x 2 outputs + 201 x 203: 3.6 MB.
  for (int t = 0; t < 1000; ++t) req.mutable_labels()->add_labels(t % 2);
  grpc::ClientContext ctx;
  pb::FitReadoutResponse response;
  s = stub->FitReadout(&ctx, req, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("--max_readout_bytes"), std::string::npos);
  // 100 rows fit.
  req.mutable_labels()->mutable_labels()->Truncate(100);
  grpc::ClientContext ok_ctx;
  EXPECT_TRUE(stub->FitReadout(&ok_ctx, req, &response).ok());
  // Readouts of 200 classes hold 201 x 200 x 8 = 321,600 bytes of weights
  // each: a fourth would pass the limit; refitting one does not.
  req.mutable_labels()->mutable_labels()->Truncate(10);
  req.mutable_labels()->set_classes(200);
  for (const char* name : {"a", "b", "c", "d", "a"}) {
    req.set_readout(name);
    grpc::ClientContext ctx;
    const grpc::Status fit = stub->FitReadout(&ctx, req, &response);
    if (std::string(name) == "d") {
      EXPECT_EQ(fit.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
      EXPECT_NE(fit.error_message().find("delete a readout first"),
                std::string::npos)
          << fit.error_message();
    } else {
      EXPECT_TRUE(fit.ok()) << name << ": " << fit.error_message();
    }
  }
}

// With --data_dir a fitted readout is on disk when FitReadout returns: after
// kill -9 and a restart it is there and scores like before.
TEST(ReadoutDurabilityTest, SurvivesKillNine) {
  const fs::path dir =
      fs::temp_directory_path() / ("sorn_readout_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::vector<std::string> flags = {"--data_dir=" + dir.string()};
  pb::SessionInfo fitted;
  {
    TestServer server(flags);
    ASSERT_TRUE(server.ok());
    auto stub = server.NewStub();
    ASSERT_TRUE(CreateTestSession(stub.get(), "kept", 3).ok());
    grpc::Status s;
    RunCall(stub.get(), UniformRun("kept", 500, 1), false, &s);
    ASSERT_TRUE(s.ok());
    pb::FitReadoutRequest req;
    req.set_session("kept");
    req.set_readout("parity");
    for (int t = 0; t < 500; ++t) req.mutable_labels()->add_labels(t % 2);
    grpc::ClientContext ctx;
    pb::FitReadoutResponse response;
    ASSERT_TRUE(stub->FitReadout(&ctx, req, &response).ok());
    grpc::ClientContext get_ctx;
    pb::GetSessionRequest get;
    get.set_name("kept");
    ASSERT_TRUE(stub->GetSession(&get_ctx, get, &fitted).ok());
    server.Kill9();
  }
  TestServer server(flags);
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  grpc::ClientContext ctx;
  pb::GetSessionRequest get;
  get.set_name("kept");
  pb::SessionInfo restored;
  ASSERT_TRUE(stub->GetSession(&ctx, get, &restored).ok());
  ASSERT_EQ(restored.readouts_size(), 1);
  EXPECT_EQ(restored.readouts(0).SerializeAsString(),
            fitted.readouts(0).SerializeAsString());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sorn
