#include "server/sessions/session_store.h"

#include <chrono>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/memory_estimate.h"
#include "core/random.h"
#include "core/status_macros.h"
#include "server/sessions/session_name.h"

namespace sorn::server {
namespace {

absl::Status SessionExists(const std::string& name) {
  return absl::AlreadyExistsError(
      absl::StrCat("session \"", name, "\" already exists"));
}

absl::Status NoSuchSession(const std::string& name) {
  return absl::NotFoundError(absl::StrCat("no session \"", name, "\""));
}

// A status with the same code and `prefix` before its message.
absl::Status Prefixed(const absl::Status& s, absl::string_view prefix) {
  return absl::Status(s.code(), absl::StrCat(prefix, s.message()));
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

absl::Status SessionStore::CheckQuota(const Caller& caller, const Claim& claim,
                                      const Session* freed) const {
  const int64_t freed_neurons = freed ? freed->neurons() : 0;
  if (freed == nullptr && reserved_sessions_ >= options_.max_sessions) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the server holds its maximum of ", options_.max_sessions,
                     " sessions (--max_sessions)"));
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

void SessionStore::CountIn(const std::string& tenant, const Claim& claim) {
  ++reserved_sessions_;
  Usage& usage = usage_[tenant];
  ++usage.sessions;
  usage.neurons += claim.neurons;
}

void SessionStore::CountOut(const std::string& tenant, const Claim& claim) {
  --reserved_sessions_;
  Usage& usage = usage_[tenant];
  --usage.sessions;
  usage.neurons -= claim.neurons;
}

absl::StatusOr<SessionStore::NewSession> SessionStore::Begin(
    const Caller& caller, const std::string& name, const Params& params,
    std::optional<int64_t> record_steps, bool replace) {
  RETURN_IF_ERROR(ValidateSessionName(name));
  RETURN_IF_ERROR(CheckParams(params));
  ASSIGN_OR_RETURN(const int64_t steps, RecordSteps(record_steps));
  const Claim claim{int64_t{params.ne} + params.ni(),
                    SessionBytes(params, steps)};
  Key key{caller.tenant, name};
  MutexLock lock(&mu_);
  if (busy_names_.count(key) != 0) {
    if (!replace) return SessionExists(name);
    return absl::FailedPreconditionError(absl::StrCat(
        "session \"", name, "\" is being made or deleted by another call"));
  }
  auto it = sessions_.find(key);
  std::shared_ptr<Session> old = it != sessions_.end() ? it->second : nullptr;
  if (old != nullptr && !replace) return SessionExists(name);
  RETURN_IF_ERROR(CheckQuota(caller, claim, old.get()));
  std::optional<Session::Driver> old_driver;
  if (old != nullptr) {
    // Held until the replacement is visible: nothing changes or writes the
    // old session meanwhile, and it stays what readers see.
    ASSIGN_OR_RETURN(Session::Driver driver, old->TryDrive());
    old_driver.emplace(std::move(driver));
  }
  ASSIGN_OR_RETURN(MemoryBudget::Reservation memory,
                   budget_.Reserve(claim.bytes, "the session",
                                   old != nullptr ? old->memory_bytes() : 0));
  CountIn(caller.tenant, claim);
  busy_names_.insert(key);
  return NewSession(this, std::move(key), claim, std::move(memory), steps,
                    std::move(old), std::move(old_driver));
}

void SessionStore::Abandon(const Key& key, const Claim& claim) {
  MutexLock lock(&mu_);
  busy_names_.erase(key);
  CountOut(key.first, claim);
}

absl::StatusOr<std::shared_ptr<Session>> SessionStore::Commit(
    NewSession pending, Network network, ReadoutSet readouts, uint64_t seed,
    bool ephemeral, bool write) {
  auto session = std::make_shared<Session>(
      pending.key_.first, pending.key_.second, seed, std::move(network),
      std::move(readouts), pending.record_steps_, std::move(pending.memory_),
      ephemeral);
  if (absl::Status written = write ? Write(*session) : absl::OkStatus();
      !written.ok()) {
    // Save leaves the old file (or none) in place on every error but one:
    // the rename went through and only the directory's fsync failed. Put
    // the old state back in that case too (best effort).
    if (pending.old_ != nullptr) {
      Write(*pending.old_).IgnoreError();
    } else if (archive_ != nullptr) {
      archive_->Remove(pending.key_.first, pending.key_.second).IgnoreError();
    }
    return written;  // ~NewSession gives the name, quota and memory back.
  }
  MutexLock lock(&mu_);
  busy_names_.erase(pending.key_);
  if (pending.old_ != nullptr) {
    pending.old_->MarkRemoved();
    CountOut(pending.key_.first,
             {pending.old_->neurons(), pending.old_->memory_bytes()});
    metrics_->SessionRemoved(pending.key_.first);
  }
  sessions_[pending.key_] = session;
  metrics_->SessionAdded(pending.key_.first);
  pending.store_.reset();  // committed: nothing to give back.
  return session;
}

absl::StatusOr<std::shared_ptr<Session>> SessionStore::Create(
    const Caller& caller, const std::string& name, const Params& params,
    std::optional<uint64_t> seed, std::optional<int64_t> record_steps,
    bool ephemeral) {
  ASSIGN_OR_RETURN(NewSession pending,
                   Begin(caller, name, params, record_steps, false));
  const uint64_t used_seed =
      seed.has_value()
          ? *seed
          : (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
  // Building holds the initial state beside the network: reserve it too,
  // until the network is built, so a session that would not fit is refused
  // before it is half-built.
  ASSIGN_OR_RETURN(
      MemoryBudget::Reservation building,
      budget_.Reserve(EstimateBuildBytes(params), "building the session"));
  ASSIGN_OR_RETURN(Network network, Network::Create(params, used_seed));
  building = MemoryBudget::Reservation();
  return Commit(std::move(pending), std::move(network), ReadoutSet(), used_seed,
                ephemeral);
}

absl::StatusOr<std::shared_ptr<Session>> SessionStore::Fork(
    const Caller& caller, const Session& source, const std::string& name,
    std::optional<uint64_t> reseed, bool ephemeral, bool write) {
  const auto [params, capacity] = source.WithState(
      [](const Network& net, const ActivityLog& log, const ReadoutSet&) {
        return std::pair{net.params(), log.capacity()};
      });
  ASSIGN_OR_RETURN(NewSession pending,
                   Begin(caller, name, params, capacity, /*replace=*/false));
  auto [copy, readouts] = source.WithState(
      [](const Network& net, const ActivityLog&, const ReadoutSet& readouts) {
        return std::pair{net, readouts};
      });
  uint64_t seed = source.seed();
  if (reseed.has_value()) {
    NetworkState state = copy.ExportState();
    state.random = Random(*reseed).state();
    ASSIGN_OR_RETURN(copy, Network::FromState(state));
    seed = *reseed;
  }
  return Commit(std::move(pending), std::move(copy), std::move(readouts), seed,
                ephemeral, write);
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
  return Remove({caller.tenant, name}, nullptr);
}

std::vector<std::string> SessionStore::ReapIdle(
    std::chrono::steady_clock::time_point now,
    std::chrono::steady_clock::duration ttl) {
  auto idle = [&](const Session& s) {
    return s.ephemeral() && now - s.last_used() > ttl;
  };
  std::vector<Key> candidates;
  {
    ReaderMutexLock lock(&mu_);
    for (const auto& [key, session] : sessions_) {
      if (idle(*session)) candidates.push_back(key);
    }
  }
  std::vector<std::string> reaped;
  for (const Key& key : candidates) {
    // Checked again under the driver: a call may have used it since.
    absl::Status removed = Remove(key, [&](const Session& s) {
      return idle(s) ? absl::OkStatus()
                     : absl::FailedPreconditionError("used again");
    });
    if (removed.ok()) reaped.push_back(key.first + "/" + key.second);
  }
  return reaped;
}

absl::Status SessionStore::Remove(
    const Key& key, const std::function<absl::Status(const Session&)>& check) {
  const std::string& name = key.second;
  std::shared_ptr<Session> doomed;  // outlives its driver.
  std::optional<Session::Driver> driver;
  {
    MutexLock lock(&mu_);
    auto it = sessions_.find(key);
    // A name being made is not a session yet.
    if (it == sessions_.end()) return NoSuchSession(name);
    if (busy_names_.count(key) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("session \"", name,
                       "\" is being replaced or deleted by another call"));
    }
    doomed = it->second;
    ASSIGN_OR_RETURN(Session::Driver taken, doomed->TryDrive());
    if (check != nullptr) RETURN_IF_ERROR(check(*doomed));
    driver.emplace(std::move(taken));
    busy_names_.insert(key);
  }
  // The file goes first: a session that is gone from memory is gone from
  // disk, and one whose file could not be removed is still there.
  absl::Status removed = archive_ == nullptr
                             ? absl::OkStatus()
                             : archive_->Remove(key.first, name);
  if (!removed.ok()) Write(*doomed).IgnoreError();  // see Commit.
  MutexLock lock(&mu_);
  busy_names_.erase(key);
  if (!removed.ok()) {
    return Prefixed(removed,
                    absl::StrCat("session \"", name, "\" was not deleted: "));
  }
  doomed->MarkRemoved();
  sessions_.erase(key);
  CountOut(key.first, {doomed->neurons(), doomed->memory_bytes()});
  metrics_->SessionRemoved(key.first);
  return absl::OkStatus();
}

absl::StatusOr<MemoryBudget::Reservation> SessionStore::ReserveWrite(
    const Session& session) {
  return budget_.Reserve(
      archive_ == nullptr ? 0 : archive_->WriteBytes(session),
      "saving the session");
}

absl::Status SessionStore::Write(const Session& session, bool memory_held) {
  if (archive_ == nullptr) return absl::OkStatus();
  const auto start = std::chrono::steady_clock::now();
  absl::Status s = [&]() -> absl::Status {
    MemoryBudget::Reservation memory;
    if (!memory_held) {
      ASSIGN_OR_RETURN(memory, ReserveWrite(session));
    }
    return archive_->Save(session);
  }();
  metrics_->RecordCheckpoint(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count(),
      s.ok());
  if (!s.ok()) {
    return Prefixed(
        s, absl::StrCat("session \"", session.name(), "\" was not saved: "));
  }
  return absl::OkStatus();
}

absl::Status SessionStore::Persist(Session& session, bool memory_held) {
  absl::Status written = Write(session, memory_held);
  if (written.ok()) return written;
  absl::Status rolled_back = RollBack(session);
  std::string outcome =
      rolled_back.ok() ? "; the session is back at its last saved state"
      : absl::IsNotFound(rolled_back)
          // A fork_to fork, written first by this checkpoint: its call
          // fails, which discards it.
          ? "; the session had never been saved"
          : absl::StrCat("; and it could not be rolled back: ",
                         rolled_back.message());
  return absl::Status(written.code(), absl::StrCat(written.message(), outcome));
}

absl::Status SessionStore::RollBack(Session& session) {
  ASSIGN_OR_RETURN(ArchivedSession saved,
                   archive_->Load(session.tenant(), session.name()));
  ASSIGN_OR_RETURN(Network network, Network::FromState(saved.state));
  ReadoutSet readouts;
  for (auto& [name, readout] : saved.readouts) {
    RETURN_IF_ERROR(readout.status());
    RETURN_IF_ERROR(
        readouts.Restore(name, *std::move(readout), ShapeOf(network)));
  }
  session.Restore(std::move(network), std::move(readouts));
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<Session>> SessionStore::Load(
    ArchivedSession saved,
    const std::function<void(const std::string&)>& report) {
  // Quotas may have shrunk since the session was made; it stays.
  const Caller owner{saved.tenant, Role::kAdmin, TenantQuota{}};
  ASSIGN_OR_RETURN(NewSession pending,
                   Begin(owner, saved.name, saved.state.params,
                         saved.record_buffer_steps, /*replace=*/false));
  ASSIGN_OR_RETURN(Network network, Network::FromState(saved.state));
  // One bad readout costs that readout, not the session: each is checked
  // with the ones kept before it (so a duplicate name, or one past the
  // limit on readouts, is left out too), and the valid ones are kept.
  ReadoutSet readouts;
  for (auto& [name, readout] : saved.readouts) {
    absl::Status kept = readout.status();
    if (kept.ok())
      kept = readouts.Restore(name, *std::move(readout), ShapeOf(network));
    if (!kept.ok()) {
      report(absl::StrCat("left out readout \"", name, "\" of session \"",
                          saved.name, "\" (tenant ", saved.tenant,
                          "): ", kept.message()));
    }
  }
  // The archive is the state: loading writes nothing.
  auto session = std::make_shared<Session>(
      saved.tenant, saved.name, saved.seed, std::move(network),
      std::move(readouts), pending.record_steps_, std::move(pending.memory_),
      saved.ephemeral);
  MutexLock lock(&mu_);
  busy_names_.erase(pending.key_);
  sessions_[pending.key_] = session;
  metrics_->SessionAdded(saved.tenant);
  pending.store_.reset();
  return session;
}

int SessionStore::LoadFromDisk(
    const std::function<void(const std::string&)>& report) {
  if (archive_ == nullptr) return 0;
  SessionArchive::Contents contents = archive_->LoadAll();
  for (const std::string& path : contents.removed) {
    report("removed the temp file of an interrupted write: " + path);
  }
  for (const std::string& problem : contents.problems) {
    report("skipped " + problem);
  }
  int count = 0;
  for (ArchivedSession& saved : contents.sessions) {
    const std::string tenant = saved.tenant;
    const std::string name = saved.name;
    absl::StatusOr<std::shared_ptr<Session>> session =
        Load(std::move(saved), report);
    if (session.ok()) {
      ++count;
      continue;
    }
    // A session over a limit the server has now (after --max_ne or
    // --max_memory_bytes were lowered, say) is sound: it is kept under a
    // name that says so, to be renamed back once the limit allows it.
    const bool over_limit =
        session.status().code() == absl::StatusCode::kResourceExhausted;
    absl::StatusOr<std::string> aside = archive_->SetAside(
        tenant, name, over_limit ? "over-limit" : "unloadable");
    report(absl::StrCat(
        "skipped ", archive_->Where(tenant, name), ": ",
        session.status().message(), "; ",
        aside.ok() ? absl::StrCat("moved to ", *aside,
                                  over_limit ? " (rename it back to load it "
                                               "once the limit allows)"
                                             : "")
                   : absl::StrCat("not moved: ", aside.status().message())));
  }
  return count;
}

}  // namespace sorn::server
