// Conversion between the API's readout messages (sorn.proto: FitReadout,
// ReadoutInfo, ReadoutState) and the server's ReadoutSet, validating what
// comes from the wire; also the Population enum, which GetStatistics shares.
#ifndef SORN_SERVER_READOUT_CONVERT_H_
#define SORN_SERVER_READOUT_CONVERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "server/activity_log.h"
#include "server/readout_set.h"
#include "sorn/v1/sorn.pb.h"

namespace sorn::server {

namespace pb = ::sorn::v1;

absl::StatusOr<Population> PopulationFromProto(pb::Population population);
pb::Population PopulationToProto(Population population);

absl::StatusOr<ReadoutFeatures> ReadoutFeaturesFromProto(
    const pb::ReadoutFeatures& proto);
// The request's targets: labels, one-hot rows (turned into labels) or
// values; INVALID_ARGUMENT names what is malformed.
absl::StatusOr<ReadoutTargets> ReadoutTargetsFromProto(
    const pb::FitReadoutRequest& request);

void ReadoutInfoToProto(const std::string& name, const NamedReadout& readout,
                        const ReadoutShape& shape, pb::ReadoutInfo* info);
void WeightsToProto(const Eigen::MatrixXd& weights, pb::DenseMatrix* proto);

// Every readout of the set, by name (exported state, checkpoints).
void ReadoutSetToProto(
    const ReadoutSet& set, const ReadoutShape& shape,
    google::protobuf::RepeatedPtrField<pb::ReadoutState>* proto);
// The readouts of an imported or loaded state, checked against the shape of
// its network.
absl::StatusOr<ReadoutSet> ReadoutSetFromProto(
    const google::protobuf::RepeatedPtrField<pb::ReadoutState>& proto,
    const ReadoutShape& shape);

}  // namespace sorn::server

#endif  // SORN_SERVER_READOUT_CONVERT_H_
