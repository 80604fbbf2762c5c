// ParseCost: an upper bound of what parsing takes, close to the size of
// honest data and many times the size of crafted data.
#include "server/wire/parse_cost.h"

#include <string>

#include "core/network.h"
#include "gtest/gtest.h"
#include "server/wire/proto_convert.h"
#include "sorn/v1/sorn.pb.h"

namespace sorn::server {
namespace {

namespace pb = ::sorn::v1;

// Memory protobuf really holds for the parsed message.
int64_t ParsedBytes(const std::string& bytes) {
  pb::NetworkState parsed;
  EXPECT_TRUE(parsed.ParseFromString(bytes));
  return int64_t(parsed.SpaceUsedLong());
}

TEST(ParseCostTest, AnExportedStateCostsAboutItsSizeAndBoundsTheParse) {
  Params params;
  params.ne = 400;
  absl::StatusOr<Network> net = Network::Create(params, 3);
  ASSERT_TRUE(net.ok());
  pb::NetworkState proto;
  NetworkStateToProto(net->ExportState(), &proto);
  const std::string bytes = proto.SerializeAsString();
  absl::StatusOr<int64_t> cost =
      ParseCost(pb::NetworkState::descriptor(), bytes);
  ASSERT_TRUE(cost.ok()) << cost.status();
  EXPECT_GE(*cost, ParsedBytes(bytes));         // an upper bound...
  EXPECT_LE(*cost, 2 * int64_t(bytes.size()));  // ...of about its size.
}

TEST(ParseCostTest, UnknownVarintsCostTenTimesTheirBytesOrMore) {
  // Field 20 (unknown to NetworkState), varint 1: 3 bytes each
  // (tag 0xa0 0x01, value 0x01).
  std::string bytes;
  for (int i = 0; i < 100000; ++i) bytes += std::string("\xa0\x01\x01", 3);
  absl::StatusOr<int64_t> cost =
      ParseCost(pb::NetworkState::descriptor(), bytes);
  ASSERT_TRUE(cost.ok()) << cost.status();
  EXPECT_GE(*cost, ParsedBytes(bytes));
  EXPECT_GE(*cost, 10 * int64_t(bytes.size()));
}

TEST(ParseCostTest, OneBytePackedInt64sCostEightTimesTheirBytes) {
  // SparseMatrix.row_start is a packed int64 field (inside a state's Wee).
  pb::SparseMatrix m;
  for (int i = 0; i < 100000; ++i) m.add_row_start(0);  // 1 byte each.
  const std::string bytes = m.SerializeAsString();
  absl::StatusOr<int64_t> cost =
      ParseCost(pb::SparseMatrix::descriptor(), bytes);
  ASSERT_TRUE(cost.ok()) << cost.status();
  pb::SparseMatrix parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_GE(*cost, int64_t(parsed.SpaceUsedLong()));
  EXPECT_GE(*cost, 8 * 100000);
}

TEST(ParseCostTest, MalformedDataIsInvalid) {
  for (const std::string& bad :
       {std::string("\x00", 1), std::string("\x1a\x05\x01", 3),
        std::string("\x0b", 1) /* a group */, std::string("\xff", 1)}) {
    absl::StatusOr<int64_t> cost =
        ParseCost(pb::NetworkState::descriptor(), bad);
    EXPECT_EQ(cost.status().code(), absl::StatusCode::kInvalidArgument)
        << testing::PrintToString(bad);
  }
}

}  // namespace
}  // namespace sorn::server
