// Readouts across a crash: with --data_dir a fitted readout is on disk when
// FitReadout returns, and after kill -9 and a restart the session has it,
// unchanged.
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/api_calls.h"
#include "tests/support/test_files.h"
#include "tests/support/test_server.h"

namespace sorn {
namespace {

namespace pb = ::sorn::v1;
namespace fs = std::filesystem;

// With --data_dir a fitted readout is on disk when FitReadout returns: after
// kill -9 and a restart it is there and scores like before.
TEST(ReadoutDurabilityTest, SurvivesKillNine) {
  const fs::path dir = FreshTestDir("readout");
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
