// ActivityLog: a session's recorded steps (x, y, r packed, and the inputs,
// of the last `capacity` steps): what GetStatistics and FitReadout read.
#ifndef SORN_SERVER_SESSIONS_ACTIVITY_LOG_H_
#define SORN_SERVER_SESSIONS_ACTIVITY_LOG_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "core/statistics.h"
#include "core/step_record.h"

namespace sorn::server {

enum class Population { kExcitatory, kInhibitory, kRecurrent };

// A ring buffer that grows as steps arrive (an idle session costs nothing)
// up to its capacity, then overwrites the oldest step. Not thread-safe: the
// owning Session guards it.
class ActivityLog {
 public:
  ActivityLog(int ne, int ni, int nu, int64_t capacity);
  // The most bytes a log of this shape holds (its buffers grow by doubling
  // until full, so up to twice what the steps need).
  static int64_t MemoryBytes(int ne, int ni, int nu, int64_t capacity);

  // REQUIRES: input.size() == nu.
  void Append(const StepRecord& record, std::span<const double> input);
  int64_t size() const { return size_; }
  int64_t capacity() const { return capacity_; }
  // The last min(last_steps, size()) steps (all when last_steps <= 0), oldest
  // first.
  // `skip_last` leaves out that many of the most recent steps first.
  SpikeTrain Train(Population population, int64_t last_steps,
                   int64_t skip_last = 0) const;
  // The same, asking `stop` every ~1M neurons copied (a large train takes
  // seconds); CANCELLED when it says so.
  absl::StatusOr<SpikeTrain> Train(Population population, int64_t last_steps,
                                   int64_t skip_last,
                                   const StopCheck& stop) const;
  // Steps Train(last_steps, skip_last) covers, and its neurons.
  int64_t Steps(int64_t last_steps, int64_t skip_last = 0) const {
    return Covered(last_steps, skip_last);
  }
  int Neurons(Population p) const;
  // Spikes in the steps Train(population, last_steps) covers (popcounts of
  // the packed steps: cheap, for sizing what a call will build from them).
  int64_t Spikes(Population population, int64_t last_steps) const;
  // The inputs of the same steps as Train: steps x nu, row-major.
  std::vector<double> Inputs(int64_t last_steps, int64_t skip_last = 0) const;
  // Mean fraction of active neurons per recorded step; 0 when empty. O(1).
  double MeanRate(Population population) const;

 private:
  const std::vector<uint8_t>& Buffer(Population p) const;
  // Steps Train(last_steps, skip_last) covers, and the slot of the first.
  int64_t Covered(int64_t last_steps, int64_t skip_last) const;
  int64_t FirstSlot(int64_t steps, int64_t skip_last) const;

  int ne_;
  int ni_;
  int nu_;
  size_t bytes_e_;
  size_t bytes_i_;
  int64_t capacity_;
  int64_t size_ = 0;
  int64_t next_ = 0;                // slot of the next step.
  std::vector<uint8_t> x_, y_, r_;  // slots x packed bytes.
  std::vector<double> inputs_;      // slots x nu.
  int64_t spikes_x_ = 0;  // spikes in the buffer, kept as steps come and go.
  int64_t spikes_y_ = 0;
  int64_t spikes_r_ = 0;
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSIONS_ACTIVITY_LOG_H_
