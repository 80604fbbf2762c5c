// sornctl's command line: the parsed words and flags, and the helpers the
// commands read flags with (integers, comma lists, SORN parameters). A bad
// flag value is a Usage() status, which sornctl reports with exit code 64.
#ifndef SORN_CLIENT_CPP_SORNCTL_ARGS_H_
#define SORN_CLIENT_CPP_SORNCTL_ARGS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sorn/v1/sorn.pb.h"

namespace sorn::ctl {

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // --key=value; --flag -> "".
  bool Has(const std::string& key) const { return options.count(key) > 0; }
  std::string Get(const std::string& key,
                  const std::string& fallback = "") const {
    auto it = options.find(key);
    return it == options.end() ? fallback : it->second;
  }
};

// argv[1..]: every "--key=value" and "--flag" into options (a later one
// wins), the first other word into *command, the other words into positional.
Args ParseArgs(int argc, char** argv, std::string* command);

// A usage error: the message "usage: " + message.
absl::Status Usage(const std::string& message);
// A local file's error, told apart from the server's (whose gRPC codes are
// sornctl's other exit codes): a file that cannot be read exits 66
// (EX_NOINPUT), one whose content is malformed 65 (EX_DATAERR), one that
// cannot be written 73 (EX_CANTCREAT). OK stays OK.
absl::Status InputFile(const absl::Status& status);
absl::Status OutputFile(const absl::Status& status);
// The exit code of a status made by Usage, InputFile or OutputFile, else -1.
int LocalExitCode(const absl::Status& status);

// --key as an integer; `fallback` when there is no --key.
absl::StatusOr<int64_t> Int(const Args& args, const std::string& key,
                            int64_t fallback);

// "a,b,,c" -> {"a", "b", "c"}.
std::vector<std::string> List(const std::string& csv);

// --ne=100 --eta_stdp=0.01 --network_type_ee=Dense ... into Params; options
// that name no Params field are skipped.
absl::Status SetParams(const Args& args, v1::Params* params);

}  // namespace sorn::ctl

#endif  // SORN_CLIENT_CPP_SORNCTL_ARGS_H_
