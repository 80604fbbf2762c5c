// SornClient: a small synchronous C++ client of sorn-server, returning
// absl::Status (the gRPC code and message) from every call. Used by sornctl.
#ifndef SORN_CLIENT_CPP_SORN_CLIENT_H_
#define SORN_CLIENT_CPP_SORN_CLIENT_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "sorn/v1/sorn.grpc.pb.h"

namespace sorn::client {

// The gRPC status as an absl::Status (same code and message).
absl::Status FromGrpc(const grpc::Status& status);

// TLS channel credentials from PEM files: the CA that signed the server's
// certificate (empty: the system's roots) and, for mutual TLS, the client's
// certificate chain and key (both or neither).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> TlsCredentials(
    const std::string& ca_file, const std::string& cert_file,
    const std::string& key_file);

// One Step stream (the reinforcement-learning loop): each Step sends one
// request and waits for its response. Made by SornClient::OpenSteps; holds
// the session on the server until Finish (or destruction, which cancels).
// Not thread-safe.
class StepStream {
 public:
  ~StepStream();
  StepStream(const StepStream&) = delete;
  StepStream& operator=(const StepStream&) = delete;

  // One step. The first request must name the session and may set the
  // record selection and readouts; later ones carry the input (and phase,
  // noise). On an error the stream is over: Finish returns the status.
  absl::StatusOr<::sorn::v1::StepResponse> Step(
      const ::sorn::v1::StepRequest& request);
  // Ends the stream; the server's status (OK if every step succeeded).
  absl::Status Finish();

 private:
  friend class SornClient;
  StepStream() = default;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<::sorn::v1::StepRequest,
                                           ::sorn::v1::StepResponse>>
      stream_;
  bool finished_ = false;
  absl::Status final_;  // Finish's result, once finished.
};

// Thread-compatible; one channel per client.
class SornClient {
 public:
  // `token`, if not empty, is sent as "authorization: Bearer <token>".
  // `credentials` null: plaintext.
  explicit SornClient(
      const std::string& address, std::string token = "",
      std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

  absl::StatusOr<::sorn::v1::SessionInfo> Create(
      const ::sorn::v1::CreateSessionRequest& request);
  absl::StatusOr<::sorn::v1::SessionInfo> Get(const std::string& name);
  absl::StatusOr<std::vector<::sorn::v1::SessionInfo>> List();
  absl::Status Delete(const std::string& name);
  absl::StatusOr<::sorn::v1::SessionInfo> Freeze(
      const ::sorn::v1::FreezeRequest& request);
  absl::StatusOr<::sorn::v1::SessionInfo> Fork(
      const ::sorn::v1::ForkSessionRequest& request);
  absl::StatusOr<::sorn::v1::Statistics> Statistics(
      const ::sorn::v1::GetStatisticsRequest& request);
  absl::StatusOr<::sorn::v1::FitReadoutResponse> FitReadout(
      const ::sorn::v1::FitReadoutRequest& request);
  absl::StatusOr<::sorn::v1::SessionInfo> DeleteReadout(
      const ::sorn::v1::DeleteReadoutRequest& request);
  // Simulate (or Train); `on_batch` sees every streamed message in order.
  absl::Status Run(
      const ::sorn::v1::RunRequest& request, bool train,
      const std::function<void(const ::sorn::v1::RunResponse&)>& on_batch);
  // A Step stream on `session` (named again in the first request).
  std::unique_ptr<StepStream> OpenSteps(const std::string& session);
  // The serialized NetworkState.
  absl::StatusOr<std::string> Export(const std::string& name);
  absl::StatusOr<::sorn::v1::SessionInfo> Import(
      const ::sorn::v1::ImportStateRequest::Header& header,
      const std::string& data);
  // OK when the server reports SERVING.
  absl::Status Health();

 private:
  // Adds the token and the session routing header to a call.
  void Prepare(grpc::ClientContext* context, const std::string& session) const;

  std::string token_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<::sorn::v1::Sorn::Stub> stub_;
};

}  // namespace sorn::client

#endif  // SORN_CLIENT_CPP_SORN_CLIENT_H_
