// SornService: the unary calls on sessions (create, get, list, delete,
// freeze, fork).
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "server/proto_convert.h"
#include "server/sorn_service.h"
#include "server/status_convert.h"

namespace sorn::server {

void DescribeSession(const Session& session, pb::SessionInfo* info) {
  info->set_name(session.name());
  info->set_seed(session.seed());
  session.WithState([&](const Network& net, const ActivityLog& log) {
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
  });
}

grpc::Status SornService::CreateSession(grpc::ServerContext*,
                                        const pb::CreateSessionRequest* request,
                                        pb::SessionInfo* info) {
  absl::StatusOr<Params> params = ParamsFromProto(request->params());
  if (!params.ok()) return ToGrpcStatus(params.status());
  absl::StatusOr<std::shared_ptr<Session>> session = store_->Create(
      request->name(), *params,
      request->has_seed() ? std::optional<uint64_t>(request->seed())
                          : std::nullopt,
      request->has_record_buffer_steps()
          ? std::optional<int64_t>(request->record_buffer_steps())
          : std::nullopt);
  if (!session.ok()) return ToGrpcStatus(session.status());
  if (absl::Status p = store_->Persist(**session); !p.ok())
    return ToGrpcStatus(p);
  DescribeSession(**session, info);
  return grpc::Status::OK;
}

grpc::Status SornService::GetSession(grpc::ServerContext*,
                                     const pb::GetSessionRequest* request,
                                     pb::SessionInfo* info) {
  absl::StatusOr<std::shared_ptr<Session>> session =
      store_->Get(request->name());
  if (!session.ok()) return ToGrpcStatus(session.status());
  DescribeSession(**session, info);
  return grpc::Status::OK;
}

grpc::Status SornService::ListSessions(grpc::ServerContext*,
                                       const pb::ListSessionsRequest*,
                                       pb::ListSessionsResponse* response) {
  for (const std::shared_ptr<Session>& s : store_->List()) {
    DescribeSession(*s, response->add_sessions());
  }
  return grpc::Status::OK;
}

grpc::Status SornService::DeleteSession(grpc::ServerContext*,
                                        const pb::DeleteSessionRequest* request,
                                        pb::DeleteSessionResponse*) {
  return ToGrpcStatus(store_->Delete(request->name()));
}

grpc::Status SornService::Freeze(grpc::ServerContext*,
                                 const pb::FreezeRequest* request,
                                 pb::SessionInfo* info) {
  absl::StatusOr<std::shared_ptr<Session>> session =
      store_->Get(request->session());
  if (!session.ok()) return ToGrpcStatus(session.status());
  absl::StatusOr<FreezeSet> add = FreezeFromProto(request->freeze());
  if (!add.ok()) return ToGrpcStatus(add.status());
  absl::StatusOr<FreezeSet> remove = FreezeFromProto(request->unfreeze());
  if (!remove.ok()) return ToGrpcStatus(remove.status());
  absl::StatusOr<Session::Driver> driver = (*session)->TryDrive();
  if (!driver.ok()) return ToGrpcStatus(driver.status());
  (*session)->WithState([&](Network& net, ActivityLog&) {
    const uint8_t bits = (net.frozen().bits() | add->bits()) & ~remove->bits();
    net.set_frozen(FreezeSet::FromBits(bits));
  });
  if (absl::Status p = store_->Persist(**session); !p.ok())
    return ToGrpcStatus(p);
  DescribeSession(**session, info);
  return grpc::Status::OK;
}

grpc::Status SornService::ForkSession(grpc::ServerContext*,
                                      const pb::ForkSessionRequest* request,
                                      pb::SessionInfo* info) {
  absl::StatusOr<std::shared_ptr<Session>> source =
      store_->Get(request->source());
  if (!source.ok()) return ToGrpcStatus(source.status());
  auto [copy, capacity] =
      (*source)->WithState([](const Network& net, const ActivityLog& log) {
        return std::pair{net, log.capacity()};
      });
  uint64_t seed = (*source)->seed();
  if (request->has_reseed()) {
    NetworkState state = copy.ExportState();
    state.random = Random(request->reseed()).state();
    absl::StatusOr<Network> reseeded = Network::FromState(state);
    if (!reseeded.ok()) return ToGrpcStatus(reseeded.status());
    copy = *std::move(reseeded);
    seed = request->reseed();
  }
  absl::StatusOr<std::shared_ptr<Session>> fork = store_->Add(
      request->name(), std::move(copy), seed, capacity, /*replace=*/false);
  if (!fork.ok()) return ToGrpcStatus(fork.status());
  if (absl::Status p = store_->Persist(**fork); !p.ok()) return ToGrpcStatus(p);
  DescribeSession(**fork, info);
  return grpc::Status::OK;
}

}  // namespace sorn::server
