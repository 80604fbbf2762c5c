// The API's packed activity (x, y, r of RunResponse and StepResponse)
// decoded bit by bit, independently of the server's core/packed_bits.h.
#ifndef SORN_TESTS_SUPPORT_PACKED_ACTIVITY_H_
#define SORN_TESTS_SUPPORT_PACKED_ACTIVITY_H_

#include <cstdint>
#include <string>
#include <vector>

namespace sorn {

// Unpacks `steps` x `n` bits of the API's packed activity: neuron i of a
// step is bit i % 8 of byte i / 8 of the step's ceil(n / 8) bytes.
std::vector<std::vector<uint8_t>> Unpack(const std::string& packed, int steps,
                                         int n);

}  // namespace sorn

#endif  // SORN_TESTS_SUPPORT_PACKED_ACTIVITY_H_
