#include "server/service/run_streams.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "server/wire/proto_convert.h"

namespace sorn::server {
namespace {

namespace pb = ::sorn::v1;

constexpr int kDefaultStepsPerMessage = 256;
constexpr int kMaxStepsPerMessage = 4096;
// Steps between two checks for cancellation: at most a few ms at any size
// the server allows, so a cancelled call stops well within 100 ms.
constexpr int kCancelCheckSteps = 16;

}  // namespace

absl::StatusOr<RunPlan> RunPlan::FromProto(const pb::RunRequest& request,
                                           Phase default_phase,
                                           int64_t max_steps) {
  RunPlan plan;
  plan.steps = request.timesteps();
  if (plan.steps < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("timesteps must be >= 1, got ", plan.steps));
  }
  if (plan.steps > max_steps) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "timesteps = ", plan.steps, " exceeds this server's limit of ",
        max_steps, " per call (--max_steps_per_call)"));
  }
  plan.per_message = request.steps_per_message() == 0
                         ? kDefaultStepsPerMessage
                         : request.steps_per_message();
  if (plan.per_message < 1 || plan.per_message > kMaxStepsPerMessage) {
    return absl::InvalidArgumentError(
        absl::StrCat("steps_per_message must be in [1, ", kMaxStepsPerMessage,
                     "], got ", plan.per_message));
  }
  ASSIGN_OR_RETURN(plan.freeze, FreezeFromProto(request.freeze()));
  ASSIGN_OR_RETURN(plan.step.phase,
                   PhaseFromProto(request.phase(), default_phase));
  ASSIGN_OR_RETURN(plan.select, SelectionFromProto(request.record()));
  plan.step.noise = request.has_noise() ? request.noise() : true;
  plan.step.record_thresholds = plan.select.thresholds;
  return plan;
}

RunShape ShapeOfRun(const Session& session) {
  return session.WithState(
      [](const Network& net, const ActivityLog&, const ReadoutSet&) {
        return RunShape{net.ne(), net.ni(), net.nu(),
                        net.wee().nnz() + net.wei().nnz()};
      });
}

RunStream::RunStream(grpc::ServerContext* context,
                     const pb::RunRequest* request, const RunPlan& plan,
                     InputSource inputs, SessionRun* run,
                     grpc::ServerWriter<pb::RunResponse>* writer,
                     CallRecord* call, ServerMetrics* metrics)
    : context_(context),
      request_(request),
      plan_(plan),
      inputs_(std::move(inputs)),
      run_(run),
      writer_(writer),
      call_(call),
      bytes_metric_(&metrics->StreamedBytes(call->method)) {}

absl::Status RunStream::Reserve(MemoryBudget* budget, int64_t message_limit,
                                const RunShape& shape) {
  rows_ = int64_t{shape.ne} + shape.ni;
  input_.assign(shape.nu, 0.0);
  step_bytes_ = StepResponseBytes(plan_.select, shape.ne, shape.ni,
                                  run_->readouts(), request_->readouts());
  const int every = plan_.select.weights_every;
  const int64_t per_message = plan_.per_message;
  const int64_t snapshot_bytes =
      every > 0 ? SnapshotBytes(shape.synapses +
                                    std::min<int64_t>(plan_.steps, per_message),
                                rows_)
                : 0;
  const int64_t snapshots_per_message =
      every > 0 ? std::min<int64_t>(per_message,
                                    (per_message + every - 1) / every + 1)
                : 0;
  bounds_ = std::make_unique<ResponseBounds>(message_limit);
  return bounds_->Reserve(
      budget,
      per_message * step_bytes_ + snapshots_per_message * snapshot_bytes,
      step_bytes_ + snapshot_bytes, snapshot_bytes);
}

