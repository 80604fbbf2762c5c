// The environment variables of test_environment.h.
#include "tests/support/test_environment.h"

#include <cstdlib>

namespace sorn {

double TimeScale() {
  const char* scale = std::getenv("SORN_TEST_TIME_SCALE");
  return scale != nullptr && std::atof(scale) >= 1 ? std::atof(scale) : 1.0;
}

bool ServerIsSanitized() {
  const char* sanitizer = std::getenv("SORN_SERVER_SANITIZER");
  return sanitizer != nullptr && *sanitizer != '\0';
}

}  // namespace sorn
