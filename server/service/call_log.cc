#include "server/service/call_log.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sorn::server {
namespace {

// The length of the valid UTF-8 sequence at the start of `s`, or 0 if it
// does not start with one (RFC 3629: no overlong forms, no surrogates, at
// most U+10FFFF).
size_t Utf8Length(absl::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b = byte(0);
  size_t n = 0;
  unsigned char low = 0x80, high = 0xbf;  // the second byte's range.
  if (b >= 0xc2 && b <= 0xdf) {
    n = 2;
  } else if (b >= 0xe0 && b <= 0xef) {
    n = 3;
    if (b == 0xe0) low = 0xa0;
    if (b == 0xed) high = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    n = 4;
    if (b == 0xf0) low = 0x90;
    if (b == 0xf4) high = 0x8f;
  }
  if (n == 0 || s.size() < n || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return n;
}

// A JSON string literal of at most `limit` characters. Names are validated
// elsewhere, but a call may fail because its name was malformed, so anything
// can arrive here: UTF-8 is kept as it is (log readers show it), control
// characters are escaped, and bytes that are not UTF-8 become U+FFFD.
std::string Quoted(absl::string_view s, size_t limit = 200) {
  std::string out = "\"";
  size_t i = 0;
  for (size_t characters = 0; i < s.size() && characters < limit;
       ++characters) {
    const char c = s[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += absl::StrFormat("\\u%04x", u);
    } else if (u < 0x80) {
      out += c;
    } else if (const size_t n = Utf8Length(s.substr(i)); n > 0) {
      out.append(s.data() + i, n);
      i += n;
      continue;
    } else {
      out += "\\ufffd";
    }
    ++i;
  }
  return out + "\"";
}

}  // namespace

std::string FormatCallLogLine(const CallRecord& call,
                              const absl::Status& status, double seconds,
                              absl::Time end) {
  std::string line = absl::StrCat(
      "{\"time\":\"",
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", end, absl::UTCTimeZone()),
      "\",\"rpc\":", Quoted(call.method), ",\"session\":", Quoted(call.session),
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
