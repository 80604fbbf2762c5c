#include "server/session_store.h"

#include <chrono>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/memory_estimate.h"
#include "core/status_macros.h"
#include "server/proto_convert.h"
#include "server/readout_convert.h"
#include "server/session_name.h"

namespace sorn::server {
namespace {

std::string Mib(int64_t bytes) { return absl::StrCat(bytes >> 20, " MiB"); }

absl::Status SessionExists(const std::string& name) {
  return absl::AlreadyExistsError(
      absl::StrCat("session \"", name, "\" already exists"));
}

absl::Status NoSuchSession(const std::string& name) {
  return absl::NotFoundError(absl::StrCat("no session \"", name, "\""));
}

}  // namespace

int64_t SessionStore::SessionBytes(const Params& params, int64_t record_steps) {
  return EstimateNetworkBytes(params) +
         ActivityLog::MemoryBytes(params.ne, params.ni(), params.nu,
                                  record_steps);
}

absl::Status SessionStore::CheckParams(const Params& params) const {
  if (params.ne > options_.max_ne) {
    return absl::ResourceExhaustedError(
        absl::StrCat("ne = ", params.ne, " exceeds this server's limit of ",
                     options_.max_ne, " (--max_ne)"));
  }
  return params.Validate();
}

absl::StatusOr<int64_t> SessionStore::RecordSteps(
    std::optional<int64_t> requested) const {
  if (!requested.has_value()) return options_.record_buffer_steps;
  if (*requested < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("record_buffer_steps must be >= 0, got ", *requested));
  }
  if (*requested > options_.max_record_buffer_steps) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "record_buffer_steps = ", *requested,
        " exceeds this server's limit of ", options_.max_record_buffer_steps,
        " (--max_record_buffer_steps)"));
  }
  return *requested;
}

absl::Status SessionStore::CheckRoom(const Caller& caller, const Claim& claim,
                                     const Session* freed) const {
  const int64_t freed_bytes = freed ? freed->memory_bytes() : 0;
  const int64_t freed_neurons = freed ? freed->neurons() : 0;
  if (freed == nullptr && reserved_sessions_ >= options_.max_sessions) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the server holds its maximum of ", options_.max_sessions,
                     " sessions (--max_sessions)"));
  }
  if (reserved_bytes_ - freed_bytes + claim.bytes > options_.max_memory_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the session needs about ", Mib(claim.bytes), " of memory; ",
        Mib(reserved_bytes_), " of this server's ",
        Mib(options_.max_memory_bytes), " are reserved (--max_memory_bytes)"));
  }
  auto it = usage_.find(caller.tenant);
  const Usage usage = it == usage_.end() ? Usage{} : it->second;
  const TenantQuota& quota = caller.quota;
  if (freed == nullptr && quota.max_sessions > 0 &&
      usage.sessions >= quota.max_sessions) {
    return absl::ResourceExhaustedError(
        absl::StrCat("tenant ", caller.tenant, " holds its quota of ",
                     quota.max_sessions, " sessions"));
  }
  if (quota.max_neurons > 0 &&
      usage.neurons - freed_neurons + claim.neurons > quota.max_neurons) {
    return absl::ResourceExhaustedError(
        absl::StrCat("tenant ", caller.tenant, " would hold ",
                     usage.neurons - freed_neurons + claim.neurons,
                     " neurons, over its quota of ", quota.max_neurons));
  }
  return absl::OkStatus();
}

void SessionStore::Reserve(const std::string& tenant, const Claim& claim) {
  reserved_bytes_ += claim.bytes;
  ++reserved_sessions_;
  Usage& usage = usage_[tenant];
  ++usage.sessions;
  usage.neurons += claim.neurons;
  metrics_->SetReservedMemory(reserved_bytes_);
}

void SessionStore::Release(const std::string& tenant, const Claim& claim) {
  reserved_bytes_ -= claim.bytes;
  --reserved_sessions_;
  Usage& usage = usage_[tenant];
  --usage.sessions;
  usage.neurons -= claim.neurons;
  metrics_->SetReservedMemory(reserved_bytes_);
}

