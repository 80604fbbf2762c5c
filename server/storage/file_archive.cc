#include "server/storage/file_archive.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "server/wire/proto_convert.h"
#include "server/wire/readout_convert.h"

namespace sorn::server {

sorn::v1::StoredSession FileArchive::ToStored(const Session& session) {
  sorn::v1::StoredSession stored;
  stored.set_tenant(session.tenant());
  stored.set_name(session.name());
  stored.set_seed(session.seed());
  stored.set_ephemeral(session.ephemeral());
  session.WithState([&](const Network& net, const ActivityLog& log,
                        const ReadoutSet& readouts) {
    stored.set_record_buffer_steps(log.capacity());
    NetworkStateToProto(net.ExportState(), stored.mutable_state());
    ReadoutSetToProto(readouts, ShapeOf(net),
                      stored.mutable_state()->mutable_readouts());
  });
  return stored;
}

absl::StatusOr<ArchivedSession> FileArchive::FromStored(
    const sorn::v1::StoredSession& stored) {
  ArchivedSession session;
  session.tenant = stored.tenant();
  session.name = stored.name();
  session.seed = stored.seed();
  session.record_buffer_steps = stored.record_buffer_steps();
  session.ephemeral = stored.ephemeral();
  ASSIGN_OR_RETURN(session.state, NetworkStateFromProto(stored.state()));
  const Params& p = session.state.params;
  const ReadoutShape shape{p.ne, p.ni(), p.nu};
  for (const sorn::v1::ReadoutState& readout : stored.state().readouts()) {
    session.readouts.emplace_back(readout.info().name(),
                                  ReadoutFromProto(readout, shape));
  }
  return session;
}

int64_t FileArchive::WriteBytes(const Session& session) const {
  // Serializing holds the state twice at its peak (the message, then the
  // message and its bytes).
  return 2 * session.StateBytes();
}

absl::Status FileArchive::Save(const Session& session) {
  return files_->Save(ToStored(session));
}

absl::StatusOr<ArchivedSession> FileArchive::Load(
    const std::string& tenant, const std::string& name) const {
  ASSIGN_OR_RETURN(const sorn::v1::StoredSession stored,
                   files_->Load(tenant, name));
  return FromStored(stored);
}

absl::Status FileArchive::Remove(const std::string& tenant,
                                 const std::string& name) {
  return files_->Remove(tenant, name);
}

SessionArchive::Contents FileArchive::LoadAll() {
  SessionFiles::Loaded loaded = files_->LoadAll();
  Contents contents;
  contents.problems = std::move(loaded.problems);
  contents.removed = std::move(loaded.removed);
  for (const sorn::v1::StoredSession& stored : loaded.sessions) {
    absl::StatusOr<ArchivedSession> session = FromStored(stored);
    if (session.ok()) {
      contents.sessions.push_back(*std::move(session));
      continue;
    }
    const std::string path = Where(stored.tenant(), stored.name());
    absl::StatusOr<std::string> aside =
        SetAside(stored.tenant(), stored.name(), "unloadable");
    contents.problems.push_back(absl::StrCat(
        path, ": ", session.status().message(), "; ",
        aside.ok() ? absl::StrCat("moved to ", *aside)
                   : absl::StrCat("not moved: ", aside.status().message())));
  }
  return contents;
}

absl::StatusOr<std::string> FileArchive::SetAside(const std::string& tenant,
                                                  const std::string& name,
                                                  const std::string& why) {
  return files_->MoveAside(files_->PathOf(tenant, name), why);
}

std::string FileArchive::Where(const std::string& tenant,
                               const std::string& name) const {
  return files_->PathOf(tenant, name);
}

}  // namespace sorn::server
