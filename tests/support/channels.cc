// LargeResponseStub (channels.h).
#include "tests/support/channels.h"

#include "grpcpp/grpcpp.h"

namespace sorn {

std::unique_ptr<v1::Sorn::Stub> LargeResponseStub(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  return v1::Sorn::NewStub(grpc::CreateCustomChannel(
      address, grpc::InsecureChannelCredentials(), args));
}

}  // namespace sorn
