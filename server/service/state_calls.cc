// SornService: whole-state transfer (ExportState, ImportState), chunked so
// that states of any size fit under gRPC's message limits.
#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "core/reference_state.h"
#include "core/status_macros.h"
#include "server/service/sorn_service.h"
#include "server/service/status_convert.h"
#include "server/sessions/session_name.h"
#include "server/wire/parse_cost.h"
#include "server/wire/proto_convert.h"
#include "server/wire/readout_convert.h"

namespace sorn::server {

namespace pb = ::sorn::v1;
namespace {

constexpr size_t kChunkBytes = 1 << 20;

// The state's bytes, gathered from the stream's chunks, with their memory
// held in *memory.
absl::StatusOr<std::string> ReceiveState(
    const pb::ImportStateRequest::Header& header,
    const pb::ImportStateRequest& first,
    grpc::ServerReader<pb::ImportStateRequest>* reader, int64_t max_state_bytes,
    MemoryBudget* budget, MemoryBudget::Reservation* memory) {
  if (header.has_total_bytes() &&
      (header.total_bytes() < 0 || header.total_bytes() > max_state_bytes)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("total_bytes = ", header.total_bytes(), " is outside [0, ",
                     max_state_bytes, "] (--max_state_bytes)"));
  }
  // The buffer, then the parsed message and the state converted from it,
  // are held at once: for honest data about three times the bytes
  // received, reserved as they arrive (at once when announced) so that
  // concurrent imports cannot overshoot the budget together.
  const int64_t announced = header.has_total_bytes() ? header.total_bytes() : 0;
  ASSIGN_OR_RETURN(
      *memory,
      budget->Reserve(3 * announced, absl::StrCat("the import of ", announced,
                                                  " bytes (total_bytes)")));
  std::string bytes;
  bytes.reserve(announced);
  auto append = [&](const std::string& data) -> absl::Status {
    const int64_t total = int64_t(bytes.size() + data.size());
    if (total > max_state_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("state exceeds this server's limit of ", max_state_bytes,
                       " bytes (--max_state_bytes)"));
    }
    if (3 * total > memory->bytes()) {
      // Grown by half again each time: a few budget look-ups per import.
      RETURN_IF_ERROR(memory->Resize(
          std::min(3 * max_state_bytes,
                   std::max(3 * total, memory->bytes() * 3 / 2)),
          absl::StrCat("the import (", total, " bytes so far)")));
    }
    bytes += data;
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(append(first.data()));
  pb::ImportStateRequest message;
  while (reader->Read(&message)) {
    if (message.has_header()) {
      return absl::InvalidArgumentError(
          "only the first message may carry a header");
    }
    RETURN_IF_ERROR(append(message.data()));
  }
  if (header.has_total_bytes() && int64_t(bytes.size()) != announced) {
    return absl::InvalidArgumentError(
        absl::StrCat("received ", bytes.size(),
                     " bytes of state; the header's "
                     "total_bytes said ",
                     announced));
  }
  return bytes;
}

// What an import's bytes hold.
struct ImportedState {
  NetworkState state;
  google::protobuf::RepeatedPtrField<pb::ReadoutState> readouts;
  uint64_t seed = 0;
};

// Parses the bytes in the header's format, once their parse is priced and
// its memory added to *memory.
absl::StatusOr<ImportedState> DecodeState(
    const pb::ImportStateRequest::Header& header, const std::string& bytes,
    MemoryBudget::Reservation* memory) {
  const bool reference =
      header.format() == pb::ImportStateRequest::Header::REFERENCE;
  if (!reference && header.format() != pb::ImportStateRequest::Header::NATIVE &&
      header.format() != pb::ImportStateRequest::Header::FORMAT_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown state format ", int(header.format())));
  }
  // Crafted data can cost many times its size to parse: price it first.
  const google::protobuf::Descriptor* type =
      reference ? pb::ReferenceState::descriptor()
                : pb::NetworkState::descriptor();
  absl::StatusOr<int64_t> parse_bytes = ParseCost(type, bytes);
  if (!parse_bytes.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("data is not a serialized ", type->name(), ": ",
                     parse_bytes.status().message()));
  }
  // The buffer, the parsed message, and the state converted from it.
  RETURN_IF_ERROR(memory->Resize(int64_t(bytes.size()) + 2 * *parse_bytes,
                                 "parsing the import"));
  ImportedState imported;
  imported.seed = header.has_seed() ? header.seed() : 0;
  if (reference) {
    pb::ReferenceState proto;
    if (!proto.ParseFromString(bytes)) {
      return absl::InvalidArgumentError(
          "data is not a serialized ReferenceState");
    }
    ASSIGN_OR_RETURN(const ReferenceState state,
                     ReferenceStateFromProto(proto));
    ASSIGN_OR_RETURN(const Params params, ParamsFromProto(header.params()));
    ASSIGN_OR_RETURN(const FreezeSet frozen, FreezeFromProto(header.frozen()));
    ASSIGN_OR_RETURN(imported.state,
                     FromReferenceState(state, params, frozen, imported.seed));
    return imported;
  }
  pb::NetworkState proto;
  if (!proto.ParseFromString(bytes)) {
    return absl::InvalidArgumentError("data is not a serialized NetworkState");
  }
  ASSIGN_OR_RETURN(imported.state, NetworkStateFromProto(proto));
  // NATIVE states carry their readouts.
  imported.readouts.Swap(proto.mutable_readouts());
  return imported;
}

}  // namespace

