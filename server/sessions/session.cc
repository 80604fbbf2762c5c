#include "server/sessions/session.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace sorn::server {

Session::Session(std::string tenant, std::string name, uint64_t seed,
                 Network network, ReadoutSet readouts,
                 int64_t record_buffer_steps, MemoryBudget::Reservation memory,
                 bool ephemeral)
    : tenant_(std::move(tenant)),
      name_(std::move(name)),
      seed_(seed),
      memory_(std::move(memory)),
      memory_bytes_(memory_.bytes()),
      neurons_(int64_t{network.ne()} + network.ni()),
      ephemeral_(ephemeral),
      last_used_(std::chrono::steady_clock::now().time_since_epoch().count()),
      network_(std::move(network)),
      log_(network_.ne(), network_.ni(), network_.nu(), record_buffer_steps),
      readouts_(std::move(readouts)) {}

absl::Status Session::Removed() const {
  return absl::NotFoundError(
      absl::StrCat("session \"", name_, "\" was deleted or replaced"));
}

absl::StatusOr<Session::Driver> Session::TryDrive() {
  if (removed_.load()) return Removed();
  bool expected = false;
  if (!driving_.compare_exchange_strong(expected, true)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "session \"", name_, "\" is being driven by another call"));
  }
  Driver driver(this);
  // Deleted between the check and the exchange: the deleter held the
  // driver then, so this call must not drive what it removed.
  if (removed_.load()) return Removed();
  return driver;
}

int64_t Session::StateBytes() const {
  MutexLock lock(&mu_);
  int64_t bytes = memory_bytes_;
  for (const auto& [name, readout] : readouts_.readouts()) {
    bytes += 8 * int64_t(readout.readout.weights().size());
  }
  return bytes;
}

void Session::Restore(Network network, ReadoutSet readouts) {
  MutexLock lock(&mu_);
  network_ = std::move(network);
  readouts_ = std::move(readouts);
  log_ =
      ActivityLog(network_.ne(), network_.ni(), network_.nu(), log_.capacity());
}

void Session::Touch() {
  last_used_.store(std::chrono::steady_clock::now().time_since_epoch().count());
}

std::chrono::steady_clock::time_point Session::last_used() const {
  return std::chrono::steady_clock::time_point(
      std::chrono::steady_clock::duration(last_used_.load()));
}

}  // namespace sorn::server
