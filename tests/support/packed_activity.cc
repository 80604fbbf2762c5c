// Unpack (packed_activity.h).
#include "tests/support/packed_activity.h"

namespace sorn {

std::vector<std::vector<uint8_t>> Unpack(const std::string& packed, int steps,
                                         int n) {
  const size_t bytes = (size_t(n) + 7) / 8;
  std::vector<std::vector<uint8_t>> out(steps, std::vector<uint8_t>(n));
  for (int t = 0; t < steps; ++t) {
    for (int i = 0; i < n; ++i) {
      out[t][i] = (uint8_t(packed[t * bytes + i / 8]) >> (i % 8)) & 1;
    }
  }
  return out;
}

}  // namespace sorn
