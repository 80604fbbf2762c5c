// ServerMetrics: the server's Prometheus metrics (prometheus-cpp), served on
// --metrics_port by main.cc. Every name starts with sorn_; see README
// "Running a shared server" for what each means.
#ifndef SORN_SERVER_METRICS_SERVER_METRICS_H_
#define SORN_SERVER_METRICS_SERVER_METRICS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace sorn::server {

// Thread-safe (prometheus-cpp's families and metrics are). One instance per
// server, owned by main and outliving the service and the store.
class ServerMetrics {
 public:
  ServerMetrics();

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // sorn_sessions{tenant}.
  void SessionAdded(const std::string& tenant);
  void SessionRemoved(const std::string& tenant);
  // sorn_reserved_memory_bytes: memory reserved by all sessions.
  void SetReservedMemory(int64_t bytes);

  // sorn_steps_total{tenant}. Fetch once per call, add as steps run.
  prometheus::Counter& Steps(const std::string& tenant);
  // sorn_streamed_bytes_total{method}: response bytes of streaming calls.
  prometheus::Counter& StreamedBytes(const std::string& method);
  // sorn_step_seconds: time of one engine step (plasticity included).
  prometheus::Histogram& step_seconds() { return *step_seconds_; }
  const std::vector<double>& step_buckets() const { return step_buckets_; }

  // sorn_rpcs_total{method,code} and sorn_rpc_seconds{method}.
  void RecordRpc(const std::string& method, const std::string& code,
                 double seconds);
  // sorn_checkpoint_seconds, sorn_checkpoint_failures_total.
  void RecordCheckpoint(double seconds, bool ok);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  const std::vector<double> step_buckets_;
  prometheus::Family<prometheus::Gauge>* sessions_;
  prometheus::Gauge* reserved_memory_;
  prometheus::Family<prometheus::Counter>* steps_;
  prometheus::Family<prometheus::Counter>* streamed_bytes_;
  prometheus::Histogram* step_seconds_;
  prometheus::Family<prometheus::Counter>* rpcs_;
  prometheus::Family<prometheus::Histogram>* rpc_seconds_;
  prometheus::Histogram* checkpoint_seconds_;
  prometheus::Counter* checkpoint_failures_;
};

// Per-call step timings, merged into sorn_step_seconds in batches so that a
// stream of 100,000 steps/s does not take the histogram's lock per step.
// Not thread-safe: one per call.
class StepTimer {
 public:
  explicit StepTimer(ServerMetrics* metrics)
      : metrics_(metrics), counts_(metrics->step_buckets().size() + 1, 0.0) {}
  ~StepTimer() { Flush(); }

  void Observe(double seconds);
  // Adds what was observed so far to the histogram.
  void Flush();

 private:
  ServerMetrics* metrics_;
  std::vector<double> counts_;  // per bucket, +Inf last.
  double sum_ = 0;
  int64_t observed_ = 0;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_METRICS_SERVER_METRICS_H_
