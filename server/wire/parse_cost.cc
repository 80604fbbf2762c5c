#include "server/wire/parse_cost.h"

#include <climits>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/message.h"
#include "google/protobuf/wire_format_lite.h"

namespace sorn::server {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// protobuf's own default recursion limit.
constexpr int kMaxDepth = 100;
// An UnknownField (16 bytes) in a vector that may have doubled.
constexpr int64_t kUnknownField = 32;
// A std::string's own allocation overhead.
constexpr int64_t kString = 32;
// A repeated field may hold twice its elements' room while it grows.
constexpr int64_t kGrowth = 2;

absl::Status Malformed() {
  return absl::InvalidArgumentError("data is not a well-formed message");
}

// The in-memory bytes of one element of a repeated scalar field.
int64_t ElementBytes(const FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_FLOAT:
    case FieldDescriptor::CPPTYPE_ENUM:
      return 4;
    case FieldDescriptor::CPPTYPE_BOOL:
      return 1;
    default:
      return 8;
  }
}

// The memory of one message object of `type` (its fields' inline storage).
int64_t ObjectBytes(const Descriptor* type) {
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  return prototype != nullptr ? int64_t(prototype->SpaceUsedLong()) : 256;
}

absl::Status Walk(CodedInputStream* in, const Descriptor* type, int depth,
                  int64_t* cost);

// The cost of a varint or fixed field just read: a repeated known one grows
// its array, a singular one is inline, an unknown one is kept as such.
int64_t ScalarCost(const FieldDescriptor* f, WireFormatLite::WireType wire) {
  // A known field with an unexpected wire type is kept as unknown.
  const bool known = f != nullptr &&
                     f->type() != FieldDescriptor::TYPE_MESSAGE &&
                     f->type() != FieldDescriptor::TYPE_STRING &&
                     f->type() != FieldDescriptor::TYPE_BYTES &&
                     WireFormatLite::WireTypeForFieldType(
                         WireFormatLite::FieldType(f->type())) == wire;
  if (!known) return kUnknownField;
  return f->is_repeated() ? kGrowth * ElementBytes(f) : 0;
}

// Skips the `length` bytes of packed elements of `f`, pricing them: a fixed
// element takes its width, a varint at least one byte (the last of each has
// its high bit clear).
absl::StatusOr<int64_t> PackedCost(CodedInputStream* in,
                                   const FieldDescriptor* f, int length) {
  const auto element_wire = WireFormatLite::WireTypeForFieldType(
      WireFormatLite::FieldType(f->type()));
  if (element_wire != WireFormatLite::WIRETYPE_VARINT) {
    if (!in->Skip(length)) return Malformed();
    const int width = element_wire == WireFormatLite::WIRETYPE_FIXED64 ? 8 : 4;
    // The parser reserves exactly this room for fixed elements.
    return (int64_t{length} / width) * ElementBytes(f);
  }
  int64_t elements = 0;
  const void* data;
  int size;
  int64_t left = length;
  while (left > 0) {
    if (!in->GetDirectBufferPointer(&data, &size)) return Malformed();
    const int64_t n = std::min<int64_t>(size, left);
    const auto* p = static_cast<const uint8_t*>(data);
    for (int64_t i = 0; i < n; ++i) elements += (p[i] & 0x80) == 0;
    in->Skip(int(n));
    left -= n;
  }
  return kGrowth * elements * ElementBytes(f);
}

// Adds the cost of a length-delimited field of `f` (null: unknown): a
// message is walked, packed elements counted, other bytes kept.
absl::Status LengthDelimitedCost(CodedInputStream* in, const FieldDescriptor* f,
                                 int depth, int64_t* cost) {
  uint32_t length;
  if (!in->ReadVarint32(&length) || int64_t{length} > INT_MAX ||
      int(length) > in->BytesUntilLimit()) {
    return Malformed();
  }
  if (f != nullptr && f->type() == FieldDescriptor::TYPE_MESSAGE) {
    *cost +=
        ObjectBytes(f->message_type()) + (f->is_repeated() ? kGrowth * 8 : 0);
    const CodedInputStream::Limit limit = in->PushLimit(int(length));
    RETURN_IF_ERROR(Walk(in, f->message_type(), depth + 1, cost));
    in->PopLimit(limit);
    return absl::OkStatus();
  }
  if (f != nullptr && f->is_packable()) {
    ASSIGN_OR_RETURN(const int64_t packed, PackedCost(in, f, int(length)));
    *cost += packed;
    return absl::OkStatus();
  }
  // Strings, bytes and unknown length-delimited fields: their bytes.
  if (!in->Skip(int(length))) return Malformed();
  *cost += int64_t{length} + kString + (f == nullptr ? kUnknownField : 0);
  return absl::OkStatus();
}

// Adds the cost of the fields in `in` (up to its current limit) parsed as
// `type` (null: unknown, kept as unknown fields).
absl::Status Walk(CodedInputStream* in, const Descriptor* type, int depth,
                  int64_t* cost) {
  if (depth > kMaxDepth) {
    return absl::InvalidArgumentError("data nests messages too deeply");
  }
  while (in->BytesUntilLimit() != 0) {
    // 0 is no field's tag: the parse would fail on it too.
    const uint32_t tag = in->ReadTag();
    if (tag == 0) return Malformed();
    const FieldDescriptor* f =
        type != nullptr ? type->FindFieldByNumber(
                              int(WireFormatLite::GetTagFieldNumber(tag)))
                        : nullptr;
    const auto wire = WireFormatLite::GetTagWireType(tag);
    switch (wire) {
      case WireFormatLite::WIRETYPE_VARINT: {
        uint64_t ignored;
        if (!in->ReadVarint64(&ignored)) return Malformed();
        *cost += ScalarCost(f, wire);
        break;
      }
      case WireFormatLite::WIRETYPE_FIXED64:
      case WireFormatLite::WIRETYPE_FIXED32:
        if (!in->Skip(wire == WireFormatLite::WIRETYPE_FIXED64 ? 8 : 4)) {
          return Malformed();
        }
        *cost += ScalarCost(f, wire);
        break;
      case WireFormatLite::WIRETYPE_LENGTH_DELIMITED:
        RETURN_IF_ERROR(LengthDelimitedCost(in, f, depth, cost));
        break;
      default:
        // Groups (none in proto3) and invalid wire types.
        return Malformed();
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> ParseCost(const Descriptor* type,
                                  const std::string& bytes) {
  if (bytes.size() > size_t{INT_MAX}) {
    return absl::InvalidArgumentError(
        absl::StrCat("data of ", bytes.size(),
                     " bytes exceeds protobuf's 2 GiB message limit"));
  }
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                      int(bytes.size()));
  in.SetRecursionLimit(kMaxDepth + 1);
  const CodedInputStream::Limit limit = in.PushLimit(int(bytes.size()));
  int64_t cost = ObjectBytes(type);
  if (absl::Status s = Walk(&in, type, 0, &cost); !s.ok()) return s;
  in.PopLimit(limit);
  return cost;
}

}  // namespace sorn::server
