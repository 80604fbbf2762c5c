// SornService::GetStatistics: SPEC.md's statistics over recorded activity.
// A statistic that is undefined for this activity is left unset and named in
// Statistics.undefined; only bad arguments fail the call.
//
// The call's memory is estimated from the request and the record buffer
// (the copy of the train, what each requested statistic builds, the
// response) and reserved from the server's budget before any of it is
// allocated; only what is asked is built: the n x n correlation matrix only
// with `correlation_matrix`, the spike lists only with `spike_times`. The
// long loops ask every millisecond or so whether the call was cancelled or
// passed its deadline, and stop.
#include <chrono>
#include <cmath>
#include <span>

#include "absl/strings/str_cat.h"
#include "core/statistics.h"
#include "core/status_macros.h"
#include "server/service/sorn_service.h"
#include "server/service/status_convert.h"
#include "server/wire/readout_convert.h"

namespace sorn::server {

namespace pb = ::sorn::v1;
namespace {

// Sets `field` from `value`, or records why it is undefined.
template <typename T, typename Setter>
void SetOrExplain(const absl::StatusOr<T>& value, const char* field,
                  pb::Statistics* out, Setter set) {
  if (value.ok()) {
    set(*value);
  } else {
    (*out->mutable_undefined())[field] = std::string(value.status().message());
  }
}

bool Stopped(const absl::Status& status) {
  return status.code() == absl::StatusCode::kCancelled;
}

// The request's arguments with their defaults.
struct Arguments {
  int bin, window, lag, entropy_n;
};

Arguments ArgumentsOf(const pb::GetStatisticsRequest& request, int neurons) {
  return {request.bin_size() == 0 ? 1 : request.bin_size(),
          request.window_size() == 0 ? 10 : request.window_size(),
          request.lag() == 0 ? 2 : request.lag(),
          request.entropy_neurons() == 0 ? neurons : request.entropy_neurons()};
}

absl::Status CheckArguments(const pb::GetStatisticsRequest& request,
                            const Arguments& args, int neurons) {
  if (request.neuron() < 0 || request.neuron() >= neurons) {
    return absl::InvalidArgumentError(absl::StrCat(
        "neuron ", request.neuron(), " is outside [0, ", neurons, ")"));
  }
  if (args.bin < 1 || args.window < 1 || args.lag < 1 || args.entropy_n < 2) {
    return absl::InvalidArgumentError(
        "bin_size, window_size and lag must be >= 1, entropy_neurons >= 2");
  }
  return absl::OkStatus();
}

// What a call builds, in bytes, summed in double (n^2 and T x n of hostile
// shapes overflow int64) and capped.
struct Cost {
  int64_t memory = 0;    // held at once while the call computes.
  int64_t response = 0;  // the serialized response, an upper bound.
};

int64_t Capped(double bytes) {
  return bytes >= 9e18 ? INT64_MAX : static_cast<int64_t>(bytes);
}

// `spikes`: spikes in the train (only needed with spike_times).
Cost CostOf(const pb::GetStatisticsRequest& request, const Arguments& args,
            int64_t steps, int neurons, int64_t spikes) {
  const double t = double(steps), n = double(neurons), s = double(spikes);
  const double bins = std::ceil(t / args.bin);
  // Fixed fields and the `undefined` explanations; each packed field's tag
  // and length (12); a varint count is at most 10 bytes, a spike time or
  // interval (< 2^31) at most 5.
  double response = 4096 + (8 * t + 12) + (10 * bins + 12);
  // The train; the rates (the engine's, the response's, the differences of
  // the smoothness measures); the bins twice; Fano's window counts; per
  // neuron, the spike counts and the mean correlation's two scales.
  double memory =
      t * n + 24 * t + 16 * bins + 8 * t / args.window + 32 * n + (64 << 10);
  if (request.correlation_matrix()) {
    // Built in the response's own field, once.
    response += 8 * n * n + 12;
    memory += 8 * n * n + double(CorrelationWorkBytes(neurons));
  }
  if (request.spike_times()) {
    // Two lists per neuron, each at most 12 bytes of framing.
    response += 10 * s + 24 * n;
    // The engine's lists (exactly sized), the response's times and
    // intervals, one neuron's intervals in between, and per list a message
    // object, its pointer and the allocator's overhead.
    memory +=
        8 * s + 24 * n + 24 * s + 2 * n * (double(sizeof(pb::IndexList)) + 24);
  }
  // gRPC serializes the response into a buffer of its own.
  memory += response;
  return {Capped(memory), Capped(response)};
}

// The mean correlation and, when asked, the matrix. The mean is computed
// without the matrix: O(n) memory whatever is asked, and the same figure
// with or without correlation_matrix.
absl::Status AddCorrelations(const pb::GetStatisticsRequest& request,
                             const SpikeTrain& train, const StopCheck& stop,
                             pb::Statistics* out) {
  const absl::StatusOr<CorrelationMean> mean = MeanCorrelation(train, stop);
  if (Stopped(mean.status())) return mean.status();
  SetOrExplain(mean, "mean_correlation", out, [&](const CorrelationMean& c) {
    out->set_mean_correlation(c.mean);
  });
  if (request.correlation_matrix() && mean.ok()) {
    // Written straight into the response (its size was checked against the
    // message limit, so it fits a RepeatedField's int).
    google::protobuf::RepeatedField<double>* matrix =
        out->mutable_correlation_matrix();
    matrix->Resize(train.neurons * train.neurons, 0.0);
    RETURN_IF_ERROR(
        FillCorrelationMatrix(
            train, std::span<double>(matrix->mutable_data(), matrix->size()),
            stop)
            .status());
  } else if (request.correlation_matrix()) {
    (*out->mutable_undefined())["correlation_matrix"] =
        std::string(mean.status().message());
  }
  return absl::OkStatus();
}

// Every neuron's spike times and the intervals between them.
absl::Status AddSpikeTimes(const SpikeTrain& train, const StopCheck& stop,
                           pb::Statistics* out) {
  ASSIGN_OR_RETURN(std::vector<std::vector<int64_t>> times,
                   SpikeTimes(train, stop));
  auto* spike_times = out->mutable_spike_times();
  auto* intervals = out->mutable_spike_intervals();
  spike_times->Reserve(train.neurons);
  intervals->Reserve(train.neurons);
  for (std::vector<int64_t>& neuron : times) {
    spike_times->Add()->mutable_values()->Assign(neuron.begin(), neuron.end());
    const std::vector<int64_t> d = Intervals(neuron);
    intervals->Add()->mutable_values()->Assign(d.begin(), d.end());
    std::vector<int64_t>().swap(neuron);  // copied: give it back now.
  }
  return absl::OkStatus();
}

absl::Status Compute(const pb::GetStatisticsRequest& request,
                     const Arguments& args, const SpikeTrain& train,
                     const StopCheck& stop, pb::Statistics* out) {
  out->set_steps(train.steps);
  out->set_neurons(train.neurons);
  ASSIGN_OR_RETURN(const std::vector<double> rates,
                   FiringRateNetwork(train, stop));
  out->mutable_firing_rate_network()->Assign(rates.begin(), rates.end());
  SetOrExplain(FiringRateNeuron(train, request.neuron(), args.bin),
               "firing_rate_neuron", out, [&](const NeuronRate& r) {
                 out->mutable_firing_rate_neuron()->Assign(r.counts.begin(),
                                                           r.counts.end());
                 out->set_firing_rate_neuron_mean(r.mean_per_bin);
               });
  SetOrExplain(ScaleDependentSmoothness(rates), "scale_dependent_smoothness",
               out, [&](double v) { out->set_scale_dependent_smoothness(v); });
  SetOrExplain(ScaleIndependentSmoothness(rates),
               "scale_independent_smoothness", out,
               [&](double v) { out->set_scale_independent_smoothness(v); });
  SetOrExplain(Autocorrelation(rates, args.lag), "autocorrelation", out,
               [&](double v) { out->set_autocorrelation(v); });
  RETURN_IF_ERROR(AddCorrelations(request, train, stop, out));
  SetOrExplain(FanoFactor(train, request.neuron(), args.window), "fano_factor",
               out, [&](const Fano& f) {
                 out->set_fano_mean(f.mean);
                 out->set_fano_variance(f.variance);
                 out->set_fano_factor(f.factor);
               });
  const absl::StatusOr<double> entropy =
      SpikeSourceEntropy(train, args.entropy_n, stop);
  if (Stopped(entropy.status())) return entropy.status();
  SetOrExplain(entropy, "spike_source_entropy", out,
               [&](double v) { out->set_spike_source_entropy(v); });
  if (request.spike_times()) RETURN_IF_ERROR(AddSpikeTimes(train, stop, out));
  return absl::OkStatus();
}

// The train the request asks for, copied from the log once its response
// is known to fit `max_message_bytes` and its memory is reserved from
// `budget` (into `memory`); `args` are the request's arguments for the
// log's neurons. REQUIRES: the caller holds the session's lock, so that the
// steps copied are the steps counted.
absl::StatusOr<SpikeTrain> CopyTrain(
    const ActivityLog& log, const pb::GetStatisticsRequest& request,
    Population population, int64_t max_message_bytes, MemoryBudget* budget,
    const StopCheck& stop, Arguments* args, MemoryBudget::Reservation* memory) {
  const int64_t steps = log.Steps(request.last_steps());
  const int n = log.Neurons(population);
  *args = ArgumentsOf(request, n);
  RETURN_IF_ERROR(CheckArguments(request, *args, n));
  const int64_t spikes =
      request.spike_times() ? log.Spikes(population, steps) : 0;
  const Cost cost = CostOf(request, *args, steps, n, spikes);
  if (cost.response > max_message_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the statistics of ", steps, " steps of ", n, " neurons take up to ",
        cost.response,
        " bytes in a response, over this server's message limit of ",
        max_message_bytes,
        " bytes (--max_message_bytes); ask for fewer steps (last_steps), or "
        "without correlation_matrix or spike_times"));
  }
  ASSIGN_OR_RETURN(
      *memory,
      budget->Reserve(
          cost.memory,
          absl::StrCat(
              "GetStatistics over ", steps, " steps of ", n, " neurons",
              request.correlation_matrix() ? " with the correlation matrix"
                                           : "",
              request.spike_times() ? " with spike times" : "")));
  return log.Train(population, steps, 0, stop);
}

