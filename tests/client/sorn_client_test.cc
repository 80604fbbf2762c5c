// The C++ client library against the real server, and its .npz files.
#include "client/cpp/sorn_client.h"

#include <cstdio>
#include <filesystem>

#include "client/cpp/npz_file.h"
#include "core/npy_file.h"
#include "gtest/gtest.h"
#include "tests/support/test_server.h"

namespace sorn::client {

namespace pb = ::sorn::v1;
namespace {

TEST(SornClientTest, EveryCallThroughTheLibrary) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  SornClient client(server.address());
  ASSERT_TRUE(client.Health().ok());
  pb::CreateSessionRequest create;
  create.set_name("lib");
  create.set_seed(2);
  create.mutable_params()->set_ne(80);
  create.mutable_params()->set_nu(4);
  absl::StatusOr<pb::SessionInfo> info = client.Create(create);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->ni(), 16);
  EXPECT_EQ(client.Create(create).status().code(),
            absl::StatusCode::kAlreadyExists);

  pb::RunRequest run;
  run.set_session("lib");
  run.set_timesteps(400);
  run.mutable_generated()->set_kind(pb::GeneratedInputs::UNIFORM);
  int64_t steps = 0;
  ASSERT_TRUE(client
                  .Run(run, false,
                       [&](const pb::RunResponse& r) { steps += r.steps(); })
                  .ok());
  EXPECT_EQ(steps, 400);
  EXPECT_EQ(client.Get("lib")->step(), 400);

  pb::FreezeRequest freeze;
  freeze.set_session("lib");
  freeze.add_freeze("sp");
  EXPECT_EQ(client.Freeze(freeze)->frozen_size(), 1);
  pb::GetStatisticsRequest stats;
  stats.set_session("lib");
  EXPECT_EQ(client.Statistics(stats)->steps(), 400);
  pb::FitReadoutRequest fit;
  fit.set_session("lib");
  fit.set_readout("parity");
  for (int t = 0; t < 100; ++t) fit.mutable_labels()->add_labels(t % 2);
  absl::StatusOr<pb::FitReadoutResponse> fitted = client.FitReadout(fit);
  ASSERT_TRUE(fitted.ok()) << fitted.status();
  EXPECT_EQ(fitted->readout().fitted_steps(), 100);
  fit.mutable_labels()->set_labels(0, -1);
  EXPECT_EQ(client.FitReadout(fit).status().code(),
            absl::StatusCode::kInvalidArgument);

  absl::StatusOr<std::string> state = client.Export("lib");
  ASSERT_TRUE(state.ok());
  pb::ImportStateRequest::Header header;
  header.set_name("lib-copy");
  EXPECT_EQ(client.Import(header, *state)->step(), 400);
  pb::ForkSessionRequest fork;
  fork.set_source("lib");
  fork.set_name("lib-fork");
  EXPECT_TRUE(client.Fork(fork).ok());
  EXPECT_EQ(client.List()->size(), 3u);
  EXPECT_TRUE(client.Delete("lib-fork").ok());
  EXPECT_EQ(client.Get("lib-fork").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(NpzFileTest, RoundTripsArraysAndBytes) {
  NpyArray a;
  a.shape = {2, 2};
  a.data = {1, 2, 3, 4};
  const std::string raw("\x01\x02\x00\x7f", 4);  // bytes, a 0 among them.
  NpzEntries entries = {{"A", SerializeNpy(a)},
                        {"raw", SerializeNpyBytes(raw)}};
  const std::string path =
      (std::filesystem::temp_directory_path() / "sorn_npz_test.npz").string();
  ASSERT_TRUE(WriteNpz(path, entries).ok());
  absl::StatusOr<NpzEntries> back = ReadNpz(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, entries);
  EXPECT_EQ(ParseNpy(back->at("A"))->data, a.data);
  EXPECT_EQ(ParseNpyRaw(back->at("raw"))->data, raw);
  std::remove(path.c_str());
  EXPECT_FALSE(ReadNpz("/nonexistent.npz").ok());
}

}  // namespace
}  // namespace sorn::client
