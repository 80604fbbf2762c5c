// SharedServerTest: a suite whose tests share one default sorn-server.
#ifndef SORN_TESTS_SUPPORT_SHARED_SERVER_TEST_H_
#define SORN_TESTS_SUPPORT_SHARED_SERVER_TEST_H_

#include <memory>

#include "gtest/gtest.h"
#include "sorn/v1/sorn.grpc.pb.h"
#include "tests/support/test_server.h"

namespace sorn {

// The server is reached through stub_ (starting and stopping gRPC costs
// about a second each time); the suite's tests use distinct session names.
// Suites run one after another, so one slot serves every suite derived from
// it.
class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static TestServer* server_;
  std::unique_ptr<v1::Sorn::Stub> stub_;
};

}  // namespace sorn

#endif  // SORN_TESTS_SUPPORT_SHARED_SERVER_TEST_H_
