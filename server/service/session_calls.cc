// SornService: the unary calls on sessions (create, get, list, delete,
// freeze, fork).
#include "absl/strings/str_cat.h"
#include "core/presets.h"
#include "core/status_macros.h"
#include "server/service/sorn_service.h"
#include "server/wire/proto_convert.h"
#include "server/wire/readout_convert.h"

namespace sorn::server {

namespace pb = ::sorn::v1;

void DescribeSession(const Session& session, pb::SessionInfo* info) {
  info->set_name(session.name());
  info->set_tenant(session.tenant());
  info->set_seed(session.seed());
  info->set_ephemeral(session.ephemeral());
  info->set_memory_bytes(session.memory_bytes());
  session.WithState([&](const Network& net, const ActivityLog& log,
                        const ReadoutSet& readouts) {
    ParamsToProto(net.params(), info->mutable_params());
    info->set_ne(net.ne());
    info->set_ni(net.ni());
    info->set_nu(net.nu());
    info->set_step(net.step_count());
    FreezeToProto(net.frozen(), info->mutable_frozen());
    info->set_ee_connections(net.wee().nnz());
    info->set_ei_connections(net.wei().nnz());
    info->set_ie_connections(net.wie().nnz());
    info->set_recorded_steps(log.size());
    info->set_record_buffer_steps(log.capacity());
    info->set_rate_x(log.MeanRate(Population::kExcitatory));
    info->set_rate_y(log.MeanRate(Population::kInhibitory));
    for (const auto& [name, readout] : readouts.readouts()) {
      ReadoutInfoToProto(name, readout, ShapeOf(net), info->add_readouts());
    }
  });
}

grpc::Status SornService::CreateSession(grpc::ServerContext* context,
                                        const pb::CreateSessionRequest* request,
                                        pb::SessionInfo* info) {
  return Serve(
      context, "CreateSession", Kind::kUnary,
      [&](const Caller& caller, CallRecord& call) -> absl::Status {
        call.session = request->name();
        ASSIGN_OR_RETURN(const Params preset, PresetParams(request->preset()));
        ASSIGN_OR_RETURN(const Params params,
                         ParamsFromProto(request->params(), preset));
        ASSIGN_OR_RETURN(
            std::shared_ptr<Session> session,
            store_->Create(
                caller, request->name(), params,
                request->has_seed() ? std::optional<uint64_t>(request->seed())
                                    : std::nullopt,
                request->has_record_buffer_steps()
                    ? std::optional<int64_t>(request->record_buffer_steps())
                    : std::nullopt,
                request->ephemeral()));
        DescribeSession(*session, info);
        return absl::OkStatus();
      });
}

grpc::Status SornService::GetSession(grpc::ServerContext* context,
                                     const pb::GetSessionRequest* request,
                                     pb::SessionInfo* info) {
  return Serve(context, "GetSession", Kind::kUnary,
               [&](const Caller& caller, CallRecord& call) -> absl::Status {
                 ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                                  Lookup(caller, request->name(), call));
                 DescribeSession(*session, info);
                 return absl::OkStatus();
               });
}

grpc::Status SornService::ListSessions(grpc::ServerContext* context,
                                       const pb::ListSessionsRequest* request,
                                       pb::ListSessionsResponse* response) {
  return Serve(context, "ListSessions", Kind::kUnary,
               [&](const Caller& caller, CallRecord&) -> absl::Status {
                 if (request->all_tenants() && !caller.is_admin()) {
                   return absl::PermissionDeniedError(
                       "only an admin may list every tenant's sessions");
                 }
                 for (const std::shared_ptr<Session>& s :
                      store_->List(caller, request->all_tenants())) {
                   DescribeSession(*s, response->add_sessions());
                 }
                 return absl::OkStatus();
               });
}

grpc::Status SornService::DeleteSession(grpc::ServerContext* context,
                                        const pb::DeleteSessionRequest* request,
                                        pb::DeleteSessionResponse*) {
  return Serve(context, "DeleteSession", Kind::kUnary,
               [&](const Caller& caller, CallRecord& call) {
                 call.session = request->name();
                 return store_->Delete(caller, request->name());
               });
}

grpc::Status SornService::Freeze(grpc::ServerContext* context,
                                 const pb::FreezeRequest* request,
                                 pb::SessionInfo* info) {
  return Serve(
      context, "Freeze", Kind::kUnary,
      [&](const Caller& caller, CallRecord& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                         Lookup(caller, request->session(), call));
        ASSIGN_OR_RETURN(const FreezeSet add,
                         FreezeFromProto(request->freeze()));
        ASSIGN_OR_RETURN(const FreezeSet remove,
                         FreezeFromProto(request->unfreeze()));
        ASSIGN_OR_RETURN(const Session::Driver driver, session->TryDrive());
        session->WithState([&](Network& net, ActivityLog&, ReadoutSet&) {
          const uint8_t bits =
              (net.frozen().bits() | add.bits()) & ~remove.bits();
          net.set_frozen(FreezeSet::FromBits(bits));
        });
        RETURN_IF_ERROR(store_->Persist(*session));
        DescribeSession(*session, info);
        return absl::OkStatus();
      });
}

grpc::Status SornService::ForkSession(grpc::ServerContext* context,
                                      const pb::ForkSessionRequest* request,
                                      pb::SessionInfo* info) {
  return Serve(
      context, "ForkSession", Kind::kUnary,
      [&](const Caller& caller, CallRecord& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::shared_ptr<Session> source,
                         Lookup(caller, request->source(), call));
        ASSIGN_OR_RETURN(
            std::shared_ptr<Session> fork,
            store_->Fork(caller, *source, request->name(),
                         request->has_reseed()
                             ? std::optional<uint64_t>(request->reseed())
                             : std::nullopt,
                         request->ephemeral()));
        DescribeSession(*fork, info);
        return absl::OkStatus();
      });
}

}  // namespace sorn::server
