#include "client/cpp/sorn_client.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace sorn::client {

namespace pb = ::sorn::v1;

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> TlsCredentials(
    const std::string& ca_file, const std::string& cert_file,
    const std::string& key_file) {
  if (cert_file.empty() != key_file.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate and its key go together");
  }
  grpc::SslCredentialsOptions ssl;
  for (auto [path, field] : {std::pair{&ca_file, &ssl.pem_root_certs},
                             std::pair{&cert_file, &ssl.pem_cert_chain},
                             std::pair{&key_file, &ssl.pem_private_key}}) {
    if (path->empty()) continue;
    absl::StatusOr<std::string> text = ReadFile(*path);
    if (!text.ok()) return text.status();
    *field = *std::move(text);
  }
  return grpc::SslCredentials(ssl);
}

SornClient::SornClient(const std::string& address, std::string token,
                       std::shared_ptr<grpc::ChannelCredentials> credentials)
    : token_(std::move(token)) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  channel_ = grpc::CreateCustomChannel(
      address,
      credentials != nullptr ? credentials : grpc::InsecureChannelCredentials(),
      args);
  stub_ = pb::Sorn::NewStub(channel_);
}

void SornClient::Prepare(grpc::ClientContext* context,
                         const std::string& session) const {
  if (!token_.empty())
    context->AddMetadata("authorization", "Bearer " + token_);
  if (!session.empty()) context->AddMetadata("x-sorn-session", session);
}

absl::StatusOr<pb::SessionInfo> SornClient::Create(
    const pb::CreateSessionRequest& request) {
  grpc::ClientContext context;
  Prepare(&context, request.name());
  pb::SessionInfo info;
  absl::Status s = FromGrpc(stub_->CreateSession(&context, request, &info));
  if (!s.ok()) return s;
  return info;
}

absl::StatusOr<pb::SessionInfo> SornClient::Get(const std::string& name) {
  grpc::ClientContext context;
  Prepare(&context, name);
  pb::GetSessionRequest request;
  request.set_name(name);
  pb::SessionInfo info;
  absl::Status s = FromGrpc(stub_->GetSession(&context, request, &info));
  if (!s.ok()) return s;
  return info;
}

absl::StatusOr<std::vector<pb::SessionInfo>> SornClient::List() {
  grpc::ClientContext context;
  Prepare(&context, "");
  pb::ListSessionsResponse response;
  absl::Status s = FromGrpc(stub_->ListSessions(&context, {}, &response));
  if (!s.ok()) return s;
  return std::vector<pb::SessionInfo>(response.sessions().begin(),
                                      response.sessions().end());
}

absl::Status SornClient::Delete(const std::string& name) {
  grpc::ClientContext context;
  Prepare(&context, name);
  pb::DeleteSessionRequest request;
  request.set_name(name);
  pb::DeleteSessionResponse response;
  return FromGrpc(stub_->DeleteSession(&context, request, &response));
}

absl::StatusOr<pb::SessionInfo> SornClient::Freeze(
    const pb::FreezeRequest& request) {
  grpc::ClientContext context;
  Prepare(&context, request.session());
  pb::SessionInfo info;
  absl::Status s = FromGrpc(stub_->Freeze(&context, request, &info));
  if (!s.ok()) return s;
  return info;
}

absl::StatusOr<pb::FitReadoutResponse> SornClient::FitReadout(
    const pb::FitReadoutRequest& request) {
  grpc::ClientContext context;
  Prepare(&context, request.session());
  pb::FitReadoutResponse response;
  absl::Status s = FromGrpc(stub_->FitReadout(&context, request, &response));
  if (!s.ok()) return s;
  return response;
}

absl::StatusOr<pb::SessionInfo> SornClient::DeleteReadout(
    const pb::DeleteReadoutRequest& request) {
  grpc::ClientContext context;
  Prepare(&context, request.session());
  pb::SessionInfo info;
  absl::Status s = FromGrpc(stub_->DeleteReadout(&context, request, &info));
  if (!s.ok()) return s;
  return info;
}

