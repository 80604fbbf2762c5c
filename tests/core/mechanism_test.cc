#include "core/mechanism.h"

#include "gtest/gtest.h"

namespace sorn {
namespace {

TEST(FreezeSetTest, ParsesNamesInAnyOrder) {
  absl::StatusOr<FreezeSet> f = FreezeSet::FromNames({"ss", "stdp", "stdp"});
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->Contains(Mechanism::kStdp));
  EXPECT_TRUE(f->Contains(Mechanism::kSs));
  EXPECT_FALSE(f->Contains(Mechanism::kIp));
  EXPECT_EQ(f->Names(), (std::vector<std::string>{"stdp", "ss"}));
}

TEST(FreezeSetTest, UnknownNameIsAnErrorNamingIt) {
  absl::StatusOr<FreezeSet> f = FreezeSet::FromNames({"stdp", "hebb"});
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(f.status().message().find("\"hebb\""), std::string::npos);
}

TEST(FreezeSetTest, AllHoldsFiveMechanisms) {
  EXPECT_EQ(FreezeSet::All().Names().size(), 5u);
  EXPECT_EQ(FreezeSet::All().bits(), 31);
  EXPECT_TRUE(FreezeSet().empty());
}

TEST(PhaseTest, ParsesBothPhases) {
  EXPECT_EQ(*ParsePhase("training"), Phase::kTraining);
  EXPECT_EQ(*ParsePhase("plasticity"), Phase::kPlasticity);
  EXPECT_FALSE(ParsePhase("train").ok());
}

}  // namespace
}  // namespace sorn
