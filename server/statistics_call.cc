// SornService::GetStatistics: SPEC.md's statistics over recorded activity.
// A statistic that is undefined for this activity is left unset and named in
// Statistics.undefined; only bad arguments fail the call.
#include "absl/strings/str_cat.h"
#include "core/statistics.h"
#include "server/readout_convert.h"
#include "server/sorn_service.h"
#include "server/status_convert.h"

namespace sorn::server {
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

void AddLists(const std::vector<std::vector<int64_t>>& lists,
              google::protobuf::RepeatedPtrField<pb::IndexList>* out) {
  for (const std::vector<int64_t>& l : lists) {
    out->Add()->mutable_values()->Assign(l.begin(), l.end());
  }
}

absl::Status Compute(const pb::GetStatisticsRequest& request,
                     const SpikeTrain& train, pb::Statistics* out) {
  const int bin = request.bin_size() == 0 ? 1 : request.bin_size();
  const int window = request.window_size() == 0 ? 10 : request.window_size();
  const int lag = request.lag() == 0 ? 2 : request.lag();
  const int entropy_n = request.entropy_neurons() == 0
                            ? train.neurons
                            : request.entropy_neurons();
  if (request.neuron() < 0 || request.neuron() >= train.neurons) {
    return absl::InvalidArgumentError(absl::StrCat(
        "neuron ", request.neuron(), " is outside [0, ", train.neurons, ")"));
  }
  if (bin < 1 || window < 1 || lag < 1 || entropy_n < 2) {
    return absl::InvalidArgumentError(
        "bin_size, window_size and lag must be >= 1, entropy_neurons >= 2");
  }
  out->set_steps(train.steps);
  out->set_neurons(train.neurons);
  const std::vector<double> rates = FiringRateNetwork(train);
  out->mutable_firing_rate_network()->Assign(rates.begin(), rates.end());
  SetOrExplain(FiringRateNeuron(train, request.neuron(), bin),
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
  SetOrExplain(Autocorrelation(rates, lag), "autocorrelation", out,
               [&](double v) { out->set_autocorrelation(v); });
  SetOrExplain(CorrelationMatrix(train), "mean_correlation", out,
               [&](const Correlation& c) {
                 out->set_mean_correlation(c.mean);
                 if (request.correlation_matrix()) {
                   out->mutable_correlation_matrix()->Assign(
                       c.matrix.data.begin(), c.matrix.data.end());
                 }
               });
  SetOrExplain(FanoFactor(train, request.neuron(), window), "fano_factor", out,
               [&](const Fano& f) {
                 out->set_fano_mean(f.mean);
                 out->set_fano_variance(f.variance);
                 out->set_fano_factor(f.factor);
               });
  SetOrExplain(SpikeSourceEntropy(train, entropy_n), "spike_source_entropy",
               out, [&](double v) { out->set_spike_source_entropy(v); });
  if (request.spike_times()) {
    AddLists(SpikeTimes(train), out->mutable_spike_times());
    AddLists(InterSpikeIntervals(train), out->mutable_spike_intervals());
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status SornService::GetStatistics(grpc::ServerContext* context,
                                        const pb::GetStatisticsRequest* request,
                                        pb::Statistics* out) {
  return Serve(
      context, "GetStatistics", Kind::kUnary,
      [&](const Caller& caller, CallRecord& call) -> absl::Status {
        call.session = request->session();
        absl::StatusOr<std::shared_ptr<Session>> session =
            store_->Get(caller, request->session());
        if (!session.ok()) return session.status();
        absl::StatusOr<Population> population =
            PopulationFromProto(request->population());
        if (!population.ok()) return population.status();
        if (request->last_steps() < 0) {
          return absl::InvalidArgumentError("last_steps must be >= 0");
        }
        const SpikeTrain train = (*session)->WithState(
            [&](const Network&, const ActivityLog& log, const ReadoutSet&) {
              return log.Train(*population, request->last_steps());
            });
        return Compute(*request, train, out);
      });
}

}  // namespace sorn::server
