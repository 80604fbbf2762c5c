// AccessTokens in process: Parse of a good file's callers and quotas, and
// of bad lines, whose errors must name the file and line (and the quota key)
// but never quote anything the line holds, since a misplaced field may be a
// token; Load from a file; Authenticate's answers to missing, malformed and
// unknown tokens; local mode; tenant names.
#include "server/auth/access_tokens.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/support/test_files.h"

namespace sorn::server {
namespace {

const TenantQuota kDefaults = {100, 2'000'000, 16};

// Token-like strings for the bad lines below.
constexpr char kToken[] = "4f1c0d9e8b7a6f5e4d3c2b1a09f8e7d6";
constexpr char kOther[] = "c2b1a09f8e7d64f1c0d9e8b7a6f5e4d3";

absl::StatusOr<Caller> As(const AccessTokens& tokens, const std::string& t) {
  return tokens.Authenticate("Bearer " + t);
}

TEST(AccessTokensTest, ParsesCallersAndQuotas) {
  const std::string text = std::string("# token tenant role quotas\n") +
                           kToken +
                           " alice user sessions=20 neurons=400000 streams=4 "
                           " # a comment\n\n" +
                           kOther + "\tops\tadmin\r\n";
  absl::StatusOr<AccessTokens> tokens =
      AccessTokens::Parse(text, "t", kDefaults);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->tenant_count(), 2);
  absl::StatusOr<Caller> alice = As(*tokens, kToken);
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->tenant, "alice");
  EXPECT_FALSE(alice->is_admin());
  EXPECT_EQ(alice->quota.max_sessions, 20);
  EXPECT_EQ(alice->quota.max_neurons, 400000);
  EXPECT_EQ(alice->quota.max_streams, 4);
  absl::StatusOr<Caller> ops = As(*tokens, kOther);
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ(ops->tenant, "ops");
  EXPECT_TRUE(ops->is_admin());
  EXPECT_EQ(ops->quota.max_sessions, 100);  // the defaults.
  EXPECT_EQ(ops->quota.max_neurons, 2'000'000);
  EXPECT_EQ(ops->quota.max_streams, 16);
  EXPECT_EQ(As(*tokens, "unknown-token-0123456789").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(AccessTokensTest, QuotasTakeTheirWholeRange) {
  const std::string text = std::string(kToken) +
                           " a user sessions=2147483647 neurons="
                           "9223372036854775807 streams=0\n";
  absl::StatusOr<AccessTokens> tokens =
      AccessTokens::Parse(text, "t", kDefaults);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  absl::StatusOr<Caller> a = As(*tokens, kToken);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->quota.max_sessions, 2147483647);
  EXPECT_EQ(a->quota.max_neurons, int64_t{9223372036854775807});
  EXPECT_EQ(a->quota.max_streams, 0);
}

struct BadLine {
  std::string text;      // the file's text; its last line is the bad one.
  std::string expected;  // a part of the message (after "tokens:LINE: ").
};

TEST(AccessTokensTest, BadLinesNameFileLineAndKeyButQuoteNothing) {
  const std::string t = kToken;
  const std::string o = kOther;
  const std::string good = o + " bob user\n";
  const std::vector<BadLine> cases = {
      // Two tokens: the second where a quota belongs, or as the role.
      {t + " alice user " + o + "\n", "field 4 is not a quota"},
      {t + " alice " + o + "\n", "the role (field 3) must be user or admin"},
      {t + " " + o + "/x user\n", "the tenant (field 2) must be"},
      // A token that is a quota key's value or key.
      {t + " alice user sessions=" + o + "\n",
       "quota sessions must be a whole number from 0 to 2147483647"},
      {t + " alice user " + o + "=5\n", "field 4 is not a quota"},
      {t + " alice user sessions=1=" + o + "\n",
       "quota sessions must be a whole number"},
      // Numbers a quota cannot hold: they must not wrap.
      {t + " alice user sessions=4294967297\n",
       "quota sessions must be a whole number from 0 to 2147483647"},
      {t + " alice user streams=2147483648\n",
       "quota streams must be a whole number from 0 to 2147483647"},
      {t + " alice user neurons=9223372036854775808\n",
       "quota neurons must be a whole number from 0 to 9223372036854775807"},
      {t + " alice user neurons=99999999999999999999999\n",
       "quota neurons must be"},
      {t + " alice user sessions=-3\n", "quota sessions must be"},
      {t + " alice user sessions=+3\n", "quota sessions must be"},
      {t + " alice user sessions=\n", "quota sessions must be"},
      {t + " alice user sessions=0x10\n", "quota sessions must be"},
      {t + " alice user sessions=1.5\n", "quota sessions must be"},
      {t + " alice user sessions=2 sessions=3\n",
       "quota sessions is set twice"},
      {t + " alice user threads=3\n", "field 4 is not a quota"},
      {t + " alice user sessions\n", "field 4 is not a quota"},
      // A short token: too short to be one, but it still is not quoted.
      {"0123456789abcde alice user\n", "a token (field 1) needs at least 16"},
      {t + " alice\n", "expected: TOKEN TENANT ROLE"},
      // Lines that refer to earlier ones name those by number.
      {good + t + " bob user sessions=3\n",
       "the tenant of this line has different quotas on line 1"},
      {good + o + " carol user\n", "the token of this line is also on line 1"},
  };
  for (const BadLine& bad : cases) {
    absl::StatusOr<AccessTokens> tokens =
        AccessTokens::Parse(bad.text, "/etc/sorn/tokens", kDefaults);
    ASSERT_FALSE(tokens.ok()) << bad.text;
    EXPECT_EQ(tokens.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(tokens.status().message());
    const std::vector<std::string> lines =
        absl::StrSplit(bad.text, '\n', absl::SkipEmpty());
    const std::string at =
        "/etc/sorn/tokens:" + std::to_string(lines.size()) + ": ";
    EXPECT_EQ(message.rfind(at, 0), 0) << message;
    EXPECT_NE(message.find(bad.expected), std::string::npos)
        << message << "\nfor: " << bad.text;
    // Nothing of the bad line's fields that could be secret: no part of 8
    // characters or more between separators (the quota keys aside, which
    // errors name).
    for (absl::string_view piece :
         absl::StrSplit(lines.back(), absl::ByAnyChar(" \t=/"))) {
      if (piece.size() >= 8 && piece != "sessions") {
        EXPECT_FALSE(absl::StrContains(message, piece))
            << "\"" << piece << "\" in: " << message;
      }
    }
    EXPECT_EQ(message.find(kToken), std::string::npos) << message;
    EXPECT_EQ(message.find(kOther), std::string::npos) << message;
    // Half a token is still too much.
    EXPECT_EQ(message.find(std::string(kOther).substr(0, 8)), std::string::npos)
        << message;
  }
}

TEST(AccessTokensTest, AFileWithoutTokensIsRefused) {
  absl::StatusOr<AccessTokens> tokens =
      AccessTokens::Parse("# only comments\n\n", "t", kDefaults);
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.status().message(), "t holds no tokens");
}

TEST(AccessTokensTest, ErrorsCountCommentAndBlankLinesInTheLineNumber) {
  const std::string text = std::string("# tokens\n\n   # indented comment\n") +
                           kToken + " alice User\n";
  absl::StatusOr<AccessTokens> tokens =
      AccessTokens::Parse(text, "tokens.txt", kDefaults);
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.status().message(),
            "tokens.txt:4: the role (field 3) must be user or admin");
  tokens =
      AccessTokens::Parse(std::string(kToken) + " alice\n", "f", kDefaults);
  EXPECT_EQ(tokens.status().message(),
            "f:1: expected: TOKEN TENANT ROLE [sessions=N] [neurons=N] "
            "[streams=N]");
  tokens = AccessTokens::Parse(
      std::string(kToken) + " a user\n" + kToken + " b user\n", "f", kDefaults);
  EXPECT_EQ(tokens.status().message(),
            "f:2: the token of this line is also on line 1");
}

