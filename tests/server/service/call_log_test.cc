// FormatCallLogLine in process: the exact JSON line of a call that
// succeeded and of one that failed, and the escaping of what a caller
// controls (peer, session, tenant, the error message): quotes, backslashes,
// control characters, UTF-8 and bytes that are not, and the 200-character
// cut; and the time stamp.
#include "server/service/call_log.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
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

// 2026-12-01 19:50:01.123456 UTC.
const absl::Time kEnd =
    absl::FromUnixMicros(int64_t{1796154601} * 1000000 + 123456);

TEST(CallLogTest, AnOkCallIsOneLineWithEveryFieldAndNoError) {
  EXPECT_EQ(FormatCallLogLine(Simulate(), absl::OkStatus(), 0.0125, kEnd),
            "{\"time\":\"2026-12-01T19:50:01.123Z\",\"rpc\":\"Simulate\","
            "\"session\":\"a\",\"tenant\":\"alice\","
            "\"code\":\"OK\",\"duration_ms\":12.500,\"steps\":1000,"
            "\"bytes_out\":81234,\"peer\":\"ipv4:127.0.0.1:5432\"}");
}

TEST(CallLogTest, AFailedCallNamesItsCodeAndEndsWithTheError) {
  CallRecord call;
  call.method = "GetSession";
  call.session = "b";
  call.peer = "ipv6:[::1]:40000";
  EXPECT_EQ(FormatCallLogLine(call, absl::NotFoundError("no session \"b\""),
                              0.0004567, kEnd),
            "{\"time\":\"2026-12-01T19:50:01.123Z\",\"rpc\":\"GetSession\","
            "\"session\":\"b\",\"tenant\":\"\","
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

// UTF-8 is written as it is; bytes that are not UTF-8 (a lone continuation
// byte, a cut sequence, an overlong form, a surrogate) become U+FFFD, so the
// line is valid UTF-8 and valid JSON whatever arrived.
TEST(CallLogTest, Utf8IsKeptAndInvalidBytesBecomeReplacementCharacters) {
  CallRecord call = Simulate();
  call.session =
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\xa7\xa0";  // "café € 🧠".
  call.tenant =
      "a\x80"
      "b\xc3";                         // lone continuation, cut sequence.
  call.peer = "\xc0\xaf\xed\xa0\x80";  // overlong "/", a surrogate.
  const std::string line = FormatCallLogLine(call, absl::OkStatus(), 0);
  EXPECT_NE(
      line.find("\"session\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\xa7\xa0\""),
      std::string::npos)
      << line;
  EXPECT_NE(line.find("\"tenant\":\"a\\ufffdb\\ufffd\""), std::string::npos)
      << line;
  EXPECT_NE(line.find("\"peer\":\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\""),
            std::string::npos)
      << line;
  const nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["session"], call.session);
  EXPECT_EQ(parsed["tenant"],
            "a\xef\xbf\xbd"
            "b\xef\xbf\xbd");
  // The cut counts characters, not bytes: 200 two-byte characters stay.
  call.session.clear();
  for (int i = 0; i < 250; ++i) call.session += "\xc3\xa9";
  const nlohmann::json cut =
      nlohmann::json::parse(FormatCallLogLine(call, absl::OkStatus(), 0));
  EXPECT_EQ(cut["session"].get<std::string>().size(), 400u);
}

TEST(CallLogTest, TheTimeIsTheCallsEndInUtcWithMilliseconds) {
  const nlohmann::json parsed =
      nlohmann::json::parse(FormatCallLogLine(Simulate(), absl::OkStatus(), 0));
  const std::string time = parsed["time"];
  absl::Time t;
  std::string error;
  ASSERT_TRUE(absl::ParseTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone(),
                              &t, &error))
      << time << ": " << error;
  EXPECT_LT(absl::AbsDuration(absl::Now() - t), absl::Minutes(1)) << time;
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
