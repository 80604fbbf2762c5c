// FormatCallLogLine in process: the exact JSON line of a call that
// succeeded and of one that failed, and the escaping of what a caller
// controls (peer, session, tenant, the error message): quotes, backslashes,
// control and non-ASCII bytes, and the 200-character cut.
#include "server/service/call_log.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sorn::server {
namespace {

CallRecord Simulate() {
  CallRecord call;
  call.method = "Simulate";
  call.session = "a";
  call.tenant = "alice";
  call.peer = "ipv4:127.0.0.1:5432";
  call.steps = 1000;
  call.bytes_out = 81234;
  return call;
}

TEST(CallLogTest, AnOkCallIsOneLineWithEveryFieldAndNoError) {
  EXPECT_EQ(FormatCallLogLine(Simulate(), absl::OkStatus(), 0.0125),
            "{\"rpc\":\"Simulate\",\"session\":\"a\",\"tenant\":\"alice\","
            "\"code\":\"OK\",\"duration_ms\":12.500,\"steps\":1000,"
            "\"bytes_out\":81234,\"peer\":\"ipv4:127.0.0.1:5432\"}");
}

TEST(CallLogTest, AFailedCallNamesItsCodeAndEndsWithTheError) {
  CallRecord call;
  call.method = "GetSession";
  call.session = "b";
  call.peer = "ipv6:[::1]:40000";
  EXPECT_EQ(FormatCallLogLine(call, absl::NotFoundError("no session \"b\""),
                              0.0004567),
            "{\"rpc\":\"GetSession\",\"session\":\"b\",\"tenant\":\"\","
            "\"code\":\"NOT_FOUND\",\"duration_ms\":0.457,\"steps\":0,"
            "\"bytes_out\":0,\"peer\":\"ipv6:[::1]:40000\","
            "\"error\":\"no session \\\"b\\\"\"}");
}

TEST(CallLogTest, AFailureWithoutAMessageStillHasAnEmptyErrorField) {
  const std::string line = FormatCallLogLine(
      Simulate(), absl::Status(absl::StatusCode::kInternal, ""), 0);
  EXPECT_NE(line.find("\"code\":\"INTERNAL\",\"duration_ms\":0.000,"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.substr(line.size() - 12), ",\"error\":\"\"}") << line;
}

TEST(CallLogTest, QuotesBackslashesAndControlBytesAreEscaped) {
  CallRecord call = Simulate();
  call.peer = "ipv4:\"evil\"\\";
  call.session = std::string("a\nb\tc\x01\x7f", 7);
  call.tenant = "t\r";
  const std::string line = FormatCallLogLine(
      call, absl::InvalidArgumentError("bad name \"a\nb\""), 0.001);
  EXPECT_NE(line.find("\"session\":\"a\\u000ab\\u0009c\\u0001\\u007f\""),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("\"tenant\":\"t\\u000d\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"peer\":\"ipv4:\\\"evil\\\"\\\\\""), std::string::npos)
      << line;
  EXPECT_NE(line.find("\"error\":\"bad name \\\"a\\u000ab\\\"\"}"),
            std::string::npos)
      << line;
  // One line, whatever came in.
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  // Valid JSON, whose strings decode to what the call had.
  const nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["session"], call.session);
  EXPECT_EQ(parsed["tenant"], call.tenant);
  EXPECT_EQ(parsed["peer"], call.peer);
  EXPECT_EQ(parsed["error"], "bad name \"a\nb\"");
  EXPECT_EQ(parsed["steps"], 1000);
}

// Bytes from 0x80 up are escaped one by one (the line stays ASCII; a UTF-8
// name's bytes read back as Latin-1 characters).
TEST(CallLogTest, NonAsciiBytesAreEscapedOneByOne) {
  CallRecord call = Simulate();
  call.session = "caf\xc3\xa9";  // "café" in UTF-8.
  const std::string line = FormatCallLogLine(call, absl::OkStatus(), 0);
  EXPECT_NE(line.find("\"session\":\"caf\\u00c3\\u00a9\""), std::string::npos)
      << line;
  for (char c : line) {
    EXPECT_LT(static_cast<unsigned char>(c), 0x80) << line;
  }
}

// A field is cut to its first 200 characters before it is escaped.
TEST(CallLogTest, LongFieldsAreCutToTwoHundredCharacters) {
  CallRecord call = Simulate();
  call.session = std::string(250, 's');
  call.peer = std::string(300, '"');
  const std::string line = FormatCallLogLine(
      call, absl::InternalError(std::string(199, 'm') + "XYZ"), 0);
  EXPECT_NE(line.find("\"session\":\"" + std::string(200, 's') + "\","),
            std::string::npos);
  EXPECT_EQ(line.find(std::string(201, 's')), std::string::npos);
  std::string escaped_quotes;
  for (int i = 0; i < 200; ++i) escaped_quotes += "\\\"";
  EXPECT_NE(line.find("\"peer\":\"" + escaped_quotes + "\","),
            std::string::npos);
  EXPECT_NE(line.find("\"error\":\"" + std::string(199, 'm') + "X\"}"),
            std::string::npos)
      << line.substr(line.size() - 30);
}

}  // namespace
}  // namespace sorn::server
