// Conversion between the API's readout messages (sorn.proto: FitReadout,
// ReadoutInfo, ReadoutState) and the server's ReadoutSet, validating what
// comes from the wire; also the Population enum, which GetStatistics shares.
#ifndef SORN_SERVER_WIRE_READOUT_CONVERT_H_
#define SORN_SERVER_WIRE_READOUT_CONVERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "server/sessions/activity_log.h"
#include "server/sessions/readout_set.h"
#include "sorn/v1/sorn.pb.h"

namespace sorn::server {

absl::StatusOr<Population> PopulationFromProto(
    ::sorn::v1::Population population);
::sorn::v1::Population PopulationToProto(Population population);

absl::StatusOr<ReadoutFeatures> ReadoutFeaturesFromProto(
    const ::sorn::v1::ReadoutFeatures& proto);
// The request's targets: labels, one-hot rows (turned into labels) or
// values; INVALID_ARGUMENT names what is malformed.
absl::StatusOr<ReadoutTargets> ReadoutTargetsFromProto(
    const ::sorn::v1::FitReadoutRequest& request);

void ReadoutInfoToProto(const std::string& name, const NamedReadout& readout,
                        const ReadoutShape& shape,
                        ::sorn::v1::ReadoutInfo* info);
void WeightsToProto(const Eigen::MatrixXd& weights,
                    ::sorn::v1::DenseMatrix* proto);

// Every readout of the set, by name (exported state, checkpoints).
void ReadoutSetToProto(
    const ReadoutSet& set, const ReadoutShape& shape,
    google::protobuf::RepeatedPtrField<::sorn::v1::ReadoutState>* proto);
// One readout of an imported or loaded state, checked against the shape of
// its network.
absl::StatusOr<NamedReadout> ReadoutFromProto(
    const ::sorn::v1::ReadoutState& state, const ReadoutShape& shape);
// The readouts of an imported or loaded state, checked against the shape of
// its network.
absl::StatusOr<ReadoutSet> ReadoutSetFromProto(
    const google::protobuf::RepeatedPtrField<::sorn::v1::ReadoutState>& proto,
    const ReadoutShape& shape);

}  // namespace sorn::server

#endif  // SORN_SERVER_WIRE_READOUT_CONVERT_H_
