// SornService: whole-state transfer (ExportState, ImportState), chunked so
// that states of any size fit under gRPC's message limits.
#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "core/reference_state.h"
#include "core/status_macros.h"
#include "server/proto_convert.h"
#include "server/readout_convert.h"
#include "server/session_name.h"
#include "server/sorn_service.h"
#include "server/status_convert.h"

namespace sorn::server {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

}  // namespace

grpc::Status SornService::ExportState(
    grpc::ServerContext* context, const pb::ExportStateRequest* request,
    grpc::ServerWriter<pb::StateChunk>* writer) {
  return Serve(
      context, "ExportState", Kind::kStream,
      [&](const Caller& caller, CallRecord& call) -> absl::Status {
        call.session = request->session();
        absl::StatusOr<std::shared_ptr<Session>> session =
            store_->Get(caller, request->session());
        if (!session.ok()) return session.status();
        // The copy, then the message, then its bytes: at most two of them
        // at once, each no larger than the session's own reservation.
        ASSIGN_OR_RETURN(const MemoryBudget::Reservation memory,
                         store_->budget()->Reserve(
                             2 * (*session)->memory_bytes(), "the export"));
        const std::string bytes = [&] {
          // Copied under the lock, converted outside it: a driver waits
          // only for the copy.
          auto [state, readouts, shape] =
              (*session)->WithState([](const Network& net, const ActivityLog&,
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
                 return Import(caller, reader, info, call);
               });
}

absl::Status SornService::Import(
    const Caller& caller, grpc::ServerReader<pb::ImportStateRequest>* reader,
    pb::SessionInfo* info, CallRecord& call) {
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
  // The buffer, then the parsed message and the state converted from it,
  // are held at once: about three times the bytes received, reserved as
  // they arrive so that concurrent imports cannot overshoot the budget.
  if (header.has_total_bytes() &&
      (header.total_bytes() < 0 ||
       header.total_bytes() > options_.max_state_bytes)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "total_bytes = ", header.total_bytes(), " is outside [0, ",
        options_.max_state_bytes, "] (--max_state_bytes)"));
  }
  const int64_t announced =
      header.has_total_bytes() ? header.total_bytes() : 0;
  MemoryBudget::Reservation memory;
  ASSIGN_OR_RETURN(memory, store_->budget()->Reserve(
                               3 * announced,
                               absl::StrCat("the import of ", announced,
                                            " bytes (total_bytes)")));
  std::string bytes;
  bytes.reserve(announced);
  auto append = [&](const std::string& data) -> absl::Status {
    const int64_t total = int64_t(bytes.size() + data.size());
    if (total > options_.max_state_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("state exceeds this server's limit of ",
                       options_.max_state_bytes, " bytes (--max_state_bytes)"));
    }
    if (3 * total > memory.bytes()) {
      // Grown by half again each time: a few budget look-ups per import.
      RETURN_IF_ERROR(memory.Resize(
          std::min(3 * options_.max_state_bytes,
                   std::max(3 * total, memory.bytes() * 3 / 2)),
          absl::StrCat("the import (", total, " bytes so far)")));
    }
    bytes += data;
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(append(message.data()));
  while (reader->Read(&message)) {
    if (message.has_header()) {
      return absl::InvalidArgumentError(
          "only the first message may carry a header");
    }
    RETURN_IF_ERROR(append(message.data()));
  }
  if (header.has_total_bytes() && int64_t(bytes.size()) != announced) {
    return absl::InvalidArgumentError(
        absl::StrCat("received ", bytes.size(), " bytes of state; the header's "
                     "total_bytes said ", announced));
  }
  absl::StatusOr<NetworkState> state;
  // NATIVE states carry their readouts.
  google::protobuf::RepeatedPtrField<pb::ReadoutState> readout_protos;
  uint64_t seed = header.has_seed() ? header.seed() : 0;
  if (header.format() == pb::ImportStateRequest::Header::REFERENCE) {
    pb::ReferenceState proto;
    if (!proto.ParseFromString(bytes)) {
      return absl::InvalidArgumentError(
          "data is not a serialized ReferenceState");
    }
    absl::StatusOr<ReferenceState> reference = ReferenceStateFromProto(proto);
    if (!reference.ok()) return reference.status();
    absl::StatusOr<Params> params = ParamsFromProto(header.params());
    if (!params.ok()) return params.status();
    absl::StatusOr<FreezeSet> frozen = FreezeFromProto(header.frozen());
    if (!frozen.ok()) return frozen.status();
    state = FromReferenceState(*reference, *params, *frozen, seed);
  } else if (header.format() == pb::ImportStateRequest::Header::NATIVE ||
             header.format() ==
                 pb::ImportStateRequest::Header::FORMAT_UNSPECIFIED) {
    pb::NetworkState proto;
    if (!proto.ParseFromString(bytes)) {
      return absl::InvalidArgumentError(
          "data is not a serialized NetworkState");
    }
    state = NetworkStateFromProto(proto);
    readout_protos.Swap(proto.mutable_readouts());
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown state format ", int(header.format())));
  }
  if (!state.ok()) return state.status();
  const std::optional<int64_t> record_steps =
      header.has_record_buffer_steps()
          ? std::optional<int64_t>(header.record_buffer_steps())
          : std::nullopt;
  ASSIGN_OR_RETURN(SessionStore::NewSession pending,
                   store_->Begin(caller, header.name(), state->params,
                                 record_steps, header.replace()));
  ASSIGN_OR_RETURN(Network network, Network::FromState(*state));
  ASSIGN_OR_RETURN(ReadoutSet readouts,
                   ReadoutSetFromProto(readout_protos, ShapeOf(network)));
  ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                   store_->Commit(std::move(pending), std::move(network),
                                  std::move(readouts), seed));
  DescribeSession(*session, info);
  return absl::OkStatus();
}

}  // namespace sorn::server
