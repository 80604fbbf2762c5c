// SessionFiles' framing in process: Decode checks the magic, the format
// version, the length and the checksum of a session file, and says which
// one failed.
#include "server/storage/session_files.h"

#include <string>

#include "gtest/gtest.h"

namespace sorn::server {
namespace {

TEST(SessionFilesTest, DecodeChecksMagicVersionLengthAndChecksum) {
  sorn::v1::StoredSession stored;
  stored.set_tenant("t");
  stored.set_name("n");
  stored.set_seed(9);
  const std::string good = SessionFiles::Encode(stored);
  ASSERT_TRUE(SessionFiles::Decode(good).ok());
  EXPECT_EQ(SessionFiles::Decode(good)->seed(), 9u);
  auto broken = [&](int at, char value) {
    std::string b = good;
    b[at] = value;
    return SessionFiles::Decode(b).status();
  };
  EXPECT_EQ(broken(0, 'X').message(), "not a sorn-server session file");
  EXPECT_EQ(broken(8, 99).message(), "unsupported format version 99");
  EXPECT_EQ(broken(int(good.size()) - 1, '\x7f').message(),
            "checksum mismatch");
  EXPECT_NE(SessionFiles::Decode(good.substr(0, good.size() - 1))
                .status()
                .message()
                .find("truncated"),
            std::string::npos);
  EXPECT_EQ(SessionFiles::Decode("").status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace sorn::server
