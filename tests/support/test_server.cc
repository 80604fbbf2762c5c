// TestServer (test_server.h): posix_spawn of the server with its stdout on a
// pipe, read until the banner names the port.
#include "tests/support/test_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

extern char** environ;

namespace sorn {

std::string DefaultServerBinary() {
  const char* env_binary = std::getenv("SORN_SERVER");
  return env_binary != nullptr && *env_binary ? env_binary : SORN_SERVER_PATH;
}

TestServer::TestServer(std::vector<std::string> flags,
                       TestServerOptions options)
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
  const std::string binary =
      !options_.binary.empty() ? options_.binary : DefaultServerBinary();
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

TestServer::~TestServer() { Stop(); }

std::shared_ptr<grpc::Channel> TestServer::NewChannel() const {
  return grpc::CreateChannel(options_.host + ":" + std::to_string(port_),
                             options_.credentials != nullptr
                                 ? options_.credentials
                                 : grpc::InsecureChannelCredentials());
}

std::unique_ptr<v1::Sorn::Stub> TestServer::NewStub() const {
  return v1::Sorn::NewStub(channel_);
}

int TestServer::Stop() {
  if (pid_ <= 0) return -1;
  channel_.reset();  // an open connection slows the server's shutdown.
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  Reaped();
  return status;
}

void TestServer::Kill9() {
  if (pid_ <= 0) return;
  channel_.reset();
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  Reaped();
}

void TestServer::Reaped() {
  pid_ = -1;
  if (stdout_ != nullptr) fclose(stdout_);
  stdout_ = nullptr;
}

}  // namespace sorn
