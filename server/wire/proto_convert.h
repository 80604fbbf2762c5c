// Conversion between the API's messages (sorn.proto) and the engine's plain
// structures. Conversions from the wire validate shapes; values are validated
// by core when the network is built.
#ifndef SORN_SERVER_WIRE_PROTO_CONVERT_H_
#define SORN_SERVER_WIRE_PROTO_CONVERT_H_

#include "absl/status/statusor.h"
#include "core/mechanism.h"
#include "core/network_state.h"
#include "core/params.h"
#include "core/reference_state.h"
#include "core/sparse_weights.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "sorn/v1/sorn.pb.h"

namespace sorn::server {

// Unset fields keep the defaults of Params. Not validated here.
// `base` with the fields `proto` sets (a preset's params, or the defaults).
absl::StatusOr<Params> ParamsFromProto(const ::sorn::v1::Params& proto,
                                       const Params& base = Params{});
// Every field set (h_ip to its effective value).
void ParamsToProto(const Params& params, ::sorn::v1::Params* proto);

// A request's phase; PHASE_UNSPECIFIED gives `fallback`.
absl::StatusOr<Phase> PhaseFromProto(::sorn::v1::Phase phase, Phase fallback);
absl::StatusOr<FreezeSet> FreezeFromProto(
    const google::protobuf::RepeatedPtrField<std::string>& names);
void FreezeToProto(FreezeSet set,
                   google::protobuf::RepeatedPtrField<std::string>* names);

void SparseToProto(const SparseWeights& weights,
                   ::sorn::v1::SparseMatrix* proto);

void NetworkStateToProto(const NetworkState& state,
                         ::sorn::v1::NetworkState* proto);
absl::StatusOr<NetworkState> NetworkStateFromProto(
    const ::sorn::v1::NetworkState& proto);

absl::StatusOr<ReferenceState> ReferenceStateFromProto(
    const ::sorn::v1::ReferenceState& proto);

}  // namespace sorn::server

#endif  // SORN_SERVER_WIRE_PROTO_CONVERT_H_
