#include "server/sessions/memory_budget.h"

#include "absl/strings/str_cat.h"

namespace sorn::server {

std::string Mib(int64_t bytes) {
  // Rounded up without adding first: `bytes` may be near INT64_MAX.
  return absl::StrCat(bytes / (1 << 20) + (bytes % (1 << 20) != 0 ? 1 : 0),
                      " MiB");
}

MemoryBudget::Reservation& MemoryBudget::Reservation::operator=(
    Reservation&& other) noexcept {
  if (this != &other) {
    Reset();
    budget_ = other.budget_;
    bytes_ = other.bytes_;
    other.budget_ = nullptr;
    other.bytes_ = 0;
  }
  return *this;
}

absl::Status MemoryBudget::Reservation::Resize(int64_t total,
                                               absl::string_view what) {
  if (total > bytes_) {
    if (absl::Status s = budget_->Take(total - bytes_, 0, total, what);
        !s.ok()) {
      return s;
    }
  } else if (total < bytes_) {
    budget_->Give(bytes_ - total);
  }
  bytes_ = total;
  return absl::OkStatus();
}

void MemoryBudget::Reservation::Reset() {
  if (budget_ != nullptr && bytes_ > 0) budget_->Give(bytes_);
  bytes_ = 0;
}

absl::StatusOr<MemoryBudget::Reservation> MemoryBudget::Reserve(
    int64_t bytes, absl::string_view what, int64_t credit) {
  if (absl::Status s = Take(bytes, credit, bytes, what); !s.ok()) return s;
  return Reservation(this, bytes);
}

int64_t MemoryBudget::reserved() const {
  ReaderMutexLock lock(&mu_);
  return reserved_;
}

absl::Status MemoryBudget::Take(int64_t bytes, int64_t credit, int64_t total,
                                absl::string_view what) {
  MutexLock lock(&mu_);
  // Written so that no sum can overflow, whatever `bytes` a request implies.
  if (bytes > limit_ || reserved_ - credit > limit_ - bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, " needs about ", Mib(total), " of memory; ",
                     Mib(reserved_), " of this server's ", Mib(limit_),
                     " are reserved (--max_memory_bytes)"));
  }
  reserved_ += bytes;
  if (on_change_) on_change_(reserved_);
  return absl::OkStatus();
}

void MemoryBudget::Give(int64_t bytes) {
  MutexLock lock(&mu_);
  reserved_ -= bytes;
  if (on_change_) on_change_(reserved_);
}

}  // namespace sorn::server
