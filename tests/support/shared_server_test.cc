// SharedServerTest (shared_server_test.h).
#include "tests/support/shared_server_test.h"

namespace sorn {

TestServer* SharedServerTest::server_ = nullptr;

void SharedServerTest::SetUpTestSuite() { server_ = new TestServer(); }

void SharedServerTest::TearDownTestSuite() {
  delete server_;
  server_ = nullptr;
}

void SharedServerTest::SetUp() {
  ASSERT_TRUE(server_->ok()) << "sorn-server did not start";
  stub_ = server_->NewStub();
}

}  // namespace sorn
