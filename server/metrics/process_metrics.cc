#include "server/metrics/process_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"

namespace sorn::server {
namespace {

prometheus::MetricFamily Family(const char* name, const char* help,
                                prometheus::MetricType type, double value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

// Entries of /proc/self/fd, the directory's own descriptor excluded.
int OpenFiles() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  // /proc/self/stat: fields after the command (which may hold spaces) are
  // counted from its closing parenthesis; utime, stime are 14 and 15,
  // num_threads 20, starttime 22 (in clock ticks since boot), rss 24 (pages).
  std::ifstream stat_file("/proc/self/stat");
  const std::string stat((std::istreambuf_iterator<char>(stat_file)),
                         std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return {};
  std::istringstream fields(stat.substr(paren + 2));
  std::string field[23];  // fields 3 .. 25.
  for (std::string& f : field) fields >> f;
  const double ticks = double(sysconf(_SC_CLK_TCK));
  const double page = double(sysconf(_SC_PAGESIZE));
  const auto number = [&](int k) {
    double v = 0;
    return absl::SimpleAtod(field[k], &v) ? v : 0.0;
  };
  const double cpu = (number(11) + number(12)) / ticks;
  // Boot time (btime in /proc/stat) plus the start in ticks since boot: the
  // same value at every scrape, as restart alerts need.
  double boot = 0;
  std::ifstream proc_stat("/proc/stat");
  for (std::string key; proc_stat >> key;) {
    if (key == "btime") {
      proc_stat >> boot;
      break;
    }
  }
  using prometheus::MetricType;
  return {
      Family("process_cpu_seconds_total",
             "Total user and system CPU time spent in seconds.",
             MetricType::Counter, cpu),
      Family("process_resident_memory_bytes", "Resident memory size in bytes.",
             MetricType::Gauge, number(21) * page),
      Family("process_threads", "Number of OS threads in the process.",
             MetricType::Gauge, number(17)),
      Family("process_open_fds", "Number of open file descriptors.",
             MetricType::Gauge, OpenFiles()),
      Family("process_start_time_seconds",
             "Start time of the process since unix epoch in seconds.",
             MetricType::Gauge, boot + number(19) / ticks),
  };
}

}  // namespace sorn::server
