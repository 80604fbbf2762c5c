#include "server/wire/parse_cost.h"

#include <climits>

#include "absl/strings/str_cat.h"
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

// Adds the cost of the fields in `in` (up to its current limit) parsed as
// `type` (null: unknown, kept as unknown fields).
absl::Status Walk(CodedInputStream* in, const Descriptor* type, int depth,
                  int64_t* cost) {
  if (depth > kMaxDepth) {
    return absl::InvalidArgumentError("data nests messages too deeply");
  }
  for (;;) {
    if (in->BytesUntilLimit() == 0) return absl::OkStatus();
    // 0 is no field's tag: the parse would fail on it too.
    const uint32_t tag = in->ReadTag();
    if (tag == 0) return Malformed();
    const FieldDescriptor* f =
        type != nullptr ? type->FindFieldByNumber(
                              int(WireFormatLite::GetTagFieldNumber(tag)))
                        : nullptr;
    const auto wire = WireFormatLite::GetTagWireType(tag);
    // A known field with an unexpected wire type is kept as unknown.
    const bool scalar_known = f != nullptr &&
                              f->type() != FieldDescriptor::TYPE_MESSAGE &&
                              f->type() != FieldDescriptor::TYPE_STRING &&
                              f->type() != FieldDescriptor::TYPE_BYTES &&
                              WireFormatLite::WireTypeForFieldType(
                                  WireFormatLite::FieldType(f->type())) == wire;
    switch (wire) {
      case WireFormatLite::WIRETYPE_VARINT: {
        uint64_t ignored;
        if (!in->ReadVarint64(&ignored)) return Malformed();
        *cost += scalar_known
                     ? (f->is_repeated() ? kGrowth * ElementBytes(f) : 0)
                     : kUnknownField;
        break;
      }
      case WireFormatLite::WIRETYPE_FIXED64:
      case WireFormatLite::WIRETYPE_FIXED32:
        if (!in->Skip(wire == WireFormatLite::WIRETYPE_FIXED64 ? 8 : 4)) {
          return Malformed();
        }
        *cost += scalar_known
                     ? (f->is_repeated() ? kGrowth * ElementBytes(f) : 0)
                     : kUnknownField;
        break;
      case WireFormatLite::WIRETYPE_LENGTH_DELIMITED: {
        uint32_t length;
        if (!in->ReadVarint32(&length) || int64_t{length} > INT_MAX ||
            int(length) > in->BytesUntilLimit()) {
          return Malformed();
        }
        if (f != nullptr && f->type() == FieldDescriptor::TYPE_MESSAGE) {
          *cost += ObjectBytes(f->message_type()) +
                   (f->is_repeated() ? kGrowth * 8 : 0);
          const CodedInputStream::Limit limit = in->PushLimit(int(length));
          if (absl::Status s = Walk(in, f->message_type(), depth + 1, cost);
              !s.ok()) {
            return s;
          }
          in->PopLimit(limit);
        } else if (f != nullptr && f->is_packable()) {
          // Packed elements: a fixed one takes its width, a varint at least
          // one byte (the last of each has its high bit clear).
          const auto element_wire = WireFormatLite::WireTypeForFieldType(
              WireFormatLite::FieldType(f->type()));
          if (element_wire != WireFormatLite::WIRETYPE_VARINT) {
            if (!in->Skip(int(length))) return Malformed();
            const int width =
                element_wire == WireFormatLite::WIRETYPE_FIXED64 ? 8 : 4;
            // The parser reserves exactly this room for fixed elements.
            *cost += (int64_t{length} / width) * ElementBytes(f);
            break;
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
          *cost += kGrowth * elements * ElementBytes(f);
        } else {
          // Strings, bytes and unknown length-delimited fields: their bytes.
          if (!in->Skip(int(length))) return Malformed();
          *cost +=
              int64_t{length} + kString + (f == nullptr ? kUnknownField : 0);
        }
        break;
      }
      default:
        // Groups (none in proto3) and invalid wire types.
        return Malformed();
    }
  }
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