// A computation stopped by `stop`: the deadline's code when it has passed,
// else the client's cancellation.
absl::Status WhyStopped(const grpc::ServerContext& context,
                        std::chrono::steady_clock::time_point start) {
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count();
  // gRPC cancels the call at its own reading of the deadline (sent as a
  // timeout and converted between clocks), which can come a little before
  // context.deadline() on this clock: that too is the deadline.
  constexpr auto kClockSlack = std::chrono::milliseconds(100);
  if (std::chrono::system_clock::now() + kClockSlack >= context.deadline()) {
    return absl::DeadlineExceededError(
        absl::StrCat("GetStatistics passed its deadline after ", ms,
                     " ms and stopped; ask for fewer steps (last_steps) or no "
                     "correlation matrix, or give it longer"));
  }
  return absl::CancelledError(
      absl::StrCat("GetStatistics was cancelled after ", ms, " ms"));
}

}  // namespace

grpc::Status SornService::GetStatistics(grpc::ServerContext* context,
                                        const pb::GetStatisticsRequest* request,
                                        pb::Statistics* out) {
  const auto start = std::chrono::steady_clock::now();
  return Serve(
      context, "GetStatistics", Kind::kLongUnary,
      [&](const Caller& caller, CallRecord& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                         Lookup(caller, request->session(), call));
        ASSIGN_OR_RETURN(const Population population,
                         PopulationFromProto(request->population()));
        if (request->last_steps() < 0) {
          return absl::InvalidArgumentError("last_steps must be >= 0");
        }
        const std::chrono::system_clock::time_point deadline =
            context->deadline();
        const StopCheck stop = [context, deadline] {
          return context->IsCancelled() ||
                 std::chrono::system_clock::now() >= deadline;
        };
        Arguments args;
        MemoryBudget::Reservation memory;
        // Sized and reserved under the session's lock, so that the steps
        // copied are the steps counted.
        absl::StatusOr<SpikeTrain> train = session->WithState(
            [&](const Network&, const ActivityLog& log, const ReadoutSet&) {
              return CopyTrain(log, *request, population,
                               options_.max_message_bytes, store_->budget(),
                               stop, &args, &memory);
            });
        absl::Status status = train.status();
        if (train.ok()) status = Compute(*request, args, *train, stop, out);
        if (Stopped(status)) {
          out->Clear();
          return WhyStopped(*context, start);
        }
        return status;
      });
}

}  // namespace sorn::server
