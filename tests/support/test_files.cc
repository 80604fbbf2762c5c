// FreshTestDir and ReadWholeFile (test_files.h).
#include "tests/support/test_files.h"

#include <unistd.h>

#include <fstream>
#include <iterator>

#include "gtest/gtest.h"

namespace sorn {

std::filesystem::path FreshTestDir(const std::string& prefix) {
  std::string name = "sorn_" + prefix + "_" + std::to_string(getpid());
  const ::testing::TestInfo* test =
      ::testing::UnitTest::GetInstance()->current_test_info();
  if (test != nullptr) name += std::string("_") + test->name();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  return dir;
}

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace sorn
