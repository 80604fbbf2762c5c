// StreamSlots: counts each tenant's running streaming calls, and its long
// unary ones (GetStatistics), against its quota (TenantQuota::max_streams).
#ifndef SORN_SERVER_SERVICE_STREAM_SLOTS_H_
#define SORN_SERVER_SERVICE_STREAM_SLOTS_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "core/mutex.h"
#include "server/auth/caller.h"

namespace sorn::server {

// Thread-safe. Owned by the service; slots must not outlive it.
class StreamSlots {
 public:
  // Held by one streaming or long unary call for its life.
  class Slot {
   public:
    Slot(StreamSlots* owner, std::string tenant)
        : owner_(owner), tenant_(std::move(tenant)) {}
    Slot(Slot&& other)
        : owner_(other.owner_), tenant_(std::move(other.tenant_)) {
      other.owner_ = nullptr;
    }
    Slot(const Slot&) = delete;
    ~Slot();

   private:
    StreamSlots* owner_;
    std::string tenant_;
  };

  // RESOURCE_EXHAUSTED when the caller's tenant runs its quota of streams.
  absl::StatusOr<Slot> Acquire(const Caller& caller);
  // Streams the tenant runs now.
  int Running(const std::string& tenant) const;

 private:
  void Release(const std::string& tenant);

  mutable Mutex mu_;
  std::map<std::string, int> running_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SERVICE_STREAM_SLOTS_H_
