// Stubs on channels other than TestServer's own: one that takes responses
// of any size (gRPC's default receive limit is 4 MB), for tests of the
// server's own message limit and of large results.
#ifndef SORN_TESTS_SUPPORT_CHANNELS_H_
#define SORN_TESTS_SUPPORT_CHANNELS_H_

#include <memory>
#include <string>

#include "sorn/v1/sorn.grpc.pb.h"

namespace sorn {

// A plaintext stub to `address` whose channel receives messages of any
// size.
std::unique_ptr<v1::Sorn::Stub> LargeResponseStub(const std::string& address);

}  // namespace sorn

#endif  // SORN_TESTS_SUPPORT_CHANNELS_H_
