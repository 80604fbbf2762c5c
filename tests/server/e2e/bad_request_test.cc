// Bad requests: each gets its canonical code and a message naming what was
// wrong, and none of them disturbs the server or another session.
#include <cmath>
#include <functional>
#include <limits>

#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/api_calls.h"
#include "tests/support/test_server.h"

namespace sorn {
namespace {

namespace pb = ::sorn::v1;
using grpc::StatusCode;

grpc::Status Create(pb::Sorn::Stub* stub, const std::string& name,
                    std::function<void(pb::CreateSessionRequest&)> edit = {}) {
  return CreateTestSession(stub, name, 1, edit);
}

grpc::Status Simulate(pb::Sorn::Stub* stub,
                      std::function<void(pb::RunRequest&)> edit) {
  pb::RunRequest req;
  req.set_session("target");
  req.set_timesteps(10);
  edit(req);
  grpc::Status status;
  RunCall(stub, req, /*train=*/false, &status);
  return status;
}

grpc::Status StepOnce(pb::Sorn::Stub* stub, const std::string& session,
                      std::vector<double> input) {
  grpc::ClientContext ctx;
  auto stream = stub->Step(&ctx);
  pb::StepRequest req;
  req.set_session(session);
  for (double v : input) req.add_input(v);
  stream->Write(req);
  stream->WritesDone();
  pb::StepResponse resp;
  while (stream->Read(&resp)) {
  }
  return stream->Finish();
}

// Imports below: one message, the header and the data together.
const ImportOptions kOneNativeMessage = {
    .format = pb::ImportStateRequest::Header::NATIVE, .data_in_header = true};

struct BadRequest {
  const char* what;
  StatusCode code;
  const char* message_part;
  std::function<grpc::Status(pb::Sorn::Stub*)> call;
};

TEST(BadRequestTest, EachGetsItsCodeAndNothingIsLost) {
  TestServer server({"--max_ne=1000", "--max_steps_per_call=100000",
                     "--max_record_buffer_steps=50000"});
  ASSERT_TRUE(server.ok());
  auto stub = server.NewStub();
  ASSERT_TRUE(Create(stub.get(), "untouched").ok());
  ASSERT_TRUE(Create(stub.get(), "target").ok());
  const std::string untouched_before =
      ExportStateBytes(stub.get(), "untouched");
  const std::string target_before = ExportStateBytes(stub.get(), "target");
  const double nan = std::numeric_limits<double>::quiet_NaN();

  pb::NetworkState bad_state;
  ASSERT_TRUE(bad_state.ParseFromString(target_before));
  bad_state.mutable_wee()->mutable_stored()->set_value(0, -0.5);
  pb::ReferenceState bad_reference;
  bad_reference.mutable_wee()->set_rows(3);
  bad_reference.mutable_wee()->set_cols(3);

  const std::vector<BadRequest> cases = {
      {"unknown session", StatusCode::NOT_FOUND, "no session \"nobody\"",
       [](auto* s) {
         grpc::ClientContext c;
         pb::GetSessionRequest r;
         r.set_name("nobody");
         pb::SessionInfo i;
         return s->GetSession(&c, r, &i);
       }},
      {"duplicate name", StatusCode::ALREADY_EXISTS, "already exists",
       [](auto* s) { return Create(s, "target"); }},
      {"path in name", StatusCode::INVALID_ARGUMENT, "may only contain",
       [](auto* s) { return Create(s, "../x"); }},
      {"65-character name", StatusCode::INVALID_ARGUMENT, "1 to 64",
       [](auto* s) { return Create(s, std::string(65, 'a')); }},
      {"empty name", StatusCode::INVALID_ARGUMENT, "1 to 64",
       [](auto* s) { return Create(s, ""); }},
      {"name ..", StatusCode::INVALID_ARGUMENT, "may not be",
       [](auto* s) { return Create(s, ".."); }},
      {"ne below 5", StatusCode::INVALID_ARGUMENT, "ne must be at least 5",
       [](auto* s) {
         return Create(s, "n4", [](auto& r) { r.mutable_params()->set_ne(4); });
       }},
      {"ne over --max_ne", StatusCode::RESOURCE_EXHAUSTED, "--max_ne",
       [](auto* s) {
         return Create(s, "big",
                       [](auto& r) { r.mutable_params()->set_ne(2000); });
       }},
      {"rate above 1", StatusCode::INVALID_ARGUMENT, "eta_stdp",
       [](auto* s) {
         return Create(s, "r",
                       [](auto& r) { r.mutable_params()->set_eta_stdp(2); });
       }},
      {"te_min above te_max", StatusCode::INVALID_ARGUMENT, "te_min",
       [](auto* s) {
         return Create(s, "t", [](auto& r) {
           r.mutable_params()->set_te_min(0.9);
           r.mutable_params()->set_te_max(0.1);
         });
       }},
      {"unknown network type", StatusCode::INVALID_ARGUMENT, "network type",
       [](auto* s) {
         return Create(s, "nt", [](auto& r) {
           r.mutable_params()->set_network_type_ee(
               static_cast<pb::NetworkType>(7));
         });
       }},
      {"unknown arithmetic", StatusCode::INVALID_ARGUMENT, "arithmetic",
       [](auto* s) {
         return Create(s, "ar", [](auto& r) {
           r.mutable_params()->set_arithmetic(static_cast<pb::Arithmetic>(9));
         });
       }},
      {"unknown preset", StatusCode::INVALID_ARGUMENT, "known presets",
       [](auto* s) {
         return Create(s, "pr", [](auto& r) { r.set_preset("lazar2010"); });
       }},
      {"input pool naming a neuron past ne", StatusCode::INVALID_ARGUMENT,
       "outside [0, ne = 200)",
       [](auto* s) {
         return Create(s, "pool", [](auto& r) {
           r.mutable_params()->set_nu(1);
           r.mutable_params()->add_input_pools()->add_neurons(200);
         });
       }},
      {"random pools past the entry limit", StatusCode::INVALID_ARGUMENT,
       "at most 262144",
       [](auto* s) {
         return Create(s, "pools", [](auto& r) {
           r.mutable_params()->set_ne(1000);
           r.mutable_params()->set_nu(1000);
           r.mutable_params()->set_h_ip(0.1);
           r.mutable_params()->set_input_pool_size(1000);
         });
       }},
      {"record buffer over limit", StatusCode::RESOURCE_EXHAUSTED,
       "--max_record_buffer_steps",
       [](auto* s) {
         return Create(s, "rb",
                       [](auto& r) { r.set_record_buffer_steps(60000); });
       }},
      {"simulate unknown session", StatusCode::NOT_FOUND, "no session",
       [](auto* s) {
         return Simulate(s, [](auto& r) { r.set_session("ghost"); });
       }},
      {"timesteps 0", StatusCode::INVALID_ARGUMENT, "timesteps must be >= 1",
       [](auto* s) {
         return Simulate(s, [](auto& r) { r.set_timesteps(0); });
       }},
      {"timesteps over the limit", StatusCode::RESOURCE_EXHAUSTED,
       "--max_steps_per_call",
       [](auto* s) {
         return Simulate(s, [](auto& r) { r.set_timesteps(100001); });
       }},
      {"inputs of the wrong width", StatusCode::INVALID_ARGUMENT,
       "nu x timesteps",
       [](auto* s) {
         return Simulate(s, [](auto& r) {
           r.mutable_values()->set_units(9);
           r.mutable_values()->set_steps(10);
           for (int k = 0; k < 90; ++k) r.mutable_values()->add_values(0.5);
         });
       }},
      {"NaN input", StatusCode::INVALID_ARGUMENT, "must be finite",
       [nan](auto* s) {
         return Simulate(s, [nan](auto& r) {
           r.mutable_values()->set_units(10);
           r.mutable_values()->set_steps(10);
           for (int k = 0; k < 100; ++k)
             r.mutable_values()->add_values(k == 57 ? nan : 0.5);
         });
       }},
      {"unknown freeze name", StatusCode::INVALID_ARGUMENT, "\"hebb\"",
       [](auto* s) {
         return Simulate(s, [](auto& r) { r.add_freeze("hebb"); });
       }},
      {"steps_per_message too large", StatusCode::INVALID_ARGUMENT,
       "steps_per_message",
       [](auto* s) {
         return Simulate(s, [](auto& r) { r.set_steps_per_message(5000); });
       }},
      {"generated inputs without kind", StatusCode::INVALID_ARGUMENT,
       "need a kind",
       [](auto* s) {
         return Simulate(s, [](auto& r) { r.mutable_generated(); });
       }},
      {"unknown phase", StatusCode::INVALID_ARGUMENT, "unknown phase",
       [](auto* s) {
         return Simulate(
             s, [](auto& r) { r.set_phase(static_cast<pb::Phase>(9)); });
       }},
      {"step input of the wrong width", StatusCode::INVALID_ARGUMENT,
       "input has 3 values; this network has nu = 10",
       [](auto* s) {
         return StepOnce(s, "target", {1, 2, 3});
       }},
      {"step NaN input", StatusCode::INVALID_ARGUMENT, "input[2] is nan",
       [nan](auto* s) {
         std::vector<double> u(10, 0.1);
         u[2] = nan;
         return StepOnce(s, "target", u);
       }},
      {"step unknown session", StatusCode::NOT_FOUND, "no session",
       [](auto* s) {
         return StepOnce(s, "ghost", std::vector<double>(10, 0));
       }},
      {"freeze unknown mechanism", StatusCode::INVALID_ARGUMENT, "\"ltp\"",
       [](auto* s) {
         grpc::ClientContext c;
         pb::FreezeRequest r;
         r.set_session("target");
         r.add_freeze("ltp");
         pb::SessionInfo i;
         return s->Freeze(&c, r, &i);
       }},
      {"import without header", StatusCode::INVALID_ARGUMENT, "header",
       [](auto* s) {
         grpc::ClientContext c;
         pb::SessionInfo info;
         auto writer = s->ImportState(&c, &info);
         pb::ImportStateRequest first;
         first.set_data("xyz");
         writer->Write(first);
         writer->WritesDone();
         return writer->Finish();
       }},
      {"import onto an existing name", StatusCode::ALREADY_EXISTS,
       "already exists",
       [](auto* s) {
         grpc::ClientContext c;
         pb::SessionInfo info;
         auto writer = s->ImportState(&c, &info);
         pb::ImportStateRequest first;
         first.mutable_header()->set_name("target");
         writer->Write(first);
         writer->WritesDone();
         return writer->Finish();
       }},
      {"import of garbage bytes", StatusCode::INVALID_ARGUMENT,
       "not a serialized NetworkState",
       [](auto* s) {
         return ImportStateBytes(s, "imported", "\xff\xff\xff garbage",
                                 kOneNativeMessage);
       }},
      {"import of a negative weight", StatusCode::INVALID_ARGUMENT,
       "Wee: weight",
       [&bad_state](auto* s) {
         return ImportStateBytes(s, "imported", bad_state.SerializeAsString(),
                                 kOneNativeMessage);
       }},
      {"import of a malformed reference state", StatusCode::INVALID_ARGUMENT,
       "Wee has 0 values",
       [&bad_reference](auto* s) {
         return ImportStateBytes(
             s, "imported", bad_reference.SerializeAsString(),
             {.format = pb::ImportStateRequest::Header::REFERENCE,
              .data_in_header = true});
       }},
      {"statistics of a neuron out of range", StatusCode::INVALID_ARGUMENT,
       "neuron 500",
       [](auto* s) {
         grpc::ClientContext c;
         pb::GetStatisticsRequest r;
         r.set_session("target");
         r.set_neuron(500);
         pb::Statistics st;
         return s->GetStatistics(&c, r, &st);
       }},
      {"fork onto an existing name", StatusCode::ALREADY_EXISTS,
       "already exists",
       [](auto* s) {
         grpc::ClientContext c;
         pb::ForkSessionRequest r;
         r.set_source("target");
         r.set_name("untouched");
         pb::SessionInfo i;
         return s->ForkSession(&c, r, &i);
       }},
      {"delete unknown session", StatusCode::NOT_FOUND, "no session",
       [](auto* s) {
         grpc::ClientContext c;
         pb::DeleteSessionRequest r;
         r.set_name("ghost");
         pb::DeleteSessionResponse d;
         return s->DeleteSession(&c, r, &d);
       }},
  };
  ASSERT_GE(cases.size(), 20u);
  for (const BadRequest& c : cases) {
    const grpc::Status s = c.call(stub.get());
    EXPECT_EQ(s.error_code(), c.code) << c.what << ": " << s.error_message();
    EXPECT_NE(s.error_message().find(c.message_part), std::string::npos)
        << c.what << ": \"" << s.error_message() << "\"";
  }

  // The server still serves, and no bad request changed a session.
  auto health = grpc::health::v1::Health::NewStub(server.channel());
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(health->Check(&ctx, {}, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(ExportStateBytes(stub.get(), "untouched"), untouched_before);
  EXPECT_EQ(ExportStateBytes(stub.get(), "target"), target_before);
}

}  // namespace
}  // namespace sorn
