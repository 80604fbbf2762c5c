#include "server/service/stream_slots.h"

#include "absl/strings/str_cat.h"

namespace sorn::server {

StreamSlots::Slot::~Slot() {
  if (owner_ != nullptr) owner_->Release(tenant_);
}

absl::StatusOr<StreamSlots::Slot> StreamSlots::Acquire(const Caller& caller) {
  MutexLock lock(&mu_);
  int& running = running_[caller.tenant];
  if (caller.quota.max_streams > 0 && running >= caller.quota.max_streams) {
    return absl::ResourceExhaustedError(
        absl::StrCat("tenant ", caller.tenant, " runs its quota of ",
                     caller.quota.max_streams, " concurrent streams"));
  }
  ++running;
  return Slot(this, caller.tenant);
}

int StreamSlots::Running(const std::string& tenant) const {
  MutexLock lock(&mu_);
  auto it = running_.find(tenant);
  return it == running_.end() ? 0 : it->second;
}

void StreamSlots::Release(const std::string& tenant) {
  MutexLock lock(&mu_);
  --running_[tenant];
}

}  // namespace sorn::server
