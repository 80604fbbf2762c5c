// ServerCredentialsFor: the gRPC server credentials that --tls_cert,
// --tls_key and --tls_client_ca ask for (insecure when none is set).
#ifndef SORN_SERVER_AUTH_TLS_CREDENTIALS_H_
#define SORN_SERVER_AUTH_TLS_CREDENTIALS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"
#include "server/server_options.h"

namespace sorn::server {

// INVALID_ARGUMENT for an incomplete combination (a certificate without its
// key, a client CA without a certificate); NOT_FOUND for an unreadable file.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const ServerOptions& options);

}  // namespace sorn::server

#endif  // SORN_SERVER_AUTH_TLS_CREDENTIALS_H_
