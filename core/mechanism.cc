#include "core/mechanism.h"

#include "absl/strings/str_cat.h"

namespace sorn {
namespace {
constexpr const char* kNames[kNumMechanisms] = {"stdp", "ip", "sp", "istdp",
                                                "ss"};
}  // namespace

absl::StatusOr<Mechanism> ParseMechanism(const std::string& name) {
  for (int i = 0; i < kNumMechanisms; ++i) {
    if (name == kNames[i]) return static_cast<Mechanism>(i);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown plasticity mechanism \"", name,
                   "\"; expected one of stdp, ip, sp, istdp, ss"));
}

FreezeSet FreezeSet::All() { return FromBits((1 << kNumMechanisms) - 1); }

FreezeSet FreezeSet::FromBits(uint8_t bits) {
  FreezeSet set;
  set.bits_ = bits & ((1 << kNumMechanisms) - 1);
  return set;
}

absl::StatusOr<FreezeSet> FreezeSet::FromNames(
    const std::vector<std::string>& names) {
  FreezeSet set;
  for (const std::string& name : names) {
    absl::StatusOr<Mechanism> m = ParseMechanism(name);
    if (!m.ok()) return m.status();
    set.Insert(*m);
  }
  return set;
}

std::vector<std::string> FreezeSet::Names() const {
  std::vector<std::string> names;
  for (int i = 0; i < kNumMechanisms; ++i) {
    if (Contains(static_cast<Mechanism>(i))) names.push_back(kNames[i]);
  }
  return names;
}

absl::StatusOr<Phase> ParsePhase(const std::string& name) {
  if (name == "plasticity") return Phase::kPlasticity;
  if (name == "training") return Phase::kTraining;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown phase \"", name, "\"; expected \"plasticity\" or \"training\""));
}

}  // namespace sorn