absl::Status SessionStore::CheckCapacity(
    const Caller& caller, const std::string& name, const Params& params,
    std::optional<int64_t> record_steps) const {
  RETURN_IF_ERROR(CheckParams(params));
  absl::StatusOr<int64_t> steps = RecordSteps(record_steps);
  if (!steps.ok()) return steps.status();
  const Claim claim{int64_t{params.ne} + params.ni(),
                    SessionBytes(params, *steps)};
  ReaderMutexLock lock(&mu_);
  auto it = sessions_.find({caller.tenant, name});
  return CheckRoom(caller, claim,
                   it == sessions_.end() ? nullptr : it->second.get());
}

absl::StatusOr<std::shared_ptr<Session>> SessionStore::Create(
    const Caller& caller, const std::string& name, const Params& params,
    std::optional<uint64_t> seed, std::optional<int64_t> record_steps) {
  RETURN_IF_ERROR(ValidateSessionName(name));
  RETURN_IF_ERROR(CheckParams(params));
  absl::StatusOr<int64_t> steps = RecordSteps(record_steps);
  if (!steps.ok()) return steps.status();
  const Claim claim{int64_t{params.ne} + params.ni(),
                    SessionBytes(params, *steps)};
  const Key key{caller.tenant, name};
  {
    MutexLock lock(&mu_);
    if (sessions_.count(key) != 0) return SessionExists(name);
    RETURN_IF_ERROR(CheckRoom(caller, claim, nullptr));
    Reserve(caller.tenant, claim);
  }
  const uint64_t used_seed =
      seed.has_value()
          ? *seed
          : (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
  absl::StatusOr<Network> network = Network::Create(params, used_seed);
  MutexLock lock(&mu_);
  if (!network.ok() || sessions_.count(key) != 0) {
    Release(caller.tenant, claim);
    return network.ok() ? SessionExists(name) : network.status();
  }
  auto session = std::make_shared<Session>(caller.tenant, name, used_seed,
                                           *std::move(network), ReadoutSet(),
                                           *steps, claim.bytes);
  sessions_[key] = session;
  metrics_->SessionAdded(caller.tenant);
  return session;
}

absl::StatusOr<std::shared_ptr<Session>> SessionStore::Add(
    const Caller& caller, const std::string& name, Network network,
    ReadoutSet readouts, uint64_t seed, std::optional<int64_t> record_steps,
    bool replace) {
  RETURN_IF_ERROR(ValidateSessionName(name));
  RETURN_IF_ERROR(CheckParams(network.params()));
  absl::StatusOr<int64_t> steps = RecordSteps(record_steps);
  if (!steps.ok()) return steps.status();
  const Claim claim{int64_t{network.ne()} + network.ni(),
                    SessionBytes(network.params(), *steps)};
  const Key key{caller.tenant, name};
  MutexLock lock(&mu_);
  auto it = sessions_.find(key);
  // `old` outlives its driver, which releases it on destruction.
  std::shared_ptr<Session> old = it != sessions_.end() ? it->second : nullptr;
  if (old != nullptr && !replace) return SessionExists(name);
  RETURN_IF_ERROR(CheckRoom(caller, claim, old.get()));
  if (old != nullptr) {
    // The old session must not be driven now.
    absl::StatusOr<Session::Driver> driver = old->TryDrive();
    if (!driver.ok()) return driver.status();
    Release(caller.tenant, {old->neurons(), old->memory_bytes()});
    metrics_->SessionRemoved(caller.tenant);
  }
  Reserve(caller.tenant, claim);
  auto session =
      std::make_shared<Session>(caller.tenant, name, seed, std::move(network),
                                std::move(readouts), *steps, claim.bytes);
  sessions_[key] = session;
  metrics_->SessionAdded(caller.tenant);
  return session;
}

absl::StatusOr<std::shared_ptr<Session>> SessionStore::Get(
    const Caller& caller, const std::string& name) const {
  RETURN_IF_ERROR(ValidateSessionName(name));
  ReaderMutexLock lock(&mu_);
  auto it = sessions_.find({caller.tenant, name});
  if (it == sessions_.end()) return NoSuchSession(name);
  return it->second;
}

std::vector<std::shared_ptr<Session>> SessionStore::List(
    const Caller& caller, bool all_tenants) const {
  ReaderMutexLock lock(&mu_);
  std::vector<std::shared_ptr<Session>> found;
  for (const auto& [key, session] : sessions_) {
    if (all_tenants || key.first == caller.tenant) found.push_back(session);
  }
  return found;
}

absl::Status SessionStore::Delete(const Caller& caller,
                                  const std::string& name) {
  RETURN_IF_ERROR(ValidateSessionName(name));
  MutexLock lock(&mu_);
  auto it = sessions_.find({caller.tenant, name});
  if (it == sessions_.end()) return NoSuchSession(name);
  std::shared_ptr<Session> doomed = it->second;  // outlives the driver.
  absl::StatusOr<Session::Driver> driver = doomed->TryDrive();
  if (!driver.ok()) return driver.status();
  sessions_.erase(it);
  Release(caller.tenant, {doomed->neurons(), doomed->memory_bytes()});
  metrics_->SessionRemoved(caller.tenant);
  return files_ == nullptr ? absl::OkStatus()
                           : files_->Remove(caller.tenant, name);
}

absl::Status SessionStore::Persist(const Session& session) {
  if (files_ == nullptr) return absl::OkStatus();
  const auto start = std::chrono::steady_clock::now();
  sorn::v1::StoredSession stored;
  stored.set_tenant(session.tenant());
  stored.set_name(session.name());
  stored.set_seed(session.seed());
  session.WithState([&](const Network& net, const ActivityLog& log,
                        const ReadoutSet& readouts) {
    stored.set_record_buffer_steps(log.capacity());
    NetworkStateToProto(net.ExportState(), stored.mutable_state());
    ReadoutSetToProto(readouts, ShapeOf(net),
                      stored.mutable_state()->mutable_readouts());
  });
  absl::Status s = files_->Save(stored);
  metrics_->RecordCheckpoint(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count(),
      s.ok());
  if (!s.ok()) {
    return absl::Status(s.code(),
                        absl::StrCat("session \"", session.name(),
                                     "\" was not saved: ", s.message()));
  }
  return absl::OkStatus();
}

int SessionStore::LoadFromDisk(
    const std::function<void(const std::string&)>& report) {
  if (files_ == nullptr) return 0;
  SessionFiles::Loaded loaded = files_->LoadAll();
  for (const std::string& problem : loaded.problems)
    report("skipped " + problem);
  int count = 0;
  for (const sorn::v1::StoredSession& stored : loaded.sessions) {
    // Quotas may have shrunk since the session was made; it stays.
    const Caller owner{stored.tenant(), Role::kAdmin, TenantQuota{}};
    absl::StatusOr<NetworkState> state = NetworkStateFromProto(stored.state());
    absl::StatusOr<Network> network =
        state.ok() ? Network::FromState(*state)
                   : absl::StatusOr<Network>(state.status());
    absl::StatusOr<ReadoutSet> readouts =
        network.ok()
            ? ReadoutSetFromProto(stored.state().readouts(), ShapeOf(*network))
            : absl::StatusOr<ReadoutSet>(network.status());
    absl::StatusOr<std::shared_ptr<Session>> session =
        readouts.ok()
            ? Add(owner, stored.name(), *std::move(network),
                  *std::move(readouts), stored.seed(),
                  stored.record_buffer_steps(), /*replace=*/false)
            : absl::StatusOr<std::shared_ptr<Session>>(readouts.status());
    if (!session.ok()) {
      report(absl::StrCat("skipped ",
                          files_->PathOf(stored.tenant(), stored.name()), ": ",
                          session.status().message()));
      continue;
    }
    ++count;
  }
  return count;
}

}  // namespace sorn::server
