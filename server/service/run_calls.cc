// SornService: the calls that step a session (Simulate, Train, Step).
#include <algorithm>
#include <chrono>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/packed_bits.h"
#include "core/status_macros.h"
#include "server/service/response_bounds.h"
#include "server/service/sorn_service.h"
#include "server/service/status_convert.h"
#include "server/sessions/checkpoint_schedule.h"
#include "server/sessions/readout_set.h"
#include "server/wire/input_source.h"
#include "server/wire/proto_convert.h"

namespace sorn::server {

namespace pb = ::sorn::v1;
namespace {

constexpr int kDefaultStepsPerMessage = 256;
constexpr int kMaxStepsPerMessage = 4096;
// Steps between two checks for cancellation: at most a few ms at any size
// the server allows, so a cancelled call stops well within 100 ms.
constexpr int kCancelCheckSteps = 16;

absl::StatusOr<Selection> SelectionFromProto(const pb::RecordSelection& p) {
  if (p.weights_every() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("weights_every must be >= 0, got ", p.weights_every()));
  }
  return Selection{p.has_x() ? p.x() : true, p.has_y() ? p.y() : true,
                   p.has_r() ? p.r() : true, p.has_counts() ? p.counts() : true,
                   p.thresholds(),           p.weights_every()};
}

absl::StatusOr<Phase> PhaseFromProto(pb::Phase phase, Phase fallback) {
  switch (phase) {
    case pb::PHASE_UNSPECIFIED:
      return fallback;
    case pb::PLASTICITY:
      return Phase::kPlasticity;
    case pb::TRAINING:
      return Phase::kTraining;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown phase ", int(phase)));
  }
}

// Appends one step's bits to a packed field holding `index` steps so far.
void AppendBits(const std::vector<uint8_t>& bits, int index, std::string* out) {
  const size_t bytes = PackedBytes(static_cast<int>(bits.size()));
  out->resize((index + 1) * bytes);
  PackBits(bits.data(), static_cast<int>(bits.size()),
           reinterpret_cast<uint8_t*>(out->data()) + index * bytes);
}

// Appends the selected activity and thresholds of step `index` of a message
// (RunResponse or StepResponse, which share those fields).
template <typename Response>
void AppendStep(const Selection& select, const StepRecord& record, int index,
                Response* response) {
  if (select.x) AppendBits(record.x, index, response->mutable_x());
  if (select.y) AppendBits(record.y, index, response->mutable_y());
  if (select.r) AppendBits(record.r, index, response->mutable_r());
  if (select.thresholds) {
    response->mutable_te()->Add(record.te.begin(), record.te.end());
    response->mutable_ti()->Add(record.ti.begin(), record.ti.end());
  }
}

using Readouts = std::vector<const NamedReadout*>;

// The requested readouts; they stay valid while the caller drives the
// session (fitting and deleting readouts need the driver).
absl::StatusOr<Readouts> SelectReadouts(
    Session& session,
    const google::protobuf::RepeatedPtrField<std::string>& names) {
  return session.WithState(
      [&](const Network&, const ActivityLog&, const ReadoutSet& readouts) {
        return readouts.Select(
            std::vector<std::string>(names.begin(), names.end()));
      });
}

// Adds a call's frozen mechanisms to the session's for the object's life.
class CallFreeze {
 public:
  CallFreeze(Network* net, FreezeSet call)
      : net_(net), session_(net->frozen()) {
    net_->set_frozen(FreezeSet::FromBits(session_.bits() | call.bits()));
  }
  ~CallFreeze() { net_->set_frozen(session_); }
  CallFreeze(const CallFreeze&) = delete;
  CallFreeze& operator=(const CallFreeze&) = delete;

