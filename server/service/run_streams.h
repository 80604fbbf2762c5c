// The response streams of the stepping calls, one small class per RPC over
// the shared run loop (SessionRun): RunStream sends a Simulate or Train
// call's steps in batches of RunResponses, StepStream answers each
// StepRequest of a Step stream with one StepResponse. Each bounds its
// responses (ResponseBounds) before the first step, stops on cancellation,
// and fills the call's record (steps, bytes) as it sends.
#ifndef SORN_SERVER_SERVICE_RUN_STREAMS_H_
#define SORN_SERVER_SERVICE_RUN_STREAMS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "prometheus/counter.h"
#include "server/metrics/server_metrics.h"
#include "server/service/call_log.h"
#include "server/service/response_bounds.h"
#include "server/service/run_messages.h"
#include "server/sessions/session_run.h"
#include "server/wire/input_source.h"
#include "sorn/v1/sorn.grpc.pb.h"

namespace sorn::server {

// A Simulate or Train request, checked (RunPlan::FromProto).
struct RunPlan {
  int64_t steps = 0;
  int per_message = 0;  // at most: a batch may be sent early to fit.
  StepOptions step;     // phase, noise, thresholds.
  FreezeSet freeze;
  Selection select;

  // INVALID_ARGUMENT for bad values, RESOURCE_EXHAUSTED for more steps
  // than `max_steps` (--max_steps_per_call).
  static absl::StatusOr<RunPlan> FromProto(const sorn::v1::RunRequest& request,
                                           Phase default_phase,
                                           int64_t max_steps);
};

// What the call's stream needs to know of its session's network.
struct RunShape {
  int ne = 0;
  int ni = 0;
  int nu = 0;
  int64_t synapses = 0;  // Wee and Wei entries now.
};
RunShape ShapeOfRun(const Session& session);

// Not thread-safe: one per call, on its thread.
class RunStream {
 public:
  // Every pointer outlives the stream.
  RunStream(grpc::ServerContext* context, const sorn::v1::RunRequest* request,
            const RunPlan& plan, InputSource inputs, SessionRun* run,
            grpc::ServerWriter<sorn::v1::RunResponse>* writer, CallRecord* call,
            ServerMetrics* metrics);

  // Reserves the memory of the call's responses from `budget`: structural
  // plasticity adds at most one synapse per step, so the weights can grow
  // by at most a batch of entries. RESOURCE_EXHAUSTED when a step cannot
  // ever be sent within `message_limit`, or the budget has no room.
  absl::Status Reserve(MemoryBudget* budget, int64_t message_limit,
                       const RunShape& shape);
  // Runs every step, one response per batch; the steps that ran before an
  // error are sent first.
  absl::Status Run();

 private:
  // SessionRun's hooks: before and after step k of a batch.
  absl::StatusOr<bool> Next(int k, const Network& net, StepOptions& options,
                            std::span<const double>& input);
  void Done(int k, const Network& net, const StepRecord& record,
            std::span<const double> input);
  // Sends the batch's response; CANCELLED if the client went away.
  absl::Status Send();

  grpc::ServerContext* const context_;
  const sorn::v1::RunRequest* const request_;
  const RunPlan plan_;
  InputSource inputs_;
  SessionRun* const run_;
  grpc::ServerWriter<sorn::v1::RunResponse>* const writer_;
  CallRecord* const call_;
  prometheus::Counter* const bytes_metric_;
  std::unique_ptr<ResponseBounds> bounds_;
  int64_t step_bytes_ = 0;  // a step without its snapshot (bound).
  int64_t rows_ = 0;        // ne + ni: a snapshot's rows.
  std::vector<double> input_;
  // The batch being built.
  sorn::v1::RunResponse response_;
  int64_t response_bytes_ = 0;  // bound of response_ so far.
  bool snapshot_ = false;       // the step being run records weights.
  bool cancelled_ = false;
};

// Not thread-safe: one per call, on its thread.
class StepStream {
 public:
  // `first` is the stream's first request, which chose the session,
  // record selection and readouts. Every pointer outlives the stream.
  StepStream(grpc::ServerContext* context,
             grpc::ServerReaderWriter<sorn::v1::StepResponse,
                                      sorn::v1::StepRequest>* stream,
             const sorn::v1::StepRequest& first, const Selection& select,
             SessionRun* run, CallRecord* call, ServerMetrics* metrics);

  // Reserves one response's memory (a Step response carries one step and
  // never weights).
  absl::Status Reserve(MemoryBudget* budget, int64_t message_limit,
                       const RunShape& shape);
  // Steps once per request, starting with `request` (the first; later
  // reads overwrite it), until the client ends the stream or cancels.
  absl::Status Run(sorn::v1::StepRequest& request);

 private:
  // One request's step and its response.
  absl::Status StepOnce(const sorn::v1::StepRequest& request);

  grpc::ServerContext* const context_;
  grpc::ServerReaderWriter<sorn::v1::StepResponse, sorn::v1::StepRequest>* const
      stream_;
  // Kept from the first request, which later ones overwrite.
  const ReadoutNames readout_names_;
  const Selection select_;
  SessionRun* const run_;
  CallRecord* const call_;
  prometheus::Counter* const bytes_metric_;
  std::unique_ptr<ResponseBounds> bounds_;
  StepOptions options_;
  // One response, cleared per step: its fields keep their buffers, so a
  // step allocates nothing.
  sorn::v1::StepResponse response_;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SERVICE_RUN_STREAMS_H_
