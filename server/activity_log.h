// ActivityLog: a session's recorded activity (x, y, r of the last `capacity`
// steps, packed), the input of GetStatistics.
#ifndef SORN_SERVER_ACTIVITY_LOG_H_
#define SORN_SERVER_ACTIVITY_LOG_H_

#include <cstdint>
#include <vector>

#include "core/statistics.h"
#include "core/step_record.h"

namespace sorn::server {

enum class Population { kExcitatory, kInhibitory, kRecurrent };

// A ring buffer that grows as steps arrive (an idle session costs nothing)
// up to its capacity, then overwrites the oldest step. Not thread-safe: the
// owning Session guards it.
class ActivityLog {
 public:
  ActivityLog(int ne, int ni, int64_t capacity);
  // The most bytes a log of this shape holds (its buffers grow by doubling
  // until full, so up to twice what the steps need).
  static int64_t MemoryBytes(int ne, int ni, int64_t capacity);

  void Append(const StepRecord& record);
  int64_t size() const { return size_; }
  int64_t capacity() const { return capacity_; }
  // The last min(last_steps, size()) steps (all when last_steps <= 0), oldest
  // first.
  SpikeTrain Train(Population population, int64_t last_steps) const;
  // Mean fraction of active neurons per recorded step; 0 when empty. O(1).
  double MeanRate(Population population) const;

 private:
  const std::vector<uint8_t>& Buffer(Population p) const;
  int Neurons(Population p) const;

  int ne_;
  int ni_;
  size_t bytes_e_;
  size_t bytes_i_;
  int64_t capacity_;
  int64_t size_ = 0;
  int64_t next_ = 0;                // slot of the next step.
  std::vector<uint8_t> x_, y_, r_;  // slots x packed bytes.
  int64_t spikes_x_ = 0;  // spikes in the buffer, kept as steps come and go.
  int64_t spikes_y_ = 0;
  int64_t spikes_r_ = 0;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_ACTIVITY_LOG_H_