absl::Status RunStream::Run() {
  while (run_->steps() < plan_.steps) {
    response_.Clear();
    response_bytes_ = 0;
    StartReadouts(request_->readouts(), &response_);
    const int batch = static_cast<int>(
        std::min<int64_t>(plan_.per_message, plan_.steps - run_->steps()));
    const SessionRun::Batch ran = run_->RunBatch(
        batch, plan_.step,
        [this](int k, const Network& net, StepOptions& options,
               std::span<const double>& input) {
          return Next(k, net, options, input);
        },
        [this](int k, const Network& net, const StepRecord& record,
               std::span<const double> input) { Done(k, net, record, input); });
    response_.set_steps(ran.steps);
    call_->steps += ran.steps;
    RETURN_IF_ERROR(ran.checkpoint);
    if (cancelled_ || context_->IsCancelled()) {
      return absl::CancelledError(absl::StrCat("cancelled by the client after ",
                                               run_->steps(), " of ",
                                               plan_.steps, " steps"));
    }
    // Steps that ran before an error are sent: the client sees every step
    // that changed its session.
    if (ran.steps > 0) RETURN_IF_ERROR(Send());
    RETURN_IF_ERROR(ran.error);
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> RunStream::Next(int k, const Network& net,
                                     StepOptions& options,
                                     std::span<const double>& input) {
  if (k == 0) response_.set_first_step(net.step_count());
  if (k % kCancelCheckSteps == kCancelCheckSteps - 1 &&
      context_->IsCancelled()) {
    cancelled_ = true;
    return false;
  }
  const int64_t t = run_->steps() + k;  // the call's step.
  const int every = plan_.select.weights_every;
  snapshot_ = every > 0 && ((t + 1) % every == 0 || t + 1 == plan_.steps);
  options.record_weights = snapshot_;
  const int64_t next =
      step_bytes_ +
      (snapshot_ ? SnapshotBytes(net.wee().nnz() + 1 + net.wei().nnz(), rows_)
                 : 0);
  ASSIGN_OR_RETURN(const bool fits, bounds_->Fits(response_bytes_, next));
  if (!fits) return false;  // sent early.
  response_bytes_ += next;
  inputs_.Fill(t, input_);
  input = input_;
  return true;
}

void RunStream::Done(int k, const Network& net, const StepRecord& record,
                     std::span<const double> input) {
  AppendStep(plan_.select, record, k, &response_);
  AppendReadouts(run_->readouts(), record, input, &response_);
  if (plan_.select.counts) {
    response_.add_ee_conn(record.ee_conn);
    response_.add_ei_conn(record.ei_conn);
  }
  if (snapshot_) {
    pb::WeightSnapshot* w = response_.add_weights();
    w->set_step(net.step_count());
    if (plan_.select.snapshot_wee) SparseToProto(record.wee, w->mutable_wee());
    if (plan_.select.snapshot_wei) SparseToProto(record.wei, w->mutable_wei());
  }
}

absl::Status RunStream::Send() {
  const size_t bytes = response_.ByteSizeLong();
  if (!writer_->Write(response_)) {
    return absl::CancelledError(absl::StrCat("the client went away after ",
                                             run_->steps(), " of ", plan_.steps,
                                             " steps"));
  }
  call_->bytes_out += int64_t(bytes);
  bytes_metric_->Increment(double(bytes));
  return absl::OkStatus();
}

StepStream::StepStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<pb::StepResponse, pb::StepRequest>* stream,
    const pb::StepRequest& first, const Selection& select, SessionRun* run,
    CallRecord* call, ServerMetrics* metrics)
    : context_(context),
      stream_(stream),
      readout_names_(first.readouts()),
      select_(select),
      run_(run),
      call_(call),
      bytes_metric_(&metrics->StreamedBytes(call->method)) {
  options_.record_thresholds = select.thresholds;
}

absl::Status StepStream::Reserve(MemoryBudget* budget, int64_t message_limit,
                                 const RunShape& shape) {
  const int64_t step_bytes = StepResponseBytes(
      select_, shape.ne, shape.ni, run_->readouts(), readout_names_);
  bounds_ = std::make_unique<ResponseBounds>(message_limit);
  return bounds_->Reserve(budget, step_bytes, step_bytes, 0);
}

absl::Status StepStream::Run(pb::StepRequest& request) {
  const std::string& name = run_->session().name();
  do {
    if (!request.session().empty() && request.session() != name) {
      return absl::InvalidArgumentError(
          absl::StrCat("this Step stream drives \"", name,
                       "\"; a request names \"", request.session(), "\""));
    }
    RETURN_IF_ERROR(StepOnce(request));
    const size_t bytes = response_.ByteSizeLong();
    if (!stream_->Write(response_)) break;
    call_->bytes_out += int64_t(bytes);
    bytes_metric_->Increment(double(bytes));
  } while (!context_->IsCancelled() && stream_->Read(&request));
  return absl::OkStatus();
}

absl::Status StepStream::StepOnce(const pb::StepRequest& request) {
  ASSIGN_OR_RETURN(options_.phase,
                   PhaseFromProto(request.phase(), Phase::kPlasticity));
  options_.noise = request.has_noise() ? request.noise() : true;
  response_.Clear();
  const std::span<const double> given(request.input().data(),
                                      request.input_size());
  const SessionRun::Batch ran = run_->RunBatch(
      1, options_,
      [given](int, const Network&, StepOptions&,
              std::span<const double>& input) -> absl::StatusOr<bool> {
        input = given;
        return true;
      },
      [this](int, const Network& net, const StepRecord& record,
             std::span<const double> input) {
        response_.set_step(net.step_count());
        AppendStep(select_, record, 0, &response_);
        StartReadouts(readout_names_, &response_);
        AppendReadouts(run_->readouts(), record, input, &response_);
        if (select_.counts) {
          response_.set_ee_conn(record.ee_conn);
          response_.set_ei_conn(record.ei_conn);
        }
      });
  call_->steps += ran.steps;
  RETURN_IF_ERROR(ran.checkpoint);
  return ran.error;
}

}  // namespace sorn::server