TEST(AccessTokensTest, SeveralTokensOfOneTenantWithTheSameQuotasAreOneTenant) {
  const std::string text = std::string(kToken) + " alice user streams=2\n" +
                           kOther + " alice user streams=2\n";
  absl::StatusOr<AccessTokens> tokens =
      AccessTokens::Parse(text, "t", kDefaults);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_FALSE(tokens->local_mode());
  EXPECT_EQ(tokens->tenant_count(), 1);
  for (const char* token : {kToken, kOther}) {
    absl::StatusOr<Caller> caller = As(*tokens, token);
    ASSERT_TRUE(caller.ok()) << caller.status();
    EXPECT_EQ(caller->tenant, "alice");
    EXPECT_EQ(caller->quota.max_streams, 2);
    EXPECT_EQ(caller->quota.max_sessions, 100);  // the default.
  }
}

TEST(AccessTokensTest, ATokenNeedsSixteenCharactersAndTenantsTheirAlphabet) {
  const TenantQuota none;
  EXPECT_TRUE(AccessTokens::Parse("0123456789abcdef a user\n", "t", none).ok());
  const std::string tenant64(64, 'z');
  EXPECT_TRUE(AccessTokens::Parse(
                  std::string(kToken) + " " + tenant64 + " user\n", "t", none)
                  .ok());
  for (const std::string& tenant :
       {tenant64 + "z", std::string("al.ice"), std::string("al:ice")}) {
    absl::StatusOr<AccessTokens> tokens = AccessTokens::Parse(
        std::string(kToken) + " " + tenant + " user\n", "t", none);
    EXPECT_EQ(tokens.status().message(),
              "t:1: the tenant (field 2) must be 1 to 64 characters of A-Z "
              "a-z 0-9 _ -")
        << tenant;
  }
}

