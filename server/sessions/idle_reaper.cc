#include "server/sessions/idle_reaper.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace sorn::server {

IdleReaper::IdleReaper(SessionStore* store, std::chrono::seconds ttl,
                       std::function<void(const std::string&)> report)
    : store_(store),
      ttl_(ttl),
      report_(std::move(report)),
      thread_([this] { Loop(); }) {}

IdleReaper::~IdleReaper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void IdleReaper::Loop() {
  // A session is deleted at most a quarter of the TTL after it expired.
  const auto period = std::clamp<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::milliseconds>(ttl_) / 4,
      std::chrono::milliseconds(100), std::chrono::milliseconds(10'000));
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
    lock.unlock();
    for (const std::string& session :
         store_->ReapIdle(std::chrono::steady_clock::now(), ttl_)) {
      report_(absl::StrCat("deleted ephemeral session ", session,
                           ": unused for over ", ttl_.count(), " s"));
    }
    lock.lock();
  }
}

}  // namespace sorn::server
