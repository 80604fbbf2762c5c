// Readout requests the server refuses, against the real server: every
// malformed FitReadout (a table of cases) gets its code and a message naming
// the problem and loses nothing, an unknown readout in Train or Step is
// NOT_FOUND before any step runs, and fits over --max_readout_bytes are
// RESOURCE_EXHAUSTED.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/server/e2e/readout_fixture.h"
#include "tests/support/api_calls.h"
#include "tests/support/test_server.h"

namespace sorn {
namespace {

namespace pb = ::sorn::v1;

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

}  // namespace
}  // namespace sorn
