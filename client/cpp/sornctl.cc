// sornctl: sorn-server from the command line.
//
//   sornctl [--address=HOST:PORT] [--token=TOKEN]
//           [--tls | --tls_ca=PEM] [--tls_cert=PEM --tls_key=PEM]
//           COMMAND [ARGS] [--OPTIONS]
//
// The address defaults to $SORN_SERVER_ADDRESS, else 127.0.0.1:50051; the
// token to $SORN_TOKEN; the TLS files to $SORN_TLS_CA, $SORN_TLS_CERT and
// $SORN_TLS_KEY (--tls alone: TLS with the system's roots). `sornctl COMMAND
// --help` describes a command. The exit code is 0 on success, 64 (EX_USAGE)
// for a usage error (an unknown command or option, a missing argument, a bad
// value), and otherwise the gRPC status code, with the server's message on
// stderr.
//
// This file is main: the command looked up, its usage checked, the client
// connected and the exit code. The flags are parsed in sornctl_args.cc, the
// commands are in sornctl_commands.cc (simulate and train in sornctl_run.cc)
// and what they print in sornctl_output.cc.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/cpp/sorn_client.h"
#include "client/cpp/sornctl_args.h"
#include "client/cpp/sornctl_commands.h"

namespace sorn::ctl {
namespace {

// sysexits.h's EX_USAGE: not a gRPC code (2 is UNKNOWN).
constexpr int kUsageExit = 64;

// Options every command takes.
constexpr const char* kGlobalOptions[] = {
    "address", "token", "tls", "tls_ca", "tls_cert", "tls_key", "help"};

// Usage error for the first option the command does not read (a typo such
// as --nee=3 would otherwise run with the default).
absl::Status CheckOptions(const Command& command, const Args& args) {
  const std::vector<std::string> own =
      absl::StrSplit(command.options, ' ', absl::SkipEmpty());
  const bool params = absl::c_linear_search(own, "PARAMS");
  for (const auto& [key, value] : args.options) {
    if (absl::c_linear_search(kGlobalOptions, key) ||
        absl::c_linear_search(own, key) ||
        (params && v1::Params::descriptor()->FindFieldByName(key) != nullptr)) {
      continue;
    }
    return Usage(absl::StrCat("unknown option --", key, " (sornctl ",
                              command.name, " --help lists its options)"));
  }
  return absl::OkStatus();
}

void PrintUsage(FILE* out) {
  std::fprintf(
      out,
      "usage: sornctl [--address=HOST:PORT] [--token=TOKEN] [--tls_ca=PEM] "
      "[--tls_cert=PEM --tls_key=PEM] COMMAND "
      "[ARGS]\ncommands:\n");
  for (const Command& command : Commands())
    std::fprintf(out, "  %s\n", command.usage);
}

// --flag, else $env, else `fallback`.
std::string FlagOrEnv(const Args& args, const char* flag, const char* env,
                      const char* fallback) {
  const char* value = std::getenv(env);
  return args.Get(flag, value != nullptr ? value : fallback);
}

// The channel's credentials: TLS if a TLS flag (or variable) is set, else
// null (plaintext).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials(
    const Args& args) {
  const std::string tls_ca = FlagOrEnv(args, "tls_ca", "SORN_TLS_CA", "");
  const std::string tls_cert = FlagOrEnv(args, "tls_cert", "SORN_TLS_CERT", "");
  const std::string tls_key = FlagOrEnv(args, "tls_key", "SORN_TLS_KEY", "");
  if (tls_ca.empty() && tls_cert.empty() && tls_key.empty() &&
      !args.Has("tls")) {
    return std::shared_ptr<grpc::ChannelCredentials>();
  }
  return client::TlsCredentials(tls_ca, tls_cert, tls_key);
}

// The exit code of the command's status, with the error on stderr.
int ExitCode(const std::string& command, const absl::Status& s) {
  if (s.ok()) return 0;
  if (const int local = LocalExitCode(s); local >= 0) {
    std::fprintf(stderr, "sornctl %s: %s\n", command.c_str(),
                 std::string(s.message()).c_str());
    return local;
  }
  std::fprintf(stderr, "sornctl: %s: %s\n",
               absl::StatusCodeToString(s.code()).c_str(),
               std::string(s.message()).c_str());
  return static_cast<int>(s.code());
}

int Main(int argc, char** argv) {
  std::string name;
  const Args args = ParseArgs(argc, argv, &name);
  if (name.empty()) {
    PrintUsage(args.Has("help") ? stdout : stderr);
    return args.Has("help") ? 0 : kUsageExit;
  }
  const Command* command = FindCommand(name);
  if (command == nullptr) {
    std::fprintf(stderr, "sornctl: unknown command \"%s\"\n", name.c_str());
    PrintUsage(stderr);
    return kUsageExit;
  }
  if (args.Has("help")) {
    std::printf("usage: sornctl [--address=HOST:PORT] [--token=TOKEN] %s\n",
                command->usage);
    return 0;
  }
  if (int(args.positional.size()) != command->positional) {
    std::fprintf(stderr, "usage: sornctl %s\n", command->usage);
    return kUsageExit;
  }
  if (absl::Status s = CheckOptions(*command, args); !s.ok()) {
    return ExitCode(name, s);
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      Credentials(args);
  if (!credentials.ok()) {
    std::fprintf(stderr, "sornctl: %s\n",
                 std::string(credentials.status().message()).c_str());
    return kUsageExit;
  }
  client::SornClient client(
      FlagOrEnv(args, "address", "SORN_SERVER_ADDRESS", "127.0.0.1:50051"),
      FlagOrEnv(args, "token", "SORN_TOKEN", ""), *credentials);
  return ExitCode(name, command->run(client, args));
}

}  // namespace
}  // namespace sorn::ctl

int main(int argc, char** argv) { return sorn::ctl::Main(argc, argv); }
