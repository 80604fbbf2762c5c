// ParseCost: an upper bound of the memory protobuf takes to parse bytes into
// a message of a given type, found by walking the wire format without
// storing anything. Honest data costs about its own size, but crafted data
// can cost many times more (every 2-byte unknown varint becomes a 16-byte
// UnknownField; every 1-byte element of a packed int64 field 8 bytes), so a
// large untrusted payload is priced before it is parsed and its memory
// reserved from the budget.
#ifndef SORN_SERVER_WIRE_PARSE_COST_H_
#define SORN_SERVER_WIRE_PARSE_COST_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"

namespace sorn::server {

// Bytes that parsing `bytes` as a `type` may allocate (the message objects,
// repeated fields with their growth, strings, unknown fields).
// INVALID_ARGUMENT when the bytes are not a well-formed message (the parse
// would fail anyway) or nest deeper than protobuf allows.
absl::StatusOr<int64_t> ParseCost(const google::protobuf::Descriptor* type,
                                  const std::string& bytes);

}  // namespace sorn::server

#endif  // SORN_SERVER_WIRE_PARSE_COST_H_