absl::StatusOr<pb::SessionInfo> SornClient::Fork(
    const pb::ForkSessionRequest& request) {
  grpc::ClientContext context;
  Prepare(&context, request.source());
  pb::SessionInfo info;
  absl::Status s = FromGrpc(stub_->ForkSession(&context, request, &info));
  if (!s.ok()) return s;
  return info;
}

absl::StatusOr<pb::Statistics> SornClient::Statistics(
    const pb::GetStatisticsRequest& request) {
  grpc::ClientContext context;
  Prepare(&context, request.session());
  pb::Statistics stats;
  absl::Status s = FromGrpc(stub_->GetStatistics(&context, request, &stats));
  if (!s.ok()) return s;
  return stats;
}

absl::Status SornClient::Run(
    const pb::RunRequest& request, bool train,
    const std::function<void(const pb::RunResponse&)>& on_batch) {
  grpc::ClientContext context;
  Prepare(&context, request.session());
  auto reader = train ? stub_->Train(&context, request)
                      : stub_->Simulate(&context, request);
  pb::RunResponse response;
  while (reader->Read(&response)) on_batch(response);
  return FromGrpc(reader->Finish());
}

std::unique_ptr<StepStream> SornClient::OpenSteps(const std::string& session) {
  std::unique_ptr<StepStream> steps(new StepStream());
  Prepare(&steps->context_, session);
  steps->stream_ = stub_->Step(&steps->context_);
  return steps;
}

StepStream::~StepStream() {
  if (!finished_) context_.TryCancel();
}

absl::StatusOr<pb::StepResponse> StepStream::Step(
    const pb::StepRequest& request) {
  pb::StepResponse response;
  if (finished_ || !stream_->Write(request) || !stream_->Read(&response)) {
    absl::Status s = Finish();
    return s.ok() ? absl::UnavailableError("the Step stream has ended") : s;
  }
  return response;
}

absl::Status StepStream::Finish() {
  if (finished_) return final_;
  finished_ = true;
  stream_->WritesDone();
  pb::StepResponse ignored;
  while (stream_->Read(&ignored)) {
  }
  final_ = FromGrpc(stream_->Finish());
  return final_;
}

absl::StatusOr<std::string> SornClient::Export(const std::string& name) {
  grpc::ClientContext context;
  Prepare(&context, name);
  pb::ExportStateRequest request;
  request.set_session(name);
  auto reader = stub_->ExportState(&context, request);
  std::string bytes;
  pb::StateChunk chunk;
  while (reader->Read(&chunk)) bytes += chunk.data();
  absl::Status s = FromGrpc(reader->Finish());
  if (!s.ok()) return s;
  return bytes;
}

absl::StatusOr<pb::SessionInfo> SornClient::Import(
    const pb::ImportStateRequest::Header& header, const std::string& data) {
  grpc::ClientContext context;
  Prepare(&context, header.name());
  pb::SessionInfo info;
  auto writer = stub_->ImportState(&context, &info);
  pb::ImportStateRequest first;
  *first.mutable_header() = header;
  // Lets the server reserve the import's memory at once.
  first.mutable_header()->set_total_bytes(int64_t(data.size()));
  bool ok = writer->Write(first);
  constexpr size_t kChunk = 1 << 20;
  for (size_t at = 0; ok && at < data.size(); at += kChunk) {
    pb::ImportStateRequest chunk;
    chunk.set_data(data.substr(at, std::min(kChunk, data.size() - at)));
    ok = writer->Write(chunk);
  }
  writer->WritesDone();
  absl::Status s = FromGrpc(writer->Finish());
  if (!s.ok()) return s;
  return info;
}

absl::Status SornClient::Health() {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  Prepare(&context, "");
  grpc::health::v1::HealthCheckResponse response;
  absl::Status s = FromGrpc(health->Check(&context, {}, &response));
  if (!s.ok()) return s;
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return absl::UnavailableError("the server is not serving");
  }
  return absl::OkStatus();
}

}  // namespace sorn::client
