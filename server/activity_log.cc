#include "server/activity_log.h"

#include "server/packed_bits.h"

namespace sorn::server {

int64_t ActivityLog::MemoryBytes(int ne, int ni, int64_t capacity) {
  return 2 * capacity * int64_t(2 * PackedBytes(ne) + PackedBytes(ni));
}

ActivityLog::ActivityLog(int ne, int ni, int64_t capacity)
    : ne_(ne),
      ni_(ni),
      bytes_e_(PackedBytes(ne)),
      bytes_i_(PackedBytes(ni)),
      capacity_(capacity < 0 ? 0 : capacity) {}

void ActivityLog::Append(const StepRecord& record) {
  if (capacity_ == 0) return;
  if (size_ < capacity_) {
    x_.resize(x_.size() + bytes_e_);
    r_.resize(r_.size() + bytes_e_);
    y_.resize(y_.size() + bytes_i_);
  } else {
    // The oldest step leaves the buffer.
    spikes_x_ -= CountBits(&x_[next_ * bytes_e_], bytes_e_);
    spikes_r_ -= CountBits(&r_[next_ * bytes_e_], bytes_e_);
    spikes_y_ -= CountBits(&y_[next_ * bytes_i_], bytes_i_);
  }
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

SpikeTrain ActivityLog::Train(Population population, int64_t last_steps) const {
  const int64_t steps =
      (last_steps <= 0 || last_steps > size_) ? size_ : last_steps;
  const int n = Neurons(population);
  const size_t bytes = PackedBytes(n);
  const std::vector<uint8_t>& buffer = Buffer(population);
  SpikeTrain train(static_cast<int>(steps), n);
  // The oldest wanted step sits `steps` slots before next_ (while the buffer
  // is still filling, next_ == size_).
  int64_t slot = capacity_ == 0
                     ? 0
                     : ((next_ - steps) % capacity_ + capacity_) % capacity_;
  for (int64_t t = 0; t < steps; ++t) {
    UnpackBits(&buffer[slot * bytes], n, &train.spikes[size_t(t) * n]);
    slot = (slot + 1) % capacity_;
  }
  return train;
}

double ActivityLog::MeanRate(Population population) const {
  if (size_ == 0) return 0.0;
  const int64_t spikes = population == Population::kInhibitory  ? spikes_y_
                         : population == Population::kRecurrent ? spikes_r_
                                                                : spikes_x_;
  return double(spikes) / (double(size_) * Neurons(population));
}

}  // namespace sorn::server
