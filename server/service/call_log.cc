#include "server/service/call_log.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sorn::server {
namespace {

// A JSON string literal. Names are validated elsewhere, but a call may fail
// because its name was malformed, so anything can arrive here.
std::string Quoted(absl::string_view s, size_t limit = 200) {
  std::string out = "\"";
  for (char c : s.substr(0, limit)) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      out += absl::StrFormat("\\u%04x", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string FormatCallLogLine(const CallRecord& call,
                              const absl::Status& status, double seconds) {
  std::string line = absl::StrCat(
      "{\"rpc\":", Quoted(call.method), ",\"session\":", Quoted(call.session),
      ",\"tenant\":", Quoted(call.tenant),
      ",\"code\":", Quoted(absl::StatusCodeToString(status.code())),
      absl::StrFormat(",\"duration_ms\":%.3f", seconds * 1e3),
      ",\"steps\":", call.steps, ",\"bytes_out\":", call.bytes_out,
      ",\"peer\":", Quoted(call.peer));
  if (!status.ok())
    absl::StrAppend(&line, ",\"error\":", Quoted(status.message()));
  return line + "}";
}

}  // namespace sorn::server
