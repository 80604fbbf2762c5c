#include "server/metrics/server_metrics.h"

#include <algorithm>

namespace sorn::server {
namespace {

// sorn_build_info{version, api} 1: the usual way to expose a version.
void RegisterBuildInfo(prometheus::Registry& registry) {
  prometheus::BuildGauge()
      .Name("sorn_build_info")
      .Help("1, labelled with the server's version and API package.")
      .Register(registry)
      .Add({{"version", SORN_VERSION}, {"api", "sorn.v1"}})
      .Set(1);
}

}  // namespace

ServerMetrics::ServerMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      // 1 us to 1 s: ne = 200 steps take ~5 us, ne = 100,000 ~2 ms.
      step_buckets_({1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3,
                     2e-3, 5e-3, 1e-2, 0.1, 1.0}) {
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  using prometheus::BuildHistogram;
  sessions_ = &BuildGauge()
                   .Name("sorn_sessions")
                   .Help("Sessions held, by tenant.")
                   .Register(*registry_);
  reserved_memory_ =
      &BuildGauge()
           .Name("sorn_reserved_memory_bytes")
           .Help(
               "Memory reserved by all sessions (estimated before building "
               "each; bounded by --max_memory_bytes).")
           .Register(*registry_)
           .Add({});
  steps_ = &BuildCounter()
                .Name("sorn_steps_total")
                .Help("Time steps run, by tenant.")
                .Register(*registry_);
  streamed_bytes_ = &BuildCounter()
                         .Name("sorn_streamed_bytes_total")
                         .Help("Bytes of streamed responses, by method.")
                         .Register(*registry_);
  step_seconds_ = &BuildHistogram()
                       .Name("sorn_step_seconds")
                       .Help("Engine time of one step.")
                       .Register(*registry_)
                       .Add({}, step_buckets_);
  rpcs_ = &BuildCounter()
               .Name("sorn_rpcs_total")
               .Help("Finished calls, by method and gRPC status code.")
               .Register(*registry_);
  rpc_seconds_ = &BuildHistogram()
                      .Name("sorn_rpc_seconds")
                      .Help("Duration of calls, by method.")
                      .Register(*registry_);
  checkpoint_seconds_ =
      &BuildHistogram()
           .Name("sorn_checkpoint_seconds")
           .Help("Time to write one session to --data_dir.")
           .Register(*registry_)
           .Add({}, prometheus::Histogram::BucketBoundaries{
                        1e-4, 1e-3, 1e-2, 0.1, 0.5, 1, 5, 30});
  RegisterBuildInfo(*registry_);
  checkpoint_failures_ = &BuildCounter()
                              .Name("sorn_checkpoint_failures_total")
                              .Help("Session writes that failed.")
                              .Register(*registry_)
                              .Add({});
}

void ServerMetrics::SessionAdded(const std::string& tenant) {
  sessions_->Add({{"tenant", tenant}}).Increment();
}

void ServerMetrics::SessionRemoved(const std::string& tenant) {
  sessions_->Add({{"tenant", tenant}}).Decrement();
}

void ServerMetrics::SetReservedMemory(int64_t bytes) {
  reserved_memory_->Set(static_cast<double>(bytes));
}

prometheus::Counter& ServerMetrics::Steps(const std::string& tenant) {
  return steps_->Add({{"tenant", tenant}});
}

prometheus::Counter& ServerMetrics::StreamedBytes(const std::string& method) {
  return streamed_bytes_->Add({{"method", method}});
}

void ServerMetrics::RecordRpc(const std::string& method,
                              const std::string& code, double seconds) {
  rpcs_->Add({{"method", method}, {"code", code}}).Increment();
  rpc_seconds_
      ->Add({{"method", method}},
            prometheus::Histogram::BucketBoundaries{1e-4, 1e-3, 1e-2, 0.1, 1,
                                                    10, 100, 1000})
      .Observe(seconds);
}

void ServerMetrics::RecordCheckpoint(double seconds, bool ok) {
  checkpoint_seconds_->Observe(seconds);
  if (!ok) checkpoint_failures_->Increment();
}

void StepTimer::Observe(double seconds) {
  const std::vector<double>& bounds = metrics_->step_buckets();
  const size_t bucket =
      std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin();
  counts_[bucket] += 1;
  sum_ += seconds;
  if (++observed_ % 256 == 0) Flush();
}

void StepTimer::Flush() {
  if (sum_ == 0 && std::all_of(counts_.begin(), counts_.end(),
                               [](double c) { return c == 0; })) {
    return;
  }
  metrics_->step_seconds().ObserveMultiple(counts_, sum_);
  std::fill(counts_.begin(), counts_.end(), 0.0);
  sum_ = 0;
}

}  // namespace sorn::server
