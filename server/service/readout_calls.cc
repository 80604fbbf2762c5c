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
        absl::StatusOr<ReadoutFeatures> features =
            ReadoutFeaturesFromProto(request->features());
        if (!features.ok()) return features.status();
        absl::StatusOr<ReadoutTargets> targets =
            ReadoutTargetsFromProto(*request);
        if (!targets.ok()) return targets.status();
        const double lambda = request->has_regularization()
                                  ? request->regularization()
                                  : kDefaultRegularization;
        ASSIGN_OR_RETURN(const Session::Driver driver, session->TryDrive());
        // Read under the lock, solved outside it (readers are not held up
        // by a long fit), installed under it; the driver keeps the log and
        // the readouts as they were in between.
        ReadoutShape shape;
        // The fit's working memory (FitBytes), reserved before Prepare
        // copies the features and held until the fit is installed. A fit
        // over --max_readout_bytes is left to Prepare, which refuses it
        // naming that limit.
        MemoryBudget::Reservation fit_memory;
        absl::StatusOr<ReadoutFit> fit = session->WithState(
            [&](const Network& net, const ActivityLog& log,
                const ReadoutSet& readouts) -> absl::StatusOr<ReadoutFit> {
              shape = ShapeOf(net);
              const int64_t fit_bytes = ReadoutSet::FitBytes(
                  targets->rows(), ReadoutSet::FeatureCount(*features, shape),
                  targets->outputs());
              if (fit_bytes <= options_.max_readout_bytes) {
                ASSIGN_OR_RETURN(
                    fit_memory,
                    store_->budget()->Reserve(
                        fit_bytes,
                        "FitReadout's features and normal equations"));
              }
              return readouts.Prepare(request->readout(), *features, *targets,
                                      lambda, request->skip_last(), log, shape,
                                      net.step_count(),
                                      options_.max_readout_bytes);
            });
        if (!fit.ok()) return fit.status();
        absl::StatusOr<NamedReadout> solved = ReadoutSet::Solve(*fit, *targets);
        if (!solved.ok()) return solved.status();
        ReadoutInfoToProto(request->readout(), *solved, shape,
                           response->mutable_readout());
        if (request->return_weights()) {
          WeightsToProto(solved->readout.weights(),
                         response->mutable_weights());
          // Checked before the readout is installed: a reply gRPC could not
          // send must not come with a changed session.
          const size_t bytes = response->ByteSizeLong();
          if (bytes > size_t(options_.max_message_bytes)) {
            return absl::ResourceExhaustedError(absl::StrCat(
                "the fitted weights take ", bytes,
                " bytes, over this server's message limit of ",
                options_.max_message_bytes,
                " bytes (--max_message_bytes): fit without return_weights "
                "and read them with ExportState"));
          }
        }
        session->WithState(
            [&](const Network&, const ActivityLog&, ReadoutSet& readouts) {
              readouts.Install(request->readout(), *std::move(solved));
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
