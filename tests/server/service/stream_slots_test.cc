// StreamSlots in process: each tenant's quota of concurrent streams
// (TenantQuota::max_streams). Slots are taken up to the quota, the next is
// RESOURCE_EXHAUSTED, a slot ends with its holder (moved or not, once),
// tenants are counted apart, and 0 means no limit.
#include "server/service/stream_slots.h"

#include <atomic>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace sorn::server {
namespace {

Caller Tenant(const std::string& tenant, int max_streams) {
  Caller caller;
  caller.tenant = tenant;
  caller.quota.max_streams = max_streams;
  return caller;
}

TEST(StreamSlotsTest, AcquiresUpToTheQuotaAndRefusesTheNextOne) {
  StreamSlots slots;
  const Caller alice = Tenant("alice", 3);
  std::vector<StreamSlots::Slot> held;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<StreamSlots::Slot> slot = slots.Acquire(alice);
    ASSERT_TRUE(slot.ok()) << i << ": " << slot.status();
    held.push_back(*std::move(slot));
    EXPECT_EQ(slots.Running("alice"), i + 1);
  }
  const absl::StatusOr<StreamSlots::Slot> refused = slots.Acquire(alice);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.status().message(),
            "tenant alice runs its quota of 3 concurrent streams");
  EXPECT_EQ(slots.Running("alice"), 3);  // a refusal takes no slot.
}

TEST(StreamSlotsTest, ReleasingASlotLetsTheNextCallIn) {
  StreamSlots slots;
  const Caller alice = Tenant("alice", 2);
  absl::StatusOr<StreamSlots::Slot> first = slots.Acquire(alice);
  ASSERT_TRUE(first.ok());
  std::optional<StreamSlots::Slot> second;
  {
    absl::StatusOr<StreamSlots::Slot> s = slots.Acquire(alice);
    ASSERT_TRUE(s.ok());
    second.emplace(*std::move(s));
  }
  EXPECT_EQ(slots.Running("alice"), 2);
  EXPECT_FALSE(slots.Acquire(alice).ok());
  second.reset();  // the call holding it ends.
  EXPECT_EQ(slots.Running("alice"), 1);
  absl::StatusOr<StreamSlots::Slot> third = slots.Acquire(alice);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(slots.Running("alice"), 2);
}

TEST(StreamSlotsTest, TenantsAreCountedApart) {
  StreamSlots slots;
  const Caller alice = Tenant("alice", 1);
  const Caller bob = Tenant("bob", 1);
  absl::StatusOr<StreamSlots::Slot> a = slots.Acquire(alice);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(slots.Acquire(alice).status().code(),
            absl::StatusCode::kResourceExhausted);
  // Alice at her quota does not hold up Bob.
  absl::StatusOr<StreamSlots::Slot> b = slots.Acquire(bob);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(slots.Running("alice"), 1);
  EXPECT_EQ(slots.Running("bob"), 1);
  EXPECT_EQ(slots.Running("carol"), 0);  // a tenant never seen.
}

TEST(StreamSlotsTest, ZeroQuotaMeansNoLimit) {
  StreamSlots slots;
  const Caller local = Tenant("local", 0);
  {
    std::vector<StreamSlots::Slot> held;
    for (int i = 0; i < 1000; ++i) {
      absl::StatusOr<StreamSlots::Slot> slot = slots.Acquire(local);
      ASSERT_TRUE(slot.ok()) << i << ": " << slot.status();
      held.push_back(*std::move(slot));
    }
    EXPECT_EQ(slots.Running("local"), 1000);
  }
  EXPECT_EQ(slots.Running("local"), 0);
}

// The count is the tenant's, checked against the quota of the caller
// asking: a caller with a larger quota may take a slot another is refused.
TEST(StreamSlotsTest, TheQuotaOfTheCallerAskingIsCheckedAgainstItsTenant) {
  StreamSlots slots;
  absl::StatusOr<StreamSlots::Slot> a = slots.Acquire(Tenant("alice", 1));
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(slots.Acquire(Tenant("alice", 1)).ok());
  absl::StatusOr<StreamSlots::Slot> b = slots.Acquire(Tenant("alice", 2));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(slots.Running("alice"), 2);
  EXPECT_EQ(slots.Acquire(Tenant("alice", 2)).status().message(),
            "tenant alice runs its quota of 2 concurrent streams");
}

TEST(StreamSlotsTest, AMovedSlotIsReleasedOnceByItsLastHolder) {
  StreamSlots slots;
  const Caller alice = Tenant("alice", 1);
  {
    absl::StatusOr<StreamSlots::Slot> taken = slots.Acquire(alice);
    ASSERT_TRUE(taken.ok());
    std::optional<StreamSlots::Slot> moved;
    moved.emplace(*std::move(taken));
    taken = absl::CancelledError("gone");  // destroys the moved-from slot.
    EXPECT_EQ(slots.Running("alice"), 1);
    EXPECT_FALSE(slots.Acquire(alice).ok());
    moved.reset();
    EXPECT_EQ(slots.Running("alice"), 0);
  }
  EXPECT_EQ(slots.Running("alice"), 0);  // not released twice: not -1.
  EXPECT_TRUE(slots.Acquire(alice).ok());
}

// Eight callers of one tenant ask at once and hold what they get until all
// have asked: exactly the quota's three get a slot, whatever the order. Then
// again, after all are given back.
TEST(StreamSlotsTest, ConcurrentCallersGetExactlyTheQuota) {
  StreamSlots slots;
  const Caller alice = Tenant("alice", 3);
  for (int round = 0; round < 2; ++round) {
    constexpr int kCallers = 8;
    std::latch asked(kCallers);
    std::atomic<int> served{0}, refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kCallers; ++t) {
      threads.emplace_back([&] {
        absl::StatusOr<StreamSlots::Slot> slot = slots.Acquire(alice);
        if (slot.ok()) {
          ++served;
        } else if (slot.status().code() ==
                   absl::StatusCode::kResourceExhausted) {
          ++refused;
        }
        asked.arrive_and_wait();  // hold the slot until everyone has asked.
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(served, 3) << "round " << round;
    EXPECT_EQ(refused, kCallers - 3) << "round " << round;
    EXPECT_EQ(slots.Running("alice"), 0) << "round " << round;
  }
}

}  // namespace
}  // namespace sorn::server
