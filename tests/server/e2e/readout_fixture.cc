// ReadoutTest's helpers (readout_fixture.h).
#include "tests/server/e2e/readout_fixture.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "gtest/gtest.h"
#include "tests/support/api_calls.h"
#include "tests/support/packed_activity.h"

namespace sorn {

namespace pb = ::sorn::v1;

double ReadoutTest::MapWeight(int feature, int output) {
  return std::sin(1.0 + feature * 0.37 + output * 1.91);
}

pb::RunRequest ReadoutTest::TrainWithInputs(
    const std::string& session, int steps, uint64_t seed,
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

ReadoutTest::Gathered ReadoutTest::Gather(
    const std::vector<pb::RunResponse>& responses) {
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

double ReadoutTest::Expected(const std::vector<uint8_t>& x,
                             const std::vector<double>& u, int o) {
  double s = MapWeight(kNe + kNu, o);  // bias.
  for (int i = 0; i < kNe; ++i) s += x[i] * MapWeight(i, o);
  for (int k = 0; k < kNu; ++k) s += u[k] * MapWeight(kNe + k, o);
  return s;
}

void ReadoutTest::Prepare(const std::string& name) {
  ASSERT_TRUE(CreateTestSession(stub_.get(), name, 11).ok());
  grpc::Status s;
  RunCall(stub_.get(), UniformRun(name, 3000, 5), false, &s);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

std::vector<pb::RunResponse> ReadoutTest::Train(const pb::RunRequest& req,
                                                grpc::Status* s) {
  grpc::Status ignored;
  std::vector<pb::RunResponse> out =
      RunCall(stub_.get(), req, true, s != nullptr ? s : &ignored);
  if (s == nullptr) {
    EXPECT_TRUE(ignored.ok()) << ignored.error_message();
  }
  return out;
}

grpc::Status ReadoutTest::Fit(const pb::FitReadoutRequest& req,
                              pb::FitReadoutResponse* response) {
  grpc::ClientContext ctx;
  pb::FitReadoutResponse ignored;
  return stub_->FitReadout(&ctx, req,
                           response != nullptr ? response : &ignored);
}

pb::FitReadoutResponse ReadoutTest::FitMap(const std::string& name, int steps) {
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

void ReadoutTest::ExpectMapScores(const std::string& name, int steps,
                                  uint64_t seed) {
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

}  // namespace sorn
