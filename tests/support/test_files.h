// Files of a test: a fresh scratch directory named after the test (and the
// process, so that concurrent runs do not meet), and reading a whole file.
#ifndef SORN_TESTS_SUPPORT_TEST_FILES_H_
#define SORN_TESTS_SUPPORT_TEST_FILES_H_

#include <filesystem>
#include <string>

namespace sorn {

// TMPDIR/sorn_<prefix>_<pid>_<test name>, or TMPDIR/sorn_<prefix>_<pid>
// outside a test (a suite's set-up, a main()); whatever was there is
// removed, and the directory is not created. The caller removes it.
std::filesystem::path FreshTestDir(const std::string& prefix);

// The bytes of the file at `path`; empty if it cannot be read.
std::string ReadWholeFile(const std::filesystem::path& path);

}  // namespace sorn

#endif  // SORN_TESTS_SUPPORT_TEST_FILES_H_
