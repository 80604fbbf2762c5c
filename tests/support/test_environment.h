// How the environment a test runs in changes what it may expect: a slower
// (sanitized) server under test scales time bounds, and a sanitized server's
// memory is not measured. Set by tests/run_sanitizers.sh.
#ifndef SORN_TESTS_SUPPORT_TEST_ENVIRONMENT_H_
#define SORN_TESTS_SUPPORT_TEST_ENVIRONMENT_H_

namespace sorn {

// How much slower the server under test may be than a release build:
// $SORN_TEST_TIME_SCALE (tests/run_sanitizers.sh sets it for the
// ThreadSanitizer server), else 1. Time bounds in tests are multiplied by it.
double TimeScale();

// True when $SORN_SERVER_SANITIZER names a sanitizer the server was built
// with; its memory then includes shadow memory and is not measured.
bool ServerIsSanitized();

}  // namespace sorn

#endif  // SORN_TESTS_SUPPORT_TEST_ENVIRONMENT_H_
