// ProcessMetrics: the standard process_* metrics of Prometheus's clients
// (resident memory, CPU seconds, threads, open files, start time), read from
// /proc/self at each scrape. prometheus-cpp has no such collector; dashboards
// and alerts written for other servers expect these names.
#ifndef SORN_SERVER_METRICS_PROCESS_METRICS_H_
#define SORN_SERVER_METRICS_PROCESS_METRICS_H_

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace sorn::server {

// Thread-safe: Collect reads /proc and keeps no state. Linux only (elsewhere
// it reports nothing).
class ProcessMetrics : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_METRICS_PROCESS_METRICS_H_