 private:
  Network* const net_;
  const FreezeSet session_;
};

// Bytes the readouts' names take in a response (once per message; counted
// per step, which bounds it: at most 64 names of at most 64 characters).
int64_t ReadoutNameBytes(
    const google::protobuf::RepeatedPtrField<std::string>& names) {
  int64_t bytes = 0;
  for (const std::string& name : names) bytes += int64_t(name.size()) + 16;
  return bytes;
}

// Scores (and classes) the readouts add to a response per step.
int64_t ReadoutOutputs(const Readouts& readouts) {
  int64_t outputs = 0;
  for (const NamedReadout* r : readouts) {
    outputs += r->readout.outputs() + (r->readout.classifier() ? 1 : 0);
  }
  return outputs;
}

// Starts a response's readout outputs, in the order they were requested.
template <typename Response>
void StartReadouts(const google::protobuf::RepeatedPtrField<std::string>& names,
                   Response* response) {
  for (const std::string& name : names)
    response->add_readouts()->set_name(name);
}

// Appends one step's scores (and class) of every selected readout.
template <typename Response>
void AppendReadouts(const Readouts& readouts, const StepRecord& record,
                    std::span<const double> input, Response* response) {
  for (size_t i = 0; i < readouts.size(); ++i) {
    pb::ReadoutOutput* out = response->mutable_readouts(int(i));
    const int outputs = readouts[i]->readout.outputs();
    google::protobuf::RepeatedField<double>* scores = out->mutable_scores();
    const int at = scores->size();
    scores->Resize(at + outputs, 0.0);
    const int32_t best = ReadoutSet::Score(*readouts[i], record, input,
                                           scores->mutable_data() + at);
    if (readouts[i]->readout.classifier()) out->add_classes(best);
  }
}

}  // namespace

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

