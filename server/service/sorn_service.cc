// SornService: what every call goes through (authentication, stream slots,
// the log line and metrics at the end).
#include "server/service/sorn_service.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/status_macros.h"

namespace sorn::server {
namespace {

std::optional<absl::string_view> Authorization(
    const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

}  // namespace

absl::StatusOr<Caller> SornService::Admit(
    grpc::ServerContext* context, Kind kind,
    std::optional<StreamSlots::Slot>* slot) {
  absl::StatusOr<Caller> caller =
      tokens_->Authenticate(Authorization(*context));
  // kStream and kLongUnary both hold a slot.
  if (!caller.ok() || kind == Kind::kUnary) return caller;
  ASSIGN_OR_RETURN(StreamSlots::Slot taken, stream_slots_.Acquire(*caller));
  slot->emplace(std::move(taken));
  return caller;
}

absl::StatusOr<std::shared_ptr<Session>> SornService::Lookup(
    const Caller& caller, const std::string& name, CallRecord& call) const {
  call.session = name;
  ASSIGN_OR_RETURN(std::shared_ptr<Session> session, store_->Get(caller, name));
  session->Touch();  // a session a call names is in use.
  return session;
}

absl::Status SornService::OutOfMemory(const char* method, const char* what) {
  // The call's own log line (its session escaped) follows this one.
  std::fprintf(stderr,
               "sorn-server: %s ran out of memory (%s); answered "
               "RESOURCE_EXHAUSTED\n",
               method, what);
  return absl::ResourceExhaustedError(absl::StrCat(
      method, " ran out of memory on the server; retry later or ask for less"));
}

grpc::Status SornService::Finish(const CallRecord& call,
                                 const absl::Status& status,
                                 std::chrono::steady_clock::time_point start) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  metrics_->RecordRpc(call.method, absl::StatusCodeToString(status.code()),
                      seconds);
  if (options_.log_rpcs) {
    const std::string line = FormatCallLogLine(call, status, seconds);
    // One write per line, so lines of concurrent calls never interleave.
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  return ToGrpcStatus(status);
}

}  // namespace sorn::server
