// The five plasticity mechanisms, the set of frozen ones, and the phase of a
// step (SPEC.md, "One time step").
#ifndef SORN_CORE_MECHANISM_H_
#define SORN_CORE_MECHANISM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sorn {

// In the order they run within a step.
enum class Mechanism : uint8_t {
  kStdp = 0,   // "stdp": spike-timing-dependent plasticity of Wee.
  kIp = 1,     // "ip": intrinsic plasticity of Te.
  kSp = 2,     // "sp": structural plasticity (new Wee synapses).
  kIstdp = 3,  // "istdp": inhibitory STDP of Wei.
  kSs = 4,     // "ss": synaptic scaling (column normalization).
};
inline constexpr int kNumMechanisms = 5;

// INVALID_ARGUMENT naming the unknown name and the valid ones.
absl::StatusOr<Mechanism> ParseMechanism(const std::string& name);

// A set of frozen mechanisms. Small value type.
class FreezeSet {
 public:
  FreezeSet() = default;
  static FreezeSet All();
  // Parses names such as {"stdp", "ip"}; duplicates are allowed.
  static absl::StatusOr<FreezeSet> FromNames(
      const std::vector<std::string>& names);

  bool Contains(Mechanism m) const { return bits_ & Bit(m); }
  void Insert(Mechanism m) { bits_ |= Bit(m); }
  void Erase(Mechanism m) { bits_ &= ~Bit(m); }
  bool empty() const { return bits_ == 0; }
  // Names in mechanism order.
  std::vector<std::string> Names() const;

  uint8_t bits() const { return bits_; }
  // REQUIRES: bits < 32.
  static FreezeSet FromBits(uint8_t bits);

  bool operator==(const FreezeSet& other) const = default;

 private:
  static uint8_t Bit(Mechanism m) { return uint8_t{1} << static_cast<int>(m); }
  uint8_t bits_ = 0;
};

// In the plasticity phase every mechanism not frozen runs; in the training
// phase nothing is plastic (weights and thresholds stay, activity evolves).
enum class Phase : uint8_t { kPlasticity, kTraining };

absl::StatusOr<Phase> ParsePhase(const std::string& name);

}  // namespace sorn

#endif  // SORN_CORE_MECHANISM_H_
