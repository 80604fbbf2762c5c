// SornService: the calls that step a session (Simulate, Train, Step). Each
// checks its request, begins a SessionRun (the shared run loop) and hands it
// to its response stream (run_streams.h).
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "server/service/run_streams.h"
#include "server/service/sorn_service.h"

namespace sorn::server {

namespace pb = ::sorn::v1;

grpc::Status SornService::Simulate(
    grpc::ServerContext* context, const pb::RunRequest* request,
    grpc::ServerWriter<pb::RunResponse>* writer) {
  return Serve(context, "Simulate", Kind::kStream,
               [&](const Caller& caller, CallRecord& call) {
                 return Run(context, caller, *request, Phase::kPlasticity,
                            writer, call);
               });
}

grpc::Status SornService::Train(grpc::ServerContext* context,
                                const pb::RunRequest* request,
                                grpc::ServerWriter<pb::RunResponse>* writer) {
  return Serve(context, "Train", Kind::kStream,
               [&](const Caller& caller, CallRecord& call) {
                 return Run(context, caller, *request, Phase::kTraining, writer,
                            call);
               });
}

absl::StatusOr<SessionRun> SornService::BeginRun(
    const Caller& caller, std::shared_ptr<Session> session,
    const ReadoutNames& readouts, FreezeSet freeze) {
  SessionRun::Options options;
  options.checkpoint_every_steps = options_.checkpoint_every_steps;
  options.freeze = freeze;
  options.tenant = caller.tenant;
  return SessionRun::Begin(
      store_, std::move(session),
      std::vector<std::string>(readouts.begin(), readouts.end()), options,
      metrics_);
}

absl::Status SornService::Run(grpc::ServerContext* context,
                              const Caller& caller,
                              const pb::RunRequest& request,
                              Phase default_phase,
                              grpc::ServerWriter<pb::RunResponse>* writer,
                              CallRecord& call) {
  ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                   Lookup(caller, request.session(), call));
  ASSIGN_OR_RETURN(
      const RunPlan plan,
      RunPlan::FromProto(request, default_phase, options_.max_steps_per_call));
  if (request.release_size() > options_.max_sessions) {
    return absl::InvalidArgumentError(
        absl::StrCat("release names ", request.release_size(),
                     " sessions, more than this server holds (",
                     options_.max_sessions, ", --max_sessions)"));
  }
  if (request.fork_to().empty()) {
    RETURN_IF_ERROR(
        RunSession(context, caller, session, request, plan, writer, call));
  } else {
    // The source does not change; the fork is the call's, and goes with an
    // error, so that an error means no change. Its run's last checkpoint
    // writes it (with --data_dir), so the fork itself is not written.
    call.session = request.fork_to();
    ASSIGN_OR_RETURN(session, store_->Fork(caller, *session, request.fork_to(),
                                           std::nullopt, /*ephemeral=*/true,
                                           /*write=*/false));
    absl::Status status =
        RunSession(context, caller, session, request, plan, writer, call);
    if (!status.ok()) {
      session.reset();
      store_->Delete(caller, request.fork_to()).IgnoreError();
      return status;
    }
  }
  // Released once the call succeeded, for the same reason.
  for (const std::string& name : request.release()) {
    absl::StatusOr<std::shared_ptr<Session>> released =
        store_->Get(caller, name);
    if (released.ok() && (*released)->ephemeral()) {
      store_->Delete(caller, name).IgnoreError();
    }
  }
  return absl::OkStatus();
}

absl::Status SornService::RunSession(
    grpc::ServerContext* context, const Caller& caller,
    std::shared_ptr<Session> session, const pb::RunRequest& request,
    const RunPlan& plan, grpc::ServerWriter<pb::RunResponse>* writer,
    CallRecord& call) {
  // The driver first: a driven session refuses at once, and the shape read
  // next cannot change before the call's own steps.
  ASSIGN_OR_RETURN(SessionRun run,
                   BeginRun(caller, session, request.readouts(), plan.freeze));
  const RunShape shape = ShapeOfRun(*session);
  ASSIGN_OR_RETURN(InputSource inputs, InputSource::Create(request, shape.nu));
  RunStream stream(context, &request, plan, std::move(inputs), &run, writer,
                   &call, metrics_);
  RETURN_IF_ERROR(
      stream.Reserve(store_->budget(), options_.max_message_bytes, shape));
  RETURN_IF_ERROR(run.StartCheckpoints());
  return run.Finish(stream.Run());
}

grpc::Status SornService::Step(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<pb::StepResponse, pb::StepRequest>* stream) {
  return Serve(context, "Step", Kind::kStream,
               [&](const Caller& caller, CallRecord& call) {
                 return RunStepStream(context, caller, stream, call);
               });
}

absl::Status SornService::RunStepStream(
    grpc::ServerContext* context, const Caller& caller,
    grpc::ServerReaderWriter<pb::StepResponse, pb::StepRequest>* stream,
    CallRecord& call) {
  pb::StepRequest request;
  if (!stream->Read(&request)) return absl::OkStatus();  // nothing asked.
  ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                   Lookup(caller, request.session(), call));
  ASSIGN_OR_RETURN(const Selection select,
                   SelectionFromProto(request.record()));
  ASSIGN_OR_RETURN(SessionRun run,
                   BeginRun(caller, session, request.readouts(), FreezeSet()));
  StepStream steps(context, stream, request, select, &run, &call, metrics_);
  RETURN_IF_ERROR(steps.Reserve(store_->budget(), options_.max_message_bytes,
                                ShapeOfRun(*session)));
  RETURN_IF_ERROR(run.StartCheckpoints());
  return run.Finish(steps.Run(request));
}

}  // namespace sorn::server
