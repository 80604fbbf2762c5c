#include "server/sessions/session_name.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sorn::server {

absl::Status ValidateSessionName(std::string_view name) {
  if (name.empty() || name.size() > kMaxSessionNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("session name must have 1 to ", kMaxSessionNameLength,
                     " characters, got ", name.size()));
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '.' && c != '-') {
      return absl::InvalidArgumentError(
          absl::StrCat("session name \"", std::string(name.substr(0, 80)),
                       "\" may only contain A-Z a-z 0-9 _ . -"));
    }
  }
  if (name == "." || name == "..") {
    return absl::InvalidArgumentError(
        "session name may not be \".\" or \"..\"");
  }
  return absl::OkStatus();
}

}  // namespace sorn::server
