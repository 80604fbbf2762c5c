// MemoryBudget in process: reservations are counted until they end, a
// request over what is left is refused with its size, credits and resizes,
// and no request overflows the arithmetic.
#include "server/sessions/memory_budget.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace sorn::server {
namespace {

TEST(MemoryBudgetTest, ReservationsAreCountedUntilTheyEnd) {
  int64_t seen = -1;
  MemoryBudget budget(1000, [&](int64_t r) { seen = r; });
  absl::StatusOr<MemoryBudget::Reservation> a = budget.Reserve(600, "a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(seen, 600);
  const absl::Status refused = budget.Reserve(500, "the thing").status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("the thing needs about 1 MiB"),
            std::string::npos)
      << refused;
  // A credit counts bytes about to be given back (a replaced session).
  EXPECT_TRUE(budget.Reserve(500, "replacement", /*credit=*/600).ok());
  EXPECT_EQ(budget.reserved(), 600);  // the replacement ended already.
  EXPECT_TRUE(a->Resize(1000, "a").ok());
  EXPECT_FALSE(a->Resize(1001, "a").ok());
  EXPECT_EQ(a->bytes(), 1000);  // unchanged by the refusal.
  EXPECT_TRUE(a->Resize(10, "a").ok());
  EXPECT_EQ(budget.reserved(), 10);
  // No request can overflow the arithmetic.
  EXPECT_FALSE(budget.Reserve(INT64_MAX, "huge").ok());
  {
    MemoryBudget::Reservation moved = *std::move(a);
    EXPECT_EQ(budget.reserved(), 10);
  }
  EXPECT_EQ(budget.reserved(), 0);
  EXPECT_EQ(seen, 0);
}

}  // namespace
}  // namespace sorn::server
