// TestServer: starts a real sorn-server binary (or another program that
// prints the same banner) on a free loopback port for a test, and stops it
// afterwards. The server picks the port (--port=0) and prints it; nothing
// here guesses a free one.
#ifndef SORN_TESTS_SUPPORT_TEST_SERVER_H_
#define SORN_TESTS_SUPPORT_TEST_SERVER_H_

#include <sys/types.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "sorn/v1/sorn.grpc.pb.h"

namespace sorn {

// The server binary tests start: $SORN_SERVER when set (tests/
// run_sanitizers.sh: the ThreadSanitizer build), else the build's
// sorn-server.
std::string DefaultServerBinary();

// How a test reaches its server.
struct TestServerOptions {
  // The server's stderr (its per-call log lines) goes here; empty: inherited.
  std::string stderr_path;
  // Channel credentials of channel() and NewStub(); null: plaintext.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Host the channel dials (a TLS certificate names it).
  std::string host = "127.0.0.1";
  // The program to start; empty: DefaultServerBinary().
  // (bench/service_bench starts its echo server this way.)
  std::string binary;
};

// Starts the program with --port=0 and `flags` and waits for its
// "listening on 127.0.0.1:PORT" line; ok() says whether it came.
class TestServer {
 public:
  explicit TestServer(std::vector<std::string> flags = {},
                      TestServerOptions options = {});
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  ~TestServer();

  // SIGTERM, then waits; returns the exit status (-1 if not running).
  int Stop();
  // SIGKILL: the process dies at once, as in a crash.
  void Kill9();

  pid_t pid() const { return pid_; }
  bool ok() const { return pid_ > 0 && port_ > 0; }
  int port() const { return port_; }
  // The server's "sorn-server listening on ..." line.
  const std::string& banner() const { return banner_; }
  // 0 unless started with --metrics_port.
  int metrics_port() const { return metrics_port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // The channel the server was reached on first (null once stopped).
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // A new channel (its own connection) to the server.
  std::shared_ptr<grpc::Channel> NewChannel() const;
  // A stub on channel().
  std::unique_ptr<v1::Sorn::Stub> NewStub() const;

 private:
  // Closes the server's stdout and forgets the process, once it has ended.
  void Reaped();

  TestServerOptions options_;
  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  std::string banner_;
  FILE* stdout_ = nullptr;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace sorn

#endif  // SORN_TESTS_SUPPORT_TEST_SERVER_H_
