#include "server/sessions/activity_log.h"

#include <algorithm>

#include "core/packed_bits.h"

namespace sorn::server {

int64_t ActivityLog::MemoryBytes(int ne, int ni, int nu, int64_t capacity) {
  return 2 * capacity *
         int64_t(2 * PackedBytes(ne) + PackedBytes(ni) + nu * sizeof(double));
}

ActivityLog::ActivityLog(int ne, int ni, int nu, int64_t capacity)
    : ne_(ne),
      ni_(ni),
      nu_(nu),
      bytes_e_(PackedBytes(ne)),
      bytes_i_(PackedBytes(ni)),
      capacity_(capacity < 0 ? 0 : capacity) {}

void ActivityLog::Append(const StepRecord& record,
                         std::span<const double> input) {
  if (capacity_ == 0) return;
  if (size_ < capacity_) {
    inputs_.resize(inputs_.size() + nu_);
    x_.resize(x_.size() + bytes_e_);
    r_.resize(r_.size() + bytes_e_);
    y_.resize(y_.size() + bytes_i_);
  } else {
    // The oldest step leaves the buffer.
    spikes_x_ -= CountBits(&x_[next_ * bytes_e_], bytes_e_);
    spikes_r_ -= CountBits(&r_[next_ * bytes_e_], bytes_e_);
    spikes_y_ -= CountBits(&y_[next_ * bytes_i_], bytes_i_);
  }
  std::copy_n(input.data(), nu_, inputs_.data() + next_ * nu_);
  PackBits(record.x.data(), ne_, &x_[next_ * bytes_e_]);
  PackBits(record.r.data(), ne_, &r_[next_ * bytes_e_]);
  PackBits(record.y.data(), ni_, &y_[next_ * bytes_i_]);
  spikes_x_ += CountBits(&x_[next_ * bytes_e_], bytes_e_);
  spikes_r_ += CountBits(&r_[next_ * bytes_e_], bytes_e_);
  spikes_y_ += CountBits(&y_[next_ * bytes_i_], bytes_i_);
  next_ = (next_ + 1) % capacity_;
  if (size_ < capacity_) ++size_;
}

const std::vector<uint8_t>& ActivityLog::Buffer(Population p) const {
  return p == Population::kInhibitory  ? y_
         : p == Population::kRecurrent ? r_
                                       : x_;
}

int ActivityLog::Neurons(Population p) const {
  return p == Population::kInhibitory ? ni_ : ne_;
}

int64_t ActivityLog::Covered(int64_t last_steps, int64_t skip_last) const {
  const int64_t available = skip_last >= size_ ? 0 : size_ - skip_last;
  return (last_steps <= 0 || last_steps > available) ? available : last_steps;
}

int64_t ActivityLog::FirstSlot(int64_t steps, int64_t skip_last) const {
  // The oldest wanted step sits steps + skip_last slots before next_ (while
  // the buffer is still filling, next_ == size_).
  if (capacity_ == 0) return 0;
  return ((next_ - steps - skip_last) % capacity_ + capacity_) % capacity_;
}

SpikeTrain ActivityLog::Train(Population population, int64_t last_steps,
                              int64_t skip_last) const {
  return *Train(population, last_steps, skip_last, StopCheck());
}

absl::StatusOr<SpikeTrain> ActivityLog::Train(Population population,
                                              int64_t last_steps,
                                              int64_t skip_last,
                                              const StopCheck& stop) const {
  const int64_t steps = Covered(last_steps, skip_last);
  const int n = Neurons(population);
  const size_t bytes = PackedBytes(n);
  const std::vector<uint8_t>& buffer = Buffer(population);
  SpikeTrain train(static_cast<int>(steps), n);
  const int64_t rows_per_check =
      std::max<int64_t>(1, (int64_t{1} << 20) / std::max(1, n));
  int64_t slot = FirstSlot(steps, skip_last);
  for (int64_t t = 0; t < steps; ++t) {
    UnpackBits(&buffer[slot * bytes], n, &train.spikes[size_t(t) * n]);
    slot = (slot + 1) % capacity_;
    if (stop && t % rows_per_check == rows_per_check - 1 && stop()) {
      return absl::CancelledError("the copy of the recorded steps was stopped");
    }
  }
  return train;
}

int64_t ActivityLog::Spikes(Population population, int64_t last_steps) const {
  const int64_t steps = Covered(last_steps, 0);
  const size_t bytes = PackedBytes(Neurons(population));
  const std::vector<uint8_t>& buffer = Buffer(population);
  int64_t spikes = 0;
  int64_t slot = FirstSlot(steps, 0);
  for (int64_t t = 0; t < steps; ++t) {
    spikes += CountBits(&buffer[slot * bytes], bytes);
    slot = (slot + 1) % capacity_;
  }
  return spikes;
}

std::vector<double> ActivityLog::Inputs(int64_t last_steps,
                                        int64_t skip_last) const {
  const int64_t steps = Covered(last_steps, skip_last);
  std::vector<double> inputs(size_t(steps) * nu_);
  int64_t slot = FirstSlot(steps, skip_last);
  for (int64_t t = 0; t < steps; ++t) {
    std::copy_n(inputs_.data() + slot * nu_, nu_, inputs.data() + t * nu_);
    slot = (slot + 1) % capacity_;
  }
  return inputs;
}

double ActivityLog::MeanRate(Population population) const {
  if (size_ == 0) return 0.0;
  const int64_t spikes = population == Population::kInhibitory  ? spikes_y_
                         : population == Population::kRecurrent ? spikes_r_
                                                                : spikes_x_;
  return double(spikes) / (double(size_) * Neurons(population));
}

}  // namespace sorn::server
