// The one place where absl::Status becomes grpc::Status. Handlers and core
// return absl::Status; nothing else picks gRPC codes.
#ifndef SORN_SERVER_SERVICE_STATUS_CONVERT_H_
#define SORN_SERVER_SERVICE_STATUS_CONVERT_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace sorn::server {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace sorn::server

#endif  // SORN_SERVER_SERVICE_STATUS_CONVERT_H_