grpc::Status SornService::ExportState(
    grpc::ServerContext* context, const pb::ExportStateRequest* request,
    grpc::ServerWriter<pb::StateChunk>* writer) {
  return Serve(
      context, "ExportState", Kind::kStream,
      [&](const Caller& caller, CallRecord& call) -> absl::Status {
        ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                         Lookup(caller, request->session(), call));
        // The copy, then the message, then its bytes: at most two of them
        // at once, each no larger than the session's own reservation.
        ASSIGN_OR_RETURN(
            const MemoryBudget::Reservation memory,
            store_->budget()->Reserve(2 * session->StateBytes(), "the export"));
        const std::string bytes = [&] {
          // Copied under the lock, converted outside it: a driver waits
          // only for the copy.
          auto [state, readouts, shape] =
              session->WithState([](const Network& net, const ActivityLog&,
                                    const ReadoutSet& readouts) {
                return std::tuple{net.ExportState(), readouts, ShapeOf(net)};
              });
          pb::NetworkState proto;
          NetworkStateToProto(state, &proto);
          state = NetworkState();
          ReadoutSetToProto(readouts, shape, proto.mutable_readouts());
          return proto.SerializeAsString();
        }();
        size_t offset = 0;
        do {
          pb::StateChunk chunk;
          const size_t n = std::min(kChunkBytes, bytes.size() - offset);
          chunk.set_data(bytes.substr(offset, n));
          chunk.set_total_bytes(static_cast<int64_t>(bytes.size()));
          offset += n;
          if (context->IsCancelled() || !writer->Write(chunk)) {
            return absl::CancelledError("export cancelled by the client");
          }
          call.bytes_out += int64_t(n);
        } while (offset < bytes.size());
        metrics_->StreamedBytes(call.method).Increment(double(bytes.size()));
        return absl::OkStatus();
      });
}

grpc::Status SornService::ImportState(
    grpc::ServerContext* context,
    grpc::ServerReader<pb::ImportStateRequest>* reader, pb::SessionInfo* info) {
  return Serve(context, "ImportState", Kind::kStream,
               [&](const Caller& caller, CallRecord& call) {
                 return Import(context, caller, reader, info, call);
               });
}

absl::Status SornService::Import(
    grpc::ServerContext* context, const Caller& caller,
    grpc::ServerReader<pb::ImportStateRequest>* reader, pb::SessionInfo* info,
    CallRecord& call) {
  pb::ImportStateRequest message;
  if (!reader->Read(&message) || !message.has_header()) {
    return absl::InvalidArgumentError(
        "the first ImportState message must carry the header");
  }
  const pb::ImportStateRequest::Header header = message.header();
  call.session = header.name();
  // Refuse a bad or taken name before reading a possibly large state.
  RETURN_IF_ERROR(ValidateSessionName(header.name()));
  if (!header.replace() && store_->Get(caller, header.name()).ok()) {
    return absl::AlreadyExistsError(
        absl::StrCat("session \"", header.name(), "\" already exists"));
  }
  MemoryBudget::Reservation memory;
  ASSIGN_OR_RETURN(
      const std::string bytes,
      ReceiveState(header, message, reader, options_.max_state_bytes,
                   store_->budget(), &memory));
  // A cancelled stream ends like a finished one: its bytes are a prefix of
  // the state, which may even parse.
  if (context->IsCancelled()) {
    return absl::CancelledError("import cancelled by the client");
  }
  ASSIGN_OR_RETURN(ImportedState imported, DecodeState(header, bytes, &memory));
  const std::optional<int64_t> record_steps =
      header.has_record_buffer_steps()
          ? std::optional<int64_t>(header.record_buffer_steps())
          : std::nullopt;
  ASSIGN_OR_RETURN(SessionStore::NewSession pending,
                   store_->Begin(caller, header.name(), imported.state.params,
                                 record_steps, header.replace()));
  ASSIGN_OR_RETURN(Network network, Network::FromState(imported.state));
  ASSIGN_OR_RETURN(ReadoutSet readouts,
                   ReadoutSetFromProto(imported.readouts, ShapeOf(network)));
  ASSIGN_OR_RETURN(
      std::shared_ptr<Session> session,
      store_->Commit(std::move(pending), std::move(network),
                     std::move(readouts), imported.seed, header.ephemeral()));
  DescribeSession(*session, info);
  return absl::OkStatus();
}

}  // namespace sorn::server
