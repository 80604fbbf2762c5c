// Every RPC's happy path, through the C++ stubs, against the real server.
#include <algorithm>
#include <cmath>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/api_calls.h"
#include "tests/support/packed_activity.h"
#include "tests/support/shared_server_test.h"
#include "tests/support/test_server.h"

namespace sorn {
namespace {

namespace pb = ::sorn::v1;

class RpcTest : public SharedServerTest {
 protected:
  pb::SessionInfo Create(const std::string& name, uint64_t seed = 1) {
    pb::SessionInfo info;
    grpc::Status s = CreateTestSession(stub_.get(), name, seed, {}, &info);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return info;
  }
  // Runs Simulate (or Train) and gathers every response; without `status`
  // the call must succeed.
  std::vector<pb::RunResponse> Run(const pb::RunRequest& req,
                                   bool train = false,
                                   grpc::Status* status = nullptr) {
    grpc::Status s;
    std::vector<pb::RunResponse> out = RunCall(stub_.get(), req, train, &s);
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return out;
  }
};

TEST_F(RpcTest, CreateGetListDelete) {
  pb::SessionInfo info = Create("alpha", 7);
  EXPECT_EQ(info.name(), "alpha");
  EXPECT_EQ(info.ne(), 200);
  EXPECT_EQ(info.ni(), 40);
  EXPECT_EQ(info.nu(), 10);
  EXPECT_EQ(info.seed(), 7u);
  EXPECT_EQ(info.step(), 0);
  EXPECT_EQ(info.ie_connections(), 8000);
  EXPECT_GE(info.ee_connections(), 3800);
  EXPECT_DOUBLE_EQ(info.params().h_ip(), 0.1);
  EXPECT_EQ(info.params().network_type_ie(), pb::DENSE);
  Create("beta");
  {
    grpc::ClientContext ctx;
    pb::GetSessionRequest req;
    req.set_name("alpha");
    pb::SessionInfo got;
    ASSERT_TRUE(stub_->GetSession(&ctx, req, &got).ok());
    EXPECT_EQ(got.ee_connections(), info.ee_connections());
  }
  {
    grpc::ClientContext ctx;
    pb::ListSessionsResponse list;
    ASSERT_TRUE(stub_->ListSessions(&ctx, {}, &list).ok());
    // Sorted by name; other tests' sessions may be listed too.
    std::vector<std::string> names;
    for (const pb::SessionInfo& s : list.sessions()) names.push_back(s.name());
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    EXPECT_NE(std::find(names.begin(), names.end(), "alpha"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "beta"), names.end());
  }
  {
    grpc::ClientContext ctx;
    pb::DeleteSessionRequest req;
    req.set_name("alpha");
    pb::DeleteSessionResponse resp;
    ASSERT_TRUE(stub_->DeleteSession(&ctx, req, &resp).ok());
    grpc::ClientContext ctx2;
    pb::GetSessionRequest get;
    get.set_name("alpha");
    pb::SessionInfo gone;
    EXPECT_EQ(stub_->GetSession(&ctx2, get, &gone).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
}

TEST_F(RpcTest, CustomParametersAreApplied) {
  grpc::ClientContext ctx;
  pb::CreateSessionRequest req;
  req.set_name("small");
  req.mutable_params()->set_ne(60);
  req.mutable_params()->set_nu(5);
  req.mutable_params()->set_eta_stdp(0.0);  // zero differs from unset.
  req.mutable_params()->set_network_type_ee(pb::DENSE);
  pb::SessionInfo info;
  ASSERT_TRUE(stub_->CreateSession(&ctx, req, &info).ok());
  EXPECT_EQ(info.ni(), 12);
  EXPECT_EQ(info.params().eta_stdp(), 0.0);
  EXPECT_EQ(info.ee_connections(), 60 * 59);
  EXPECT_DOUBLE_EQ(info.params().h_ip(), 2.0 * 5 / 60);
}

TEST_F(RpcTest, SimulateStreamsPackedActivityInBatches) {
  Create("sim");
  pb::RunRequest req;
  req.set_session("sim");
  req.set_timesteps(1000);
  req.set_steps_per_message(300);
  req.mutable_generated()->set_kind(pb::GeneratedInputs::UNIFORM);
  std::vector<pb::RunResponse> out = Run(req);
  ASSERT_EQ(out.size(), 4u);  // 300 + 300 + 300 + 100.
  int64_t steps = 0;
  double spikes = 0;
  for (const pb::RunResponse& r : out) {
    EXPECT_EQ(r.first_step(), steps);
    EXPECT_EQ(r.x().size(), size_t(r.steps()) * 25);  // 200 bits = 25 bytes.
    EXPECT_EQ(r.y().size(), size_t(r.steps()) * 5);
    EXPECT_EQ(r.ee_conn_size(), r.steps());
    for (const auto& step : Unpack(r.x(), r.steps(), 200)) {
      for (uint8_t v : step) spikes += v;
    }
    steps += r.steps();
  }
  EXPECT_EQ(steps, 1000);
  // A fresh network's x rate climbs towards h_ip = 0.1.
  EXPECT_GT(spikes / (1000.0 * 200), 0.02);
  EXPECT_LT(spikes / (1000.0 * 200), 0.2);
  grpc::ClientContext ctx;
  pb::GetSessionRequest get;
  get.set_name("sim");
  pb::SessionInfo info;
  ASSERT_TRUE(stub_->GetSession(&ctx, get, &info).ok());
  EXPECT_EQ(info.step(), 1000);
  EXPECT_EQ(info.recorded_steps(), 1000);
  EXPECT_NEAR(info.rate_x(), spikes / (1000.0 * 200), 1e-12);
}

TEST_F(RpcTest, TrainChangesNoWeightAndRecordsOnRequest) {
  Create("train");
  pb::RunRequest req;
  req.set_session("train");
  req.set_timesteps(50);
  req.mutable_generated()->set_kind(pb::GeneratedInputs::ONE_HOT);
  req.mutable_record()->set_x(false);
  req.mutable_record()->set_r(false);
  req.mutable_record()->set_thresholds(true);
  req.mutable_record()->set_weights_every(20);
  std::vector<pb::RunResponse> out = Run(req, /*train=*/true);
  ASSERT_EQ(out.size(), 1u);
  const pb::RunResponse& r = out[0];
  EXPECT_TRUE(r.x().empty());
  EXPECT_TRUE(r.r().empty());
  EXPECT_EQ(r.y().size(), 50u * 5);
  EXPECT_EQ(r.te_size(), 50 * 200);
  ASSERT_EQ(r.weights_size(), 3);  // after steps 20, 40 and the last, 50.
  EXPECT_EQ(r.weights(0).step(), 20);
  EXPECT_EQ(r.weights(2).step(), 50);
  // Training: thresholds and weights never change.
  for (int k = 0; k < 200; ++k) EXPECT_EQ(r.te(k), r.te(49 * 200 + k));
  EXPECT_EQ(r.weights(0).wee().value_size(), r.weights(2).wee().value_size());
  for (int k = 0; k < r.weights(0).wee().value_size(); ++k) {
    ASSERT_EQ(r.weights(0).wee().value(k), r.weights(2).wee().value(k));
  }
}

TEST_F(RpcTest, StepStreamAnswersEachInput) {
  Create("rl");
  grpc::ClientContext ctx;
  auto stream = stub_->Step(&ctx);
  for (int t = 0; t < 20; ++t) {
    pb::StepRequest req;
    if (t == 0) req.set_session("rl");
    for (int k = 0; k < 10; ++k) req.add_input(k == t % 10 ? 5.0 : 0.0);
    ASSERT_TRUE(stream->Write(req));
    pb::StepResponse resp;
    ASSERT_TRUE(stream->Read(&resp));
    EXPECT_EQ(resp.step(), t + 1);
    EXPECT_EQ(resp.x().size(), 25u);
    // Input 5 beats any threshold (<= 1) plus inhibition (a column sums to 1).
    EXPECT_EQ(Unpack(resp.x(), 1, 200)[0][t % 10], 1);
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(RpcTest, FreezeSetsAndClearsMechanisms) {
  Create("frz");
  grpc::ClientContext ctx;
  pb::FreezeRequest req;
  req.set_session("frz");
  req.add_freeze("stdp");
  req.add_freeze("ip");
  pb::SessionInfo info;
  ASSERT_TRUE(stub_->Freeze(&ctx, req, &info).ok());
  EXPECT_EQ(info.frozen_size(), 2);
  grpc::ClientContext ctx2;
  pb::FreezeRequest clear;
  clear.set_session("frz");
  clear.add_unfreeze("ip");
  ASSERT_TRUE(stub_->Freeze(&ctx2, clear, &info).ok());
  ASSERT_EQ(info.frozen_size(), 1);
  EXPECT_EQ(info.frozen(0), "stdp");
}

TEST_F(RpcTest, StatisticsOverRecordedActivity) {
  Create("stats");
  pb::RunRequest run;
  run.set_session("stats");
  run.set_timesteps(2000);
  run.mutable_generated()->set_kind(pb::GeneratedInputs::UNIFORM);
  Run(run);
  grpc::ClientContext ctx;
  pb::GetStatisticsRequest req;
  req.set_session("stats");
  req.set_last_steps(1000);
  req.set_neuron(3);
  req.set_bin_size(100);
  req.set_window_size(50);
  req.set_spike_times(true);
  pb::Statistics stats;
  ASSERT_TRUE(stub_->GetStatistics(&ctx, req, &stats).ok());
  EXPECT_EQ(stats.steps(), 1000);
  EXPECT_EQ(stats.neurons(), 200);
  ASSERT_EQ(stats.firing_rate_network_size(), 1000);
  EXPECT_EQ(stats.firing_rate_neuron_size(), 10);
  int64_t from_bins = 0;
  for (int64_t c : stats.firing_rate_neuron()) from_bins += c;
  EXPECT_EQ(from_bins, stats.spike_times(3).values_size());
  EXPECT_TRUE(stats.has_scale_dependent_smoothness());
  EXPECT_TRUE(stats.has_autocorrelation());
  EXPECT_TRUE(stats.has_mean_correlation());
  EXPECT_TRUE(stats.has_spike_source_entropy());
  EXPECT_GT(stats.spike_source_entropy(), 0.5);
  EXPECT_LE(stats.spike_source_entropy(), 1.0);
  EXPECT_EQ(stats.spike_times_size(), 200);
}

TEST_F(RpcTest, ExportImportForkContinueBitForBit) {
  Create("orig", 3);
  pb::RunRequest run;
  run.set_session("orig");
  run.set_timesteps(300);
  run.mutable_generated()->set_kind(pb::GeneratedInputs::UNIFORM);
  Run(run);
  // Export, import under another name, fork under a third.
  grpc::Status exported;
  const std::string bytes = ExportStateBytes(stub_.get(), "orig", &exported);
  ASSERT_TRUE(exported.ok());
  {
    grpc::ClientContext ctx;
    pb::SessionInfo info;
    auto writer = stub_->ImportState(&ctx, &info);
    pb::ImportStateRequest header;
    header.mutable_header()->set_name("copy");
    ASSERT_TRUE(writer->Write(header));
    for (size_t at = 0; at < bytes.size(); at += 1000) {
      pb::ImportStateRequest chunk;
      chunk.set_data(bytes.substr(at, 1000));
      ASSERT_TRUE(writer->Write(chunk));
    }
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(info.step(), 300);
  }
  {
    grpc::ClientContext ctx;
    pb::ForkSessionRequest req;
    req.set_source("orig");
    req.set_name("twin");
    pb::SessionInfo info;
    ASSERT_TRUE(stub_->ForkSession(&ctx, req, &info).ok());
    EXPECT_EQ(info.step(), 300);
  }
  // All three continue identically (noise and SP on).
  std::vector<std::string> xs;
  for (const char* name : {"orig", "copy", "twin"}) {
    run.set_session(name);
    std::string x;
    for (const pb::RunResponse& r : Run(run)) x += r.x();
    xs.push_back(x);
  }
  EXPECT_EQ(xs[0], xs[1]);
  EXPECT_EQ(xs[0], xs[2]);
  // A reseeded fork diverges.
  grpc::ClientContext ctx;
  pb::ForkSessionRequest req;
  req.set_source("orig");
  req.set_name("perturbed");
  req.set_reseed(99);
  pb::SessionInfo info;
  ASSERT_TRUE(stub_->ForkSession(&ctx, req, &info).ok());
  run.set_session("orig");
  std::string a;
  for (const pb::RunResponse& r : Run(run)) a += r.x();
  run.set_session("perturbed");
  std::string b;
  for (const pb::RunResponse& r : Run(run)) b += r.x();
  EXPECT_NE(a, b);
}

// A default network of ne = 10,000 (dense Wie: 20,000,000 synapses, a
// ~200 MB state) goes out and back in through the chunked transfer.
TEST_F(RpcTest, StateOfTenThousandNeuronsTransfers) {
  {
    grpc::ClientContext ctx;
    pb::CreateSessionRequest req;
    req.set_name("big");
    req.set_seed(5);
    req.mutable_params()->set_ne(10000);
    pb::SessionInfo info;
    ASSERT_TRUE(stub_->CreateSession(&ctx, req, &info).ok());
    EXPECT_EQ(info.ie_connections(), 20'000'000);
  }
  std::vector<std::string> chunks;
  int64_t total = 0;
  {
    grpc::ClientContext ctx;
    pb::ExportStateRequest req;
    req.set_session("big");
    auto reader = stub_->ExportState(&ctx, req);
    pb::StateChunk chunk;
    while (reader->Read(&chunk)) {
      EXPECT_LE(chunk.data().size(), 1u << 20);
      total += chunk.data().size();
      chunks.push_back(chunk.data());
    }
    ASSERT_TRUE(reader->Finish().ok());
    EXPECT_GT(total, 150'000'000);
    EXPECT_EQ(total, chunk.total_bytes());
  }
  {
    grpc::ClientContext ctx;
    pb::SessionInfo info;
    auto writer = stub_->ImportState(&ctx, &info);
    pb::ImportStateRequest header;
    header.mutable_header()->set_name("big-copy");
    ASSERT_TRUE(writer->Write(header));
    for (std::string& data : chunks) {
      pb::ImportStateRequest message;
      message.set_data(std::move(data));
      ASSERT_TRUE(writer->Write(message));
    }
    writer->WritesDone();
    const grpc::Status s = writer->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(info.ne(), 10000);
    EXPECT_EQ(info.ie_connections(), 20'000'000);
  }
  pb::RunRequest run;
  run.set_timesteps(20);
  run.mutable_generated()->set_kind(pb::GeneratedInputs::UNIFORM);
  std::string a, b;
  run.set_session("big");
  for (const pb::RunResponse& r : Run(run)) a += r.x();
  run.set_session("big-copy");
  for (const pb::RunResponse& r : Run(run)) b += r.x();
  EXPECT_EQ(a.size(), 20u * 1250);
  EXPECT_EQ(a, b);
  for (const char* name : {"big", "big-copy"}) {  // free the memory.
    grpc::ClientContext ctx;
    pb::DeleteSessionRequest req;
    req.set_name(name);
    pb::DeleteSessionResponse resp;
    EXPECT_TRUE(stub_->DeleteSession(&ctx, req, &resp).ok());
  }
}

TEST_F(RpcTest, HealthAndReflectionAreServed) {
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  auto health = grpc::health::v1::Health::NewStub(server_->channel());
  ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  namespace rf = grpc::reflection::v1alpha;
  auto reflection = rf::ServerReflection::NewStub(server_->channel());
  grpc::ClientContext rctx;
  auto stream = reflection->ServerReflectionInfo(&rctx);
  rf::ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  rf::ServerReflectionResponse listed;
  ASSERT_TRUE(stream->Read(&listed));
  std::vector<std::string> names;
  for (const auto& s : listed.list_services_response().service()) {
    names.push_back(s.name());
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "sorn.v1.Sorn"), names.end());
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

}  // namespace
}  // namespace sorn

namespace sorn {
namespace {

// Every response names the replica that served it (x-sorn-replica initial
// metadata), unary and streaming, errors included; a proxy's clients see
// which replica holds a session.
TEST(ReplicaTest, EveryResponseNamesTheReplica) {
  TestServer server({"--replica_id=replica-7"});
  ASSERT_TRUE(server.ok());
  EXPECT_NE(server.banner().find("replica replica-7)"), std::string::npos);
  auto stub = server.NewStub();
  auto replica_of = [](const grpc::ClientContext& ctx) {
    const auto& md = ctx.GetServerInitialMetadata();
    auto it = md.find("x-sorn-replica");
    return it == md.end() ? std::string("(none)")
                          : std::string(it->second.data(), it->second.size());
  };
  {
    grpc::ClientContext ctx;
    v1::CreateSessionRequest req;
    req.set_name("where");
    req.mutable_params()->set_ne(50);
    v1::SessionInfo info;
    ASSERT_TRUE(stub->CreateSession(&ctx, req, &info).ok());
    EXPECT_EQ(replica_of(ctx), "replica-7");
  }
  {
    grpc::ClientContext ctx;
    v1::GetSessionRequest req;
    req.set_name("nowhere");
    v1::SessionInfo info;
    EXPECT_EQ(stub->GetSession(&ctx, req, &info).error_code(),
              grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(replica_of(ctx), "replica-7");
  }
  {
    grpc::ClientContext ctx;
    auto reader = stub->Simulate(&ctx, UniformRun("where", 10, 1));
    v1::RunResponse r;
    while (reader->Read(&r)) {
    }
    ASSERT_TRUE(reader->Finish().ok());
    EXPECT_EQ(replica_of(ctx), "replica-7");
  }
}

}  // namespace
}  // namespace sorn