absl::Status SornService::Run(grpc::ServerContext* context,
                              const Caller& caller,
                              const pb::RunRequest& request,
                              Phase default_phase,
                              grpc::ServerWriter<pb::RunResponse>* writer,
                              CallRecord& call) {
  call.session = request.session();
  absl::StatusOr<std::shared_ptr<Session>> session =
      store_->Get(caller, request.session());
  if (!session.ok()) return session.status();
  const int64_t steps = request.timesteps();
  if (steps < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("timesteps must be >= 1, got ", steps));
  }
  if (steps > options_.max_steps_per_call) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "timesteps = ", steps, " exceeds this server's limit of ",
        options_.max_steps_per_call, " per call (--max_steps_per_call)"));
  }
  const int per_message = request.steps_per_message() == 0
                              ? kDefaultStepsPerMessage
                              : request.steps_per_message();
  if (per_message < 1 || per_message > kMaxStepsPerMessage) {
    return absl::InvalidArgumentError(
        absl::StrCat("steps_per_message must be in [1, ", kMaxStepsPerMessage,
                     "], got ", per_message));
  }
  absl::StatusOr<FreezeSet> call_frozen = FreezeFromProto(request.freeze());
  if (!call_frozen.ok()) return call_frozen.status();
  absl::StatusOr<Phase> phase = PhaseFromProto(request.phase(), default_phase);
  if (!phase.ok()) return phase.status();
  absl::StatusOr<Selection> select = SelectionFromProto(request.record());
  if (!select.ok()) return select.status();
  absl::StatusOr<Session::Driver> driver = (*session)->TryDrive();
  if (!driver.ok()) return driver.status();
  const auto [ne, ni, nu, entries] = (*session)->WithState(
      [](const Network& net, const ActivityLog&, const ReadoutSet&) {
        return std::tuple{net.ne(), net.ni(), net.nu(),
                          net.wee().nnz() + net.wei().nnz()};
      });
  absl::StatusOr<Readouts> readouts =
      SelectReadouts(**session, request.readouts());
  if (!readouts.ok()) return readouts.status();
  absl::StatusOr<InputSource> inputs = InputSource::Create(request, nu);
  if (!inputs.ok()) return inputs.status();

  // Responses are bounded before the first step: structural plasticity adds
  // at most one synapse per step, so the weights can grow by at most
  // `steps` entries during the call.
  const int64_t rows = int64_t{ne} + ni;
  const int64_t step_bytes =
      StepBytes(*select, ne, ni, ReadoutOutputs(*readouts)) +
      ReadoutNameBytes(request.readouts());
  const bool weights = select->weights_every > 0;
  const int64_t snapshot_bytes =
      weights
          ? SnapshotBytes(entries + std::min<int64_t>(steps, per_message), rows)
          : 0;
  const int64_t snapshots_per_message =
      weights ? std::min<int64_t>(per_message,
                                  (per_message + select->weights_every - 1) /
                                          select->weights_every +
                                      1)
              : 0;
  ResponseBounds bounds(options_.max_message_bytes);
  RETURN_IF_ERROR(bounds.Reserve(
      store_->budget(),
      per_message * step_bytes + snapshots_per_message * snapshot_bytes,
      step_bytes + snapshot_bytes, snapshot_bytes));

  StepOptions options;
  options.phase = *phase;
  options.noise = request.has_noise() ? request.noise() : true;
  options.record_thresholds = select->thresholds;
  std::vector<double> input(nu);
  StepRecord record;
  prometheus::Counter& steps_metric = metrics_->Steps(caller.tenant);
  prometheus::Counter& bytes_metric = metrics_->StreamedBytes(call.method);
  StepTimer timer(metrics_);
  CheckpointSchedule checkpoints(store_, session->get(),
                                 options_.checkpoint_every_steps);
  RETURN_IF_ERROR(checkpoints.Start());
  int64_t done = 0;
  absl::Status result = [&]() -> absl::Status {
    while (done < steps) {
      pb::RunResponse response;
      const int batch =
          static_cast<int>(std::min<int64_t>(per_message, steps - done));
      bool cancelled = false;
      absl::Status status = (*session)->WithState([&](Network& net,
                                                      ActivityLog& log,
                                                      ReadoutSet&) {
        // The call's freeze applies to its steps only, also when an
        // exception (an allocation that failed) leaves this batch early.
        const CallFreeze freeze(&net, *call_frozen);
        StartReadouts(request.readouts(), &response);
        response.set_first_step(net.step_count());
        absl::Status s;
        int64_t bytes = 0;  // upper bound of the response so far.
        int k = 0;
        for (; k < batch; ++k) {
          if (k % kCancelCheckSteps == kCancelCheckSteps - 1 &&
              context->IsCancelled()) {
            cancelled = true;
            break;
          }
          const int64_t t = done + k;
          options.record_weights =
              weights &&
              ((t + 1) % select->weights_every == 0 || t + 1 == steps);
          const int64_t next =
              step_bytes +
              (options.record_weights
                   ? SnapshotBytes(net.wee().nnz() + 1 + net.wei().nnz(), rows)
                   : 0);
          absl::StatusOr<bool> fits = bounds.Fits(bytes, next);
          if (!fits.ok()) s = fits.status();
          if (!fits.ok() || !*fits) break;  // sent early.
          bytes += next;
          inputs->Fill(t, input);
          const auto start = std::chrono::steady_clock::now();
          s = net.Step(input, options, &record);
          timer.Observe(std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - start)
                            .count());
          if (!s.ok()) break;
          log.Append(record, input);
          AppendStep(*select, record, k, &response);
          AppendReadouts(*readouts, record, input, &response);
          if (select->counts) {
            response.add_ee_conn(record.ee_conn);
            response.add_ei_conn(record.ei_conn);
          }
          if (options.record_weights) {
            pb::WeightSnapshot* w = response.add_weights();
            w->set_step(net.step_count());
            SparseToProto(record.wee, w->mutable_wee());
            SparseToProto(record.wei, w->mutable_wei());
          }
        }
        response.set_steps(k);
        return s;
      });
      done += response.steps();
      call.steps += response.steps();
      steps_metric.Increment(double(response.steps()));
      RETURN_IF_ERROR(checkpoints.Ran(response.steps()));
      if (cancelled || context->IsCancelled()) {
        return absl::CancelledError(absl::StrCat(
            "cancelled by the client after ", done, " of ", steps, " steps"));
      }
      // Steps that ran before an error are sent: the client sees every
      // step that changed its session.
      if (response.steps() > 0) {
        const size_t bytes = response.ByteSizeLong();
        if (!writer->Write(response)) {
          return absl::CancelledError(absl::StrCat(
              "the client went away after ", done, " of ", steps, " steps"));
        }
        call.bytes_out += int64_t(bytes);
        bytes_metric.Increment(double(bytes));
      }
      RETURN_IF_ERROR(status);
    }
    return absl::OkStatus();
  }();
  return checkpoints.Finish(result);
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
  call.session = request.session();
  absl::StatusOr<std::shared_ptr<Session>> session =
      store_->Get(caller, request.session());
  if (!session.ok()) return session.status();
  absl::StatusOr<Selection> select = SelectionFromProto(request.record());
  if (!select.ok()) return select.status();
  absl::StatusOr<Session::Driver> driver = (*session)->TryDrive();
  if (!driver.ok()) return driver.status();
  absl::StatusOr<Readouts> readouts =
      SelectReadouts(**session, request.readouts());
  if (!readouts.ok()) return readouts.status();
  // Kept from the first request, which later ones overwrite.
  const google::protobuf::RepeatedPtrField<std::string> readout_names =
      request.readouts();
  const std::string& name = (*session)->name();
  // A Step response carries one step and never weights.
  const auto [ne, ni] = (*session)->WithState(
      [](const Network& net, const ActivityLog&, const ReadoutSet&) {
        return std::pair{net.ne(), net.ni()};
      });
  const int64_t step_bytes =
      StepBytes(*select, ne, ni, ReadoutOutputs(*readouts)) +
      ReadoutNameBytes(readout_names);
  ResponseBounds bounds(options_.max_message_bytes);
  RETURN_IF_ERROR(bounds.Reserve(store_->budget(), step_bytes, step_bytes, 0));
  StepRecord record;
  StepOptions options;
  options.record_thresholds = select->thresholds;
  prometheus::Counter& steps_metric = metrics_->Steps(caller.tenant);
  prometheus::Counter& bytes_metric = metrics_->StreamedBytes(call.method);
  StepTimer timer(metrics_);
  CheckpointSchedule checkpoints(store_, session->get(),
                                 options_.checkpoint_every_steps);
  RETURN_IF_ERROR(checkpoints.Start());
  // One response, cleared per step: its fields keep their buffers, so a step
  // allocates nothing.
  pb::StepResponse response;
  absl::Status result = [&]() -> absl::Status {
    do {
      if (!request.session().empty() && request.session() != name) {
        return absl::InvalidArgumentError(
            absl::StrCat("this Step stream drives \"", name,
                         "\"; a request names \"", request.session(), "\""));
      }
      absl::StatusOr<Phase> phase =
          PhaseFromProto(request.phase(), Phase::kPlasticity);
      if (!phase.ok()) return phase.status();
      options.phase = *phase;
      options.noise = request.has_noise() ? request.noise() : true;
      response.Clear();
      const std::span<const double> input(request.input().data(),
                                          request.input_size());
      absl::Status status = (*session)->WithState(
          [&](Network& net, ActivityLog& log, ReadoutSet&) {
            const auto start = std::chrono::steady_clock::now();
            RETURN_IF_ERROR(net.Step(input, options, &record));
            timer.Observe(std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - start)
                              .count());
            log.Append(record, input);
            response.set_step(net.step_count());
            return absl::OkStatus();
          });
      RETURN_IF_ERROR(status);
      AppendStep(*select, record, 0, &response);
      StartReadouts(readout_names, &response);
      AppendReadouts(*readouts, record, input, &response);
      if (select->counts) {
        response.set_ee_conn(record.ee_conn);
        response.set_ei_conn(record.ei_conn);
      }
      ++call.steps;
      steps_metric.Increment();
      RETURN_IF_ERROR(checkpoints.Ran(1));
      const size_t bytes = response.ByteSizeLong();
      if (!stream->Write(response)) break;
      call.bytes_out += int64_t(bytes);
      bytes_metric.Increment(double(bytes));
    } while (!context->IsCancelled() && stream->Read(&request));
    return absl::OkStatus();
  }();
  return checkpoints.Finish(result);
}

}  // namespace sorn::server
