#include "server/session_store.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "server/proto_convert.h"
#include "server/session_name.h"

namespace sorn::server {

absl::Status SessionStore::CheckLimits(const Params& params) const {
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

absl::Status SessionStore::CheckFreeName(const std::string& name,
                                         bool replace) const {
  auto it = sessions_.find(name);
  if (it == sessions_.end()) {
    if (int(sessions_.size()) >= options_.max_sessions) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the server holds its maximum of ",
                       options_.max_sessions, " sessions (--max_sessions)"));
    }
    return absl::OkStatus();
  }
  if (!replace) {
    return absl::AlreadyExistsError(
        absl::StrCat("session \"", name, "\" already exists"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<Session>> SessionStore::Create(
    const std::string& name, const Params& params, std::optional<uint64_t> seed,
    std::optional<int64_t> record_steps) {
  RETURN_IF_ERROR(ValidateSessionName(name));
  RETURN_IF_ERROR(CheckLimits(params));
  absl::StatusOr<int64_t> steps = RecordSteps(record_steps);
  if (!steps.ok()) return steps.status();
  {
    absl::ReaderMutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckFreeName(name, /*replace=*/false));
  }
  const uint64_t used_seed =
      seed.has_value()
          ? *seed
          : (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
  absl::StatusOr<Network> network = Network::Create(params, used_seed);
  if (!network.ok()) return network.status();
  auto session =
      std::make_shared<Session>(name, used_seed, *std::move(network), *steps);
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckFreeName(name, /*replace=*/false));
  sessions_[name] = session;
  return session;
}

absl::StatusOr<std::shared_ptr<Session>> SessionStore::Add(
    const std::string& name, Network network, uint64_t seed,
    std::optional<int64_t> record_steps, bool replace) {
  RETURN_IF_ERROR(ValidateSessionName(name));
  RETURN_IF_ERROR(CheckLimits(network.params()));
  absl::StatusOr<int64_t> steps = RecordSteps(record_steps);
  if (!steps.ok()) return steps.status();
  auto session =
      std::make_shared<Session>(name, seed, std::move(network), *steps);
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckFreeName(name, replace));
  auto it = sessions_.find(name);
  // Replacing: the old session must not be driven now. `old` outlives the
  // driver, which releases it on destruction.
  std::shared_ptr<Session> old = it != sessions_.end() ? it->second : nullptr;
  if (old != nullptr) {
    absl::StatusOr<Session::Driver> driver = old->TryDrive();
    if (!driver.ok()) return driver.status();
    sessions_[name] = session;
    return session;
  }
  sessions_[name] = session;
  return session;
}

absl::StatusOr<std::shared_ptr<Session>> SessionStore::Get(
    const std::string& name) const {
  RETURN_IF_ERROR(ValidateSessionName(name));
  absl::ReaderMutexLock lock(&mu_);
  auto it = sessions_.find(name);
  if (it == sessions_.end()) {
    return absl::NotFoundError(absl::StrCat("no session \"", name, "\""));
  }
  return it->second;
}

std::vector<std::shared_ptr<Session>> SessionStore::List() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<std::shared_ptr<Session>> all;
  all.reserve(sessions_.size());
  for (const auto& [name, session] : sessions_) all.push_back(session);
  return all;
}

absl::Status SessionStore::Persist(const Session& session) {
  if (files_ == nullptr) return absl::OkStatus();
  sorn::v1::StoredSession stored;
  stored.set_name(session.name());
  stored.set_seed(session.seed());
  session.WithState([&](const Network& net, const ActivityLog& log) {
    stored.set_record_buffer_steps(log.capacity());
    NetworkStateToProto(net.ExportState(), stored.mutable_state());
  });
  absl::Status s = files_->Save(stored);
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
    absl::StatusOr<NetworkState> state = NetworkStateFromProto(stored.state());
    absl::StatusOr<Network> network =
        state.ok() ? Network::FromState(*state)
                   : absl::StatusOr<Network>(state.status());
    absl::StatusOr<std::shared_ptr<Session>> session =
        network.ok()
            ? Add(stored.name(), *std::move(network), stored.seed(),
                  stored.record_buffer_steps(), /*replace=*/false)
            : absl::StatusOr<std::shared_ptr<Session>>(network.status());
    if (!session.ok()) {
      report(absl::StrCat("skipped ", files_->PathOf(stored.name()), ": ",
                          session.status().message()));
      continue;
    }
    ++count;
  }
  return count;
}

absl::Status SessionStore::Delete(const std::string& name) {
  RETURN_IF_ERROR(ValidateSessionName(name));
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(name);
  if (it == sessions_.end()) {
    return absl::NotFoundError(absl::StrCat("no session \"", name, "\""));
  }
  std::shared_ptr<Session> doomed = it->second;  // outlives the driver.
  absl::StatusOr<Session::Driver> driver = doomed->TryDrive();
  if (!driver.ok()) return driver.status();
  sessions_.erase(it);
  return files_ == nullptr ? absl::OkStatus() : files_->Remove(name);
}

}  // namespace sorn::server
