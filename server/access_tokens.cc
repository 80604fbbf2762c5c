#include "server/access_tokens.h"

#include <fstream>
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

// Applies one "key=value" quota setting.
absl::Status ApplyQuota(absl::string_view setting, TenantQuota& quota) {
  std::pair<absl::string_view, absl::string_view> kv =
      absl::StrSplit(setting, absl::MaxSplits('=', 1));
  int64_t value = 0;
  if (!absl::SimpleAtoi(kv.second, &value) || value < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("quota \"", setting, "\" must be key=N with N >= 0"));
  }
  if (kv.first == "sessions") {
    quota.max_sessions = static_cast<int>(value);
  } else if (kv.first == "neurons") {
    quota.max_neurons = value;
  } else if (kv.first == "streams") {
    quota.max_streams = static_cast<int>(value);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown quota \"", kv.first,
                     "\" (one of sessions, neurons, streams)"));
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
  std::unordered_map<std::string, TenantQuota> quotas;  // by tenant.
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = line.substr(0, line.find('#'));
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    if (fields.size() < 3) {
      return LineError(source, line_number,
                       "expected: TOKEN TENANT ROLE [sessions=N] "
                       "[neurons=N] [streams=N]");
    }
    // Errors below never quote fields[0]: it is the secret.
    if (fields[0].size() < kMinTokenLength) {
      return LineError(source, line_number,
                       absl::StrCat("a token needs at least ", kMinTokenLength,
                                    " characters"));
    }
    if (absl::Status s = ValidateTenantName(fields[1]); !s.ok()) {
      return LineError(source, line_number, s.message());
    }
    Caller caller;
    caller.tenant = std::string(fields[1]);
    if (fields[2] == "admin") {
      caller.role = Role::kAdmin;
    } else if (fields[2] != "user") {
      return LineError(
          source, line_number,
          absl::StrCat("role \"", fields[2], "\" must be user or admin"));
    }
    caller.quota = defaults;
    for (size_t k = 3; k < fields.size(); ++k) {
      if (absl::Status s = ApplyQuota(fields[k], caller.quota); !s.ok()) {
        return LineError(source, line_number, s.message());
      }
    }
    auto [it, fresh] = quotas.emplace(caller.tenant, caller.quota);
    if (!fresh && !SameQuota(it->second, caller.quota)) {
      return LineError(source, line_number,
                       absl::StrCat("tenant ", caller.tenant,
                                    " was given different quotas before"));
    }
    if (!result.tokens_->emplace(std::string(fields[0]), caller).second) {
      return LineError(source, line_number,
                       "this token appears on an earlier line too");
    }
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
