#include "server/session.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace sorn::server {

Session::Session(std::string tenant, std::string name, uint64_t seed,
                 Network network, ReadoutSet readouts,
                 int64_t record_buffer_steps, int64_t memory_bytes)
    : tenant_(std::move(tenant)),
      name_(std::move(name)),
      seed_(seed),
      memory_bytes_(memory_bytes),
      neurons_(int64_t{network.ne()} + network.ni()),
      network_(std::move(network)),
      log_(network_.ne(), network_.ni(), network_.nu(), record_buffer_steps),
      readouts_(std::move(readouts)) {}

absl::StatusOr<Session::Driver> Session::TryDrive() {
  bool expected = false;
  if (!driving_.compare_exchange_strong(expected, true)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "session \"", name_, "\" is being driven by another call"));
  }
  return Driver(this);
}

}  // namespace sorn::server
