// Conversion between the API's messages (sorn.proto) and the engine's plain
// structures. Conversions from the wire validate shapes; values are validated
// by core when the network is built.
#ifndef SORN_SERVER_PROTO_CONVERT_H_
#define SORN_SERVER_PROTO_CONVERT_H_

#include "absl/status/statusor.h"
#include "core/mechanism.h"
#include "core/network_state.h"
#include "core/params.h"
#include "core/reference_state.h"
#include "core/sparse_weights.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "sorn/v1/sorn.pb.h"

namespace sorn::server {

namespace pb = ::sorn::v1;

// Unset fields keep the defaults of Params. Not validated here.
absl::StatusOr<Params> ParamsFromProto(const pb::Params& proto);
// Every field set (h_ip to its effective value).
void ParamsToProto(const Params& params, pb::Params* proto);

absl::StatusOr<FreezeSet> FreezeFromProto(
    const google::protobuf::RepeatedPtrField<std::string>& names);
void FreezeToProto(FreezeSet set,
                   google::protobuf::RepeatedPtrField<std::string>* names);

void SparseToProto(const SparseWeights& weights, pb::SparseMatrix* proto);

void NetworkStateToProto(const NetworkState& state, pb::NetworkState* proto);
absl::StatusOr<NetworkState> NetworkStateFromProto(
    const pb::NetworkState& proto);

absl::StatusOr<ReferenceState> ReferenceStateFromProto(
    const pb::ReferenceState& proto);

}  // namespace sorn::server

#endif  // SORN_SERVER_PROTO_CONVERT_H_
