// MemoryBudget: the bytes of --max_memory_bytes, shared by everything the
// server holds for longer than a moment: sessions (networks and record
// buffers) and every call's transient buffers (response batches, weight
// snapshots, statistics work matrices, import buffers, readout fits). Each
// is reserved here *before* it is allocated, so a request that would need
// more than is left is refused with RESOURCE_EXHAUSTED at once, naming the
// figures, instead of being attempted.
#ifndef SORN_SERVER_SESSIONS_MEMORY_BUDGET_H_
#define SORN_SERVER_SESSIONS_MEMORY_BUDGET_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/mutex.h"

namespace sorn::server {

// Thread-safe. Owned by main (through the SessionStore's options); outlives
// every Reservation taken from it.
class MemoryBudget {
 public:
  // `on_change(reserved)` (may be empty) is called after every change, under
  // the budget's lock: it must not call back into the budget.
  explicit MemoryBudget(int64_t limit_bytes,
                        std::function<void(int64_t)> on_change = {})
      : limit_(limit_bytes), on_change_(std::move(on_change)) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Bytes held for as long as the object lives (moves carry them).
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept
        : budget_(other.budget_), bytes_(other.bytes_) {
      other.budget_ = nullptr;
      other.bytes_ = 0;
    }
    Reservation& operator=(Reservation&& other) noexcept;
    ~Reservation() { Reset(); }

    int64_t bytes() const { return bytes_; }
    // Grows (or shrinks) the reservation to `total` bytes. On
    // RESOURCE_EXHAUSTED it keeps what it had.
    // REQUIRES: taken from a budget (not default-constructed).
    absl::Status Resize(int64_t total, absl::string_view what);
    // Gives the bytes back now.
    void Reset();

   private:
    friend class MemoryBudget;
    Reservation(MemoryBudget* budget, int64_t bytes)
        : budget_(budget), bytes_(bytes) {}
    MemoryBudget* budget_ = nullptr;
    int64_t bytes_ = 0;
  };

  // Reserves `bytes` for `what` (a phrase such as "GetStatistics' spike
  // train"), counting `credit` bytes that the caller is about to give back
  // (a session being replaced) as free. RESOURCE_EXHAUSTED names `what`,
  // the estimate and the budget. REQUIRES: bytes >= 0, credit >= 0.
  absl::StatusOr<Reservation> Reserve(int64_t bytes, absl::string_view what,
                                      int64_t credit = 0);

  int64_t limit() const { return limit_; }
  int64_t reserved() const;

 private:
  // Takes `bytes` more; `total` is what the holder needs in all (for the
  // message).
  absl::Status Take(int64_t bytes, int64_t credit, int64_t total,
                    absl::string_view what);
  void Give(int64_t bytes);

  const int64_t limit_;
  const std::function<void(int64_t)> on_change_;
  mutable Mutex mu_;
  int64_t reserved_ ABSL_GUARDED_BY(mu_) = 0;
};

// "12 MiB" (whole mebibytes, rounded up; "0 MiB" only for 0 bytes).
std::string Mib(int64_t bytes);

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSIONS_MEMORY_BUDGET_H_
