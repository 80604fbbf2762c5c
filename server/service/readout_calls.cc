// SornService: the readout calls (FitReadout, DeleteReadout). Both drive the
// session, so a readout never changes under a Simulate, Train or Step that
// evaluates it.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "server/service/sorn_service.h"
#include "server/sessions/session_name.h"
#include "server/wire/readout_convert.h"

namespace sorn::server {

namespace pb = ::sorn::v1;
namespace {

// ReadoutOptions' default: enough to keep never-firing neurons from making
// the normal equations singular, too small to bias a fit noticeably.
constexpr double kDefaultRegularization = 1e-6;

absl::Status ValidateReadoutName(const std::string& name) {
  absl::Status s = ValidateSessionName(name);
  if (s.ok()) return s;
  return absl::InvalidArgumentError(
      absl::StrCat("readout name: ", s.message()));
}

// Reads a fit's features under the session's lock, reserving its working
// memory (FitBytes) into `memory` first, held until the fit is installed. A
// fit over `max_bytes` (--max_readout_bytes) is left to Prepare, which
// refuses it naming that limit.
absl::StatusOr<ReadoutFit> PrepareFit(Session& session,
                                      const pb::FitReadoutRequest& request,
                                      const ReadoutFeatures& features,
                                      const ReadoutTargets& targets,
                                      double lambda, int64_t max_bytes,
                                      MemoryBudget* budget, ReadoutShape* shape,
                                      MemoryBudget::Reservation* memory) {
  return session.WithState(
      [&](const Network& net, const ActivityLog& log,
          const ReadoutSet& readouts) -> absl::StatusOr<ReadoutFit> {
        *shape = ShapeOf(net);
        const int64_t fit_bytes = ReadoutSet::FitBytes(
            targets.rows(), ReadoutSet::FeatureCount(features, *shape),
            targets.outputs(), lambda);
        if (fit_bytes <= max_bytes) {
          ASSIGN_OR_RETURN(
              *memory,
              budget->Reserve(fit_bytes, "FitReadout's features and solver"));
        }
        return readouts.Prepare(request.readout(), features, targets, lambda,
                                request.skip_last(), log, *shape,
                                net.step_count(), max_bytes);
      });
}

// RESOURCE_EXHAUSTED when a reply with the fitted weights would pass the
// message limit.
absl::Status CheckWeightsFit(const pb::FitReadoutResponse& response,
                             int64_t max_message_bytes) {
  const size_t bytes = response.ByteSizeLong();
  if (bytes <= size_t(max_message_bytes)) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "the fitted weights take ", bytes,
      " bytes, over this server's message limit of ", max_message_bytes,
      " bytes (--max_message_bytes): fit without return_weights and read "
      "them with ExportState"));
}

}  // namespace

grpc::Status SornService::FitReadout(grpc::ServerContext* context,
                                     const pb::FitReadoutRequest* request,
                                     pb::FitReadoutResponse* response) {
  return Serve(
      context, "FitReadout", Kind::kUnary,
      [&](const Caller& caller, CallRecord& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                         Lookup(caller, request->session(), call));
        RETURN_IF_ERROR(ValidateReadoutName(request->readout()));
        ASSIGN_OR_RETURN(const ReadoutFeatures features,
                         ReadoutFeaturesFromProto(request->features()));
        ASSIGN_OR_RETURN(const ReadoutTargets targets,
                         ReadoutTargetsFromProto(*request));
        const double lambda = request->has_regularization()
                                  ? request->regularization()
                                  : kDefaultRegularization;
        ASSIGN_OR_RETURN(const Session::Driver driver, session->TryDrive());
        // Read under the lock, solved outside it (readers are not held up
        // by a long fit), installed under it; the driver keeps the log and
        // the readouts as they were in between.
        ReadoutShape shape;
        MemoryBudget::Reservation fit_memory;
        ASSIGN_OR_RETURN(const ReadoutFit fit,
                         PrepareFit(*session, *request, features, targets,
                                    lambda, options_.max_readout_bytes,
                                    store_->budget(), &shape, &fit_memory));
        ASSIGN_OR_RETURN(NamedReadout solved, ReadoutSet::Solve(fit, targets));
        ReadoutInfoToProto(request->readout(), solved, shape,
                           response->mutable_readout());
        if (request->return_weights()) {
          WeightsToProto(solved.readout.weights(), response->mutable_weights());
          // Checked before the readout is installed: a reply gRPC could not
          // send must not come with a changed session.
          RETURN_IF_ERROR(
              CheckWeightsFit(*response, options_.max_message_bytes));
        }
        session->WithState(
            [&](const Network&, const ActivityLog&, ReadoutSet& readouts) {
              readouts.Install(request->readout(), std::move(solved));
            });
        return store_->Persist(*session);
      });
}

grpc::Status SornService::DeleteReadout(grpc::ServerContext* context,
                                        const pb::DeleteReadoutRequest* request,
                                        pb::SessionInfo* info) {
  return Serve(
      context, "DeleteReadout", Kind::kUnary,
      [&](const Caller& caller, CallRecord& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                         Lookup(caller, request->session(), call));
        RETURN_IF_ERROR(ValidateReadoutName(request->readout()));
        ASSIGN_OR_RETURN(const Session::Driver driver, session->TryDrive());
        RETURN_IF_ERROR(session->WithState(
            [&](const Network&, const ActivityLog&, ReadoutSet& readouts) {
              return readouts.Remove(request->readout());
            }));
        RETURN_IF_ERROR(store_->Persist(*session));
        DescribeSession(*session, info);
        return absl::OkStatus();
      });
}

}  // namespace sorn::server
