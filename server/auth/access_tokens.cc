#include "server/auth/access_tokens.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/status_macros.h"

namespace sorn::server {
namespace {

constexpr size_t kMinTokenLength = 16;

absl::Status LineError(absl::string_view source, int line,
                       absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(source, ":", line, ": ", what));
}

// The quota keys of a line and their largest values: the quota fields are
// int (sessions, streams) and int64 (neurons), and a value that does not fit
// must be refused, not wrapped (4294967297 sessions would be 1).
struct QuotaKey {
  absl::string_view name;
  int64_t max;
};
constexpr QuotaKey kQuotaKeys[] = {
    {"sessions", std::numeric_limits<int>::max()},
    {"neurons", std::numeric_limits<int64_t>::max()},
    {"streams", std::numeric_limits<int>::max()},
};

// Applies one "key=value" quota setting (field `field` of its line).
// `seen` holds the keys the line already set. Messages name the field and
// the key, never the text of the field: a line written in the wrong order
// may hold a token anywhere (for example two tokens, the second where a
// quota belongs), and a token made of digits would be a "value".
absl::Status ApplyQuota(absl::string_view setting, size_t field,
                        std::set<absl::string_view>& seen, TenantQuota& quota) {
  const size_t equals = setting.find('=');
  const QuotaKey* key = nullptr;
  if (equals != absl::string_view::npos) {
    for (const QuotaKey& k : kQuotaKeys) {
      if (setting.substr(0, equals) == k.name) key = &k;
    }
  }
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "field ", field + 1,
        " is not a quota: expected sessions=N, neurons=N or streams=N"));
  }
  if (!seen.insert(key->name).second) {
    return absl::InvalidArgumentError(
        absl::StrCat("quota ", key->name, " is set twice"));
  }
  // Digits only: SimpleAtoi would also take a sign and surrounding spaces.
  const absl::string_view digits = setting.substr(equals + 1);
  int64_t value = 0;
  const bool all_digits =
      !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      });
  if (!all_digits || !absl::SimpleAtoi(digits, &value) || value > key->max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "quota ", key->name, " must be a whole number from 0 to ", key->max));
  }
  if (key->name == "sessions") {
    quota.max_sessions = static_cast<int>(value);
  } else if (key->name == "neurons") {
    quota.max_neurons = value;
  } else {
    quota.max_streams = static_cast<int>(value);
  }
  return absl::OkStatus();
}

bool SameQuota(const TenantQuota& a, const TenantQuota& b) {
  return a.max_sessions == b.max_sessions && a.max_neurons == b.max_neurons &&
         a.max_streams == b.max_streams;
}

}  // namespace

absl::Status ValidateTenantName(absl::string_view tenant) {
  if (tenant.empty() || tenant.size() > 64) {
    return absl::InvalidArgumentError("a tenant name has 1 to 64 characters");
  }
  for (char c : tenant) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '-') {
      return absl::InvalidArgumentError(absl::StrCat(
          "tenant \"", tenant, "\" may only contain A-Z a-z 0-9 _ -"));
    }
  }
  return absl::OkStatus();
}

namespace {

// The caller a tokens line's fields (at least one) give.
// No error quotes a field of the line, not even the tenant or the role: a
// line that is wrong is often wrong because its fields are not where they
// belong (a token pasted twice, columns swapped), so any of them may be a
// secret. Errors name the field's position instead.
absl::StatusOr<Caller> CallerOfLine(
    const std::vector<absl::string_view>& fields, const TenantQuota& defaults) {
  if (fields.size() < 3) {
    return absl::InvalidArgumentError(
        "expected: TOKEN TENANT ROLE [sessions=N] "
        "[neurons=N] [streams=N]");
  }
  if (fields[0].size() < kMinTokenLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a token (field 1) needs at least ", kMinTokenLength, " characters"));
  }
  if (!ValidateTenantName(fields[1]).ok()) {
    return absl::InvalidArgumentError(
        "the tenant (field 2) must be 1 to 64 characters of "
        "A-Z a-z 0-9 _ -");
  }
  Caller caller;
  caller.tenant = std::string(fields[1]);
  if (fields[2] == "admin") {
    caller.role = Role::kAdmin;
  } else if (fields[2] != "user") {
    return absl::InvalidArgumentError(
        "the role (field 3) must be user or admin");
  }
  caller.quota = defaults;
  std::set<absl::string_view> seen;
  for (size_t k = 3; k < fields.size(); ++k) {
    if (absl::Status s = ApplyQuota(fields[k], k, seen, caller.quota);
        !s.ok()) {
      return s;
    }
  }
  return caller;
}

}  // namespace

absl::StatusOr<AccessTokens> AccessTokens::Load(const std::string& path,
                                                const TenantQuota& defaults) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read the tokens file ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path, defaults);
}

absl::StatusOr<AccessTokens> AccessTokens::Parse(absl::string_view text,
                                                 absl::string_view source,
                                                 const TenantQuota& defaults) {
  AccessTokens result;
  result.tokens_.emplace();
  // By tenant: its quota and the line that first set it.
  std::unordered_map<std::string, std::pair<TenantQuota, int>> quotas;
  std::unordered_map<std::string, int> token_lines;  // token -> its line.
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = line.substr(0, line.find('#'));
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    absl::StatusOr<Caller> parsed = CallerOfLine(fields, defaults);
    if (!parsed.ok()) {
      return LineError(source, line_number, parsed.status().message());
    }
    const Caller& caller = *parsed;
    auto [it, fresh] =
        quotas.emplace(caller.tenant, std::pair(caller.quota, line_number));
    if (!fresh && !SameQuota(it->second.first, caller.quota)) {
      return LineError(source, line_number,
                       absl::StrCat("the tenant of this line has different "
                                    "quotas on line ",
                                    it->second.second));
    }
    auto [earlier, added] =
        token_lines.emplace(std::string(fields[0]), line_number);
    if (!added) {
      return LineError(source, line_number,
                       absl::StrCat("the token of this line is also on line ",
                                    earlier->second));
    }
    result.tokens_->emplace(std::string(fields[0]), caller);
  }
  if (result.tokens_->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, " holds no tokens"));
  }
  return result;
}

int AccessTokens::tenant_count() const {
  if (!tokens_.has_value()) return 0;
  std::set<std::string> tenants;
  for (const auto& [token, caller] : *tokens_) tenants.insert(caller.tenant);
  return static_cast<int>(tenants.size());
}

absl::StatusOr<Caller> AccessTokens::Authenticate(
    std::optional<absl::string_view> authorization) const {
  if (!tokens_.has_value()) {
    return Caller{kLocalTenant, Role::kAdmin, TenantQuota{}};
  }
  if (!authorization.has_value()) {
    return absl::UnauthenticatedError(
        "this server needs a bearer token: send metadata "
        "\"authorization: Bearer <token>\"");
  }
  absl::string_view token = *authorization;
  if (!absl::ConsumePrefix(&token, "Bearer ")) {
    return absl::UnauthenticatedError(
        "the authorization metadata must be \"Bearer <token>\"");
  }
  auto it = tokens_->find(std::string(absl::StripAsciiWhitespace(token)));
  if (it == tokens_->end()) {
    return absl::UnauthenticatedError("unknown bearer token");
  }
  return it->second;
}

}  // namespace sorn::server