TEST(AccessTokensTest, AuthenticateNeedsABearerTokenItKnows) {
  absl::StatusOr<AccessTokens> tokens = AccessTokens::Parse(
      std::string(kToken) + " alice user\n", "t", kDefaults);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  const absl::Status missing = tokens->Authenticate(std::nullopt).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(missing.message(),
            "this server needs a bearer token: send metadata "
            "\"authorization: Bearer <token>\"");
  for (const std::string& value :
       {std::string("Basic ") + kToken, std::string("bearer ") + kToken,
        std::string(kToken)}) {
    const absl::Status s = tokens->Authenticate(value).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << value;
    EXPECT_EQ(s.message(),
              "the authorization metadata must be \"Bearer <token>\"");
  }
  const absl::Status unknown =
      tokens->Authenticate(std::string("Bearer ") + kOther).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(unknown.message(), "unknown bearer token");
  // Whitespace around the token is not part of it.
  absl::StatusOr<Caller> spaced =
      tokens->Authenticate(std::string("Bearer  ") + kToken + " \t");
  ASSERT_TRUE(spaced.ok()) << spaced.status();
  EXPECT_EQ(spaced->tenant, "alice");
}

TEST(AccessTokensTest, LocalModeMakesEveryCallTheLocalAdmin) {
  const AccessTokens local;
  EXPECT_TRUE(local.local_mode());
  EXPECT_EQ(local.tenant_count(), 0);
  for (const std::optional<absl::string_view> value :
       {std::optional<absl::string_view>(),
        std::optional<absl::string_view>("Bearer anything-at-all-1234")}) {
    absl::StatusOr<Caller> caller = local.Authenticate(value);
    ASSERT_TRUE(caller.ok()) << caller.status();
    EXPECT_EQ(caller->tenant, "local");
    EXPECT_TRUE(caller->is_admin());
    EXPECT_EQ(caller->quota.max_sessions, 0);  // no limit of its own.
    EXPECT_EQ(caller->quota.max_streams, 0);
  }
}

TEST(AccessTokensTest, LoadReadsAFileAndNamesItInErrors) {
  const std::filesystem::path dir = FreshTestDir("tokens");
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "tokens").string();
  std::ofstream(path) << kToken << " alice admin neurons=5\n";
  absl::StatusOr<AccessTokens> tokens = AccessTokens::Load(path, kDefaults);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  absl::StatusOr<Caller> alice = As(*tokens, kToken);
  ASSERT_TRUE(alice.ok());
  EXPECT_TRUE(alice->is_admin());
  EXPECT_EQ(alice->quota.max_neurons, 5);
  std::ofstream(path, std::ios::app) << "short alice user\n";
  EXPECT_EQ(AccessTokens::Load(path, kDefaults).status().message(),
            path + ":2: a token (field 1) needs at least 16 characters");
  const absl::Status missing =
      AccessTokens::Load((dir / "absent").string(), kDefaults).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(),
            "cannot read the tokens file " + (dir / "absent").string());
  std::filesystem::remove_all(dir);
}

TEST(AccessTokensTest, ValidateTenantNameAcceptsOneToSixtyFourOfItsAlphabet) {
  EXPECT_TRUE(ValidateTenantName("Alice_ops-9").ok());
  EXPECT_TRUE(ValidateTenantName(std::string(64, 'a')).ok());
  EXPECT_EQ(ValidateTenantName("").message(),
            "a tenant name has 1 to 64 characters");
  EXPECT_EQ(ValidateTenantName(std::string(65, 'a')).message(),
            "a tenant name has 1 to 64 characters");
  EXPECT_EQ(ValidateTenantName("a/b").message(),
            "tenant \"a/b\" may only contain A-Z a-z 0-9 _ -");
  EXPECT_EQ(ValidateTenantName("a b").code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sorn::server
