// The calls of api_calls.h, through the synchronous C++ stubs.
#include "tests/support/api_calls.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace sorn {

grpc::Status CreateTestSession(
    v1::Sorn::Stub* stub, const std::string& name, uint64_t seed,
    const std::function<void(v1::CreateSessionRequest&)>& edit,
    v1::SessionInfo* info) {
  grpc::ClientContext ctx;
  v1::CreateSessionRequest req;
  req.set_name(name);
  req.set_seed(seed);
  if (edit) edit(req);
  v1::SessionInfo ignored;
  return stub->CreateSession(&ctx, req, info != nullptr ? info : &ignored);
}

v1::SessionInfo GetSessionInfo(v1::Sorn::Stub* stub, const std::string& name,
                               grpc::Status* status) {
  grpc::ClientContext ctx;
  v1::GetSessionRequest req;
  req.set_name(name);
  v1::SessionInfo info;
  const grpc::Status s = stub->GetSession(&ctx, req, &info);
  if (status != nullptr) *status = s;
  return info;
}

int64_t StepOf(v1::Sorn::Stub* stub, const std::string& name,
               grpc::Status* status) {
  grpc::Status s;
  const v1::SessionInfo info = GetSessionInfo(stub, name, &s);
  if (status != nullptr) *status = s;
  return s.ok() ? info.step() : -1;
}

grpc::Status DeleteTestSession(v1::Sorn::Stub* stub, const std::string& name) {
  grpc::ClientContext ctx;
  v1::DeleteSessionRequest req;
  req.set_name(name);
  v1::DeleteSessionResponse resp;
  return stub->DeleteSession(&ctx, req, &resp);
}

std::vector<v1::RunResponse> RunCall(v1::Sorn::Stub* stub,
                                     const v1::RunRequest& req, bool train,
                                     grpc::Status* status) {
  grpc::ClientContext ctx;
  auto reader = train ? stub->Train(&ctx, req) : stub->Simulate(&ctx, req);
  std::vector<v1::RunResponse> out;
  v1::RunResponse r;
  while (reader->Read(&r)) out.push_back(r);
  *status = reader->Finish();
  return out;
}

v1::RunRequest UniformRun(const std::string& session, int64_t steps,
                          uint64_t seed) {
  v1::RunRequest req;
  req.set_session(session);
  req.set_timesteps(steps);
  req.mutable_generated()->set_kind(v1::GeneratedInputs::UNIFORM);
  req.mutable_generated()->set_seed(seed);
  return req;
}

std::string SimulateX(v1::Sorn::Stub* stub, const v1::RunRequest& req) {
  grpc::Status status;
  std::string x;
  for (const v1::RunResponse& r : RunCall(stub, req, false, &status))
    x += r.x();
  EXPECT_TRUE(status.ok()) << status.error_message();
  return x;
}

std::string ExportStateBytes(v1::Sorn::Stub* stub, const std::string& session,
                             grpc::Status* status) {
  grpc::ClientContext ctx;
  v1::ExportStateRequest req;
  req.set_session(session);
  auto reader = stub->ExportState(&ctx, req);
  std::string bytes;
  v1::StateChunk chunk;
  while (reader->Read(&chunk)) bytes += chunk.data();
  const grpc::Status s = reader->Finish();
  if (status != nullptr) *status = s;
  return bytes;
}

grpc::Status ImportStateBytes(v1::Sorn::Stub* stub, const std::string& name,
                              const std::string& bytes,
                              const ImportOptions& options,
                              v1::SessionInfo* info) {
  grpc::ClientContext ctx;
  v1::SessionInfo ignored;
  auto writer = stub->ImportState(&ctx, info != nullptr ? info : &ignored);
  const size_t chunk = std::max<size_t>(options.chunk_bytes, 1);
  v1::ImportStateRequest header;
  header.mutable_header()->set_name(name);
  header.mutable_header()->set_replace(options.replace);
  header.mutable_header()->set_format(options.format);
  if (options.announce) header.mutable_header()->set_total_bytes(bytes.size());
  size_t at = 0;
  if (options.data_in_header) {
    header.set_data(bytes.substr(0, chunk));
    at = chunk;
  }
  bool open = writer->Write(header);
  for (; open && at < bytes.size(); at += chunk) {
    v1::ImportStateRequest message;
    message.set_data(bytes.substr(at, chunk));
    open = writer->Write(message);
  }
  writer->WritesDone();
  return writer->Finish();
}

}  // namespace sorn
