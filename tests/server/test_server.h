// TestServer: starts the real sorn-server binary on a free loopback port for
// a test and stops it afterwards; SharedServerTest, a suite sharing one; and
// helpers to create sessions, run calls and decode the API's packed bits.
#ifndef SORN_TESTS_SERVER_TEST_SERVER_H_
#define SORN_TESTS_SERVER_TEST_SERVER_H_

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "sorn/v1/sorn.grpc.pb.h"

extern char** environ;

namespace sorn {

// How much slower the server under test may be than a release build:
// $SORN_TEST_TIME_SCALE (tests/run_sanitizers.sh sets it for the
// ThreadSanitizer server), else 1. Time bounds in tests are multiplied by it.
inline double TimeScale() {
  const char* scale = std::getenv("SORN_TEST_TIME_SCALE");
  return scale != nullptr && std::atof(scale) >= 1 ? std::atof(scale) : 1.0;
}

// True when $SORN_SERVER_SANITIZER names a sanitizer the server was built
// with; its memory then includes shadow memory and is not measured.
inline bool ServerIsSanitized() {
  const char* sanitizer = std::getenv("SORN_SERVER_SANITIZER");
  return sanitizer != nullptr && *sanitizer != '\0';
}

// How a test reaches its server.
struct TestServerOptions {
  // The server's stderr (its per-call log lines) goes here; empty: inherited.
  std::string stderr_path;
  // Channel credentials of channel() and NewStub(); null: plaintext.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Host the channel dials (a TLS certificate names it).
  std::string host = "127.0.0.1";
  // The program to start; empty: $SORN_SERVER, else the build's sorn-server.
  // (bench/service_bench starts its echo server this way.)
  std::string binary;
};

class TestServer {
 public:
  explicit TestServer(std::vector<std::string> flags = {},
                      TestServerOptions options = {})
      : options_(std::move(options)) {
    int out[2];
    if (pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    if (!options_.stderr_path.empty()) {
      posix_spawn_file_actions_addopen(&actions, STDERR_FILENO,
                                       options_.stderr_path.c_str(),
                                       O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
    // $SORN_SERVER runs these tests against another build of the server
    // (tests/run_sanitizers.sh: the ThreadSanitizer one).
    const char* env_binary = std::getenv("SORN_SERVER");
    const std::string binary = !options_.binary.empty() ? options_.binary
                               : env_binary != nullptr && *env_binary
                                   ? env_binary
                                   : SORN_SERVER_PATH;
    std::vector<std::string> args = {binary, "--port=0"};
    args.insert(args.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(),
                    environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    // Wait for "sorn-server listening on 127.0.0.1:PORT ...".
    FILE* f = fdopen(out[0], "r");
    char line[512] = {0};
    while (f != nullptr && fgets(line, sizeof(line), f) != nullptr) {
      const std::string s(line);
      const size_t metrics = s.find("metrics on 127.0.0.1:");
      if (metrics != std::string::npos) {
        metrics_port_ = std::stoi(s.substr(metrics + 21));
      }
      const size_t at = s.find("listening on 127.0.0.1:");
      if (at != std::string::npos) {
        banner_ = s;
        port_ = std::stoi(s.substr(at + 23));
        break;
      }
    }
    stdout_ = f;
    channel_ = NewChannel();
  }
  // A new channel (its own connection) to the server.
  std::shared_ptr<grpc::Channel> NewChannel() const {
    return grpc::CreateChannel(options_.host + ":" + std::to_string(port_),
                               options_.credentials != nullptr
                                   ? options_.credentials
                                   : grpc::InsecureChannelCredentials());
  }
  ~TestServer() { Stop(); }

  // SIGTERM, then waits; returns the exit status.
  int Stop() {
    if (pid_ <= 0) return -1;
    channel_.reset();  // an open connection slows the server's shutdown.
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (stdout_ != nullptr) fclose(stdout_);
    stdout_ = nullptr;
    return status;
  }
  // SIGKILL: the process dies at once, as in a crash.
  void Kill9() {
    if (pid_ <= 0) return;
    channel_.reset();
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    if (stdout_ != nullptr) fclose(stdout_);
    stdout_ = nullptr;
  }
  pid_t pid() const { return pid_; }
  bool ok() const { return pid_ > 0 && port_ > 0; }
  int port() const { return port_; }
  // The server's "sorn-server listening on ..." line.
  const std::string& banner() const { return banner_; }
  // 0 unless started with --metrics_port.
  int metrics_port() const { return metrics_port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  std::unique_ptr<v1::Sorn::Stub> NewStub() const {
    return v1::Sorn::NewStub(channel_);
  }

 private:
  TestServerOptions options_;
  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  std::string banner_;
  FILE* stdout_ = nullptr;
  std::shared_ptr<grpc::Channel> channel_;
};

// Unpacks `steps` x `n` bits of the API's packed activity.
inline std::vector<std::vector<uint8_t>> Unpack(const std::string& packed,
                                                int steps, int n) {
  const size_t bytes = (size_t(n) + 7) / 8;
  std::vector<std::vector<uint8_t>> out(steps, std::vector<uint8_t>(n));
  for (int t = 0; t < steps; ++t) {
    for (int i = 0; i < n; ++i) {
      out[t][i] = (uint8_t(packed[t * bytes + i / 8]) >> (i % 8)) & 1;
    }
  }
  return out;
}

// Creates session `name` from `seed` with default parameters, unless `edit`
// changes the request; the call's status, and the session in *info if given.
inline grpc::Status CreateTestSession(
    v1::Sorn::Stub* stub, const std::string& name, uint64_t seed = 1,
    const std::function<void(v1::CreateSessionRequest&)>& edit = {},
    v1::SessionInfo* info = nullptr) {
  grpc::ClientContext ctx;
  v1::CreateSessionRequest req;
  req.set_name(name);
  req.set_seed(seed);
  if (edit) edit(req);
  v1::SessionInfo ignored;
  return stub->CreateSession(&ctx, req, info != nullptr ? info : &ignored);
}

// The serialized state of a session, gathered from ExportState's chunks.
inline std::string ExportStateBytes(v1::Sorn::Stub* stub,
                                    const std::string& session,
                                    grpc::Status* status = nullptr) {
  grpc::ClientContext ctx;
  v1::ExportStateRequest req;
  req.set_session(session);
  auto reader = stub->ExportState(&ctx, req);
  std::string bytes;
  v1::StateChunk chunk;
  while (reader->Read(&chunk)) bytes += chunk.data();
  const grpc::Status s = reader->Finish();
  if (status != nullptr) *status = s;
  return bytes;
}

// Every response of a Simulate (or, with `train`, Train) call.
inline std::vector<v1::RunResponse> RunCall(v1::Sorn::Stub* stub,
                                            const v1::RunRequest& req,
                                            bool train, grpc::Status* status) {
  grpc::ClientContext ctx;
  auto reader = train ? stub->Train(&ctx, req) : stub->Simulate(&ctx, req);
  std::vector<v1::RunResponse> out;
  v1::RunResponse r;
  while (reader->Read(&r)) out.push_back(r);
  *status = reader->Finish();
  return out;
}

// A run on inputs U(0, 1) generated on the server from `seed`.
inline v1::RunRequest UniformRun(const std::string& session, int64_t steps,
                                 uint64_t seed) {
  v1::RunRequest req;
  req.set_session(session);
  req.set_timesteps(steps);
  req.mutable_generated()->set_kind(v1::GeneratedInputs::UNIFORM);
  req.mutable_generated()->set_seed(seed);
  return req;
}

// A suite whose tests share one default server, reached through stub_
// (starting and stopping gRPC costs about a second each time); its tests use
// distinct session names. Suites run one after another, so one slot serves
// every suite derived from it.
class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(server_->ok()) << "sorn-server did not start";
    stub_ = server_->NewStub();
  }

  inline static TestServer* server_ = nullptr;
  std::unique_ptr<v1::Sorn::Stub> stub_;
};

// All packed x bits of a Simulate call, which must succeed.
inline std::string SimulateX(v1::Sorn::Stub* stub, const v1::RunRequest& req) {
  grpc::Status status;
  std::string x;
  for (const v1::RunResponse& r : RunCall(stub, req, false, &status))
    x += r.x();
  EXPECT_TRUE(status.ok()) << status.error_message();
  return x;
}

}  // namespace sorn

#endif  // SORN_TESTS_SERVER_TEST_SERVER_H_
