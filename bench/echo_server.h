// The limit a Step round trip is compared with: a bare gRPC server whose Step
// stream answers every request at once with a fixed StepResponse of the size
// sorn-server sends, with no session, engine or bookkeeping behind it. It
// uses the same generated service and synchronous API as sorn-server, and
// runs as its own process (service_bench --echo_server), as sorn-server does.
#ifndef SORN_BENCH_ECHO_SERVER_H_
#define SORN_BENCH_ECHO_SERVER_H_

#include <cstdio>
#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"
#include "sorn/v1/sorn.grpc.pb.h"

namespace sorn::bench {

class EchoSorn final : public v1::Sorn::Service {
 public:
  explicit EchoSorn(v1::StepResponse reply) : reply_(std::move(reply)) {}
  grpc::Status Step(grpc::ServerContext*,
                    grpc::ServerReaderWriter<v1::StepResponse, v1::StepRequest>*
                        stream) override {
    v1::StepRequest request;
    v1::StepResponse reply = reply_;
    while (stream->Read(&request)) {
      reply.set_step(reply.step() + 1);
      if (!stream->Write(reply)) break;
    }
    return grpc::Status::OK;
  }

 private:
  const v1::StepResponse reply_;
};

// Serves EchoSorn on 127.0.0.1 (a free port, printed as "echo server
// listening on 127.0.0.1:PORT") until killed, answering with `reply` (a
// response sorn-server sent, so the sizes match).
inline int RunEchoServer(const v1::StepResponse& reply) {
  EchoSorn service(reply);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) return 1;
  std::printf("echo server listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server->Wait();
  return 0;
}

}  // namespace sorn::bench

#endif  // SORN_BENCH_ECHO_SERVER_H_
