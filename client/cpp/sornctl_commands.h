// sornctl's commands: the table of every command's name, usage line,
// positional argument count and the function that runs it.
#ifndef SORN_CLIENT_CPP_SORNCTL_COMMANDS_H_
#define SORN_CLIENT_CPP_SORNCTL_COMMANDS_H_

#include <span>
#include <string>

#include "absl/status/status.h"
#include "client/cpp/sorn_client.h"
#include "client/cpp/sornctl_args.h"

namespace sorn::ctl {

struct Command {
  const char* name;
  const char* usage;  // the line `sornctl --help` shows.
  int positional;     // required positional arguments.
  // The --options it reads, space-separated; "PARAMS": any SORN parameter
  // (a Params field). Any other option is a usage error.
  const char* options;
  // Runs the command; args.positional has `positional` words.
  absl::Status (*run)(client::SornClient& client, const Args& args);
};

// Every command, sorted by name.
std::span<const Command> Commands();

// The command called `name`, or null.
const Command* FindCommand(const std::string& name);

}  // namespace sorn::ctl

#endif  // SORN_CLIENT_CPP_SORNCTL_COMMANDS_H_
