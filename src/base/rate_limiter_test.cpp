#include "base/rate_limiter.h"

#include <gtest/gtest.h>

namespace orch {
namespace {
using namespace std::chrono_literals;

TEST(RateLimiter, BurstThenSteadyRatePerKey) {
  RateLimiter rl(10, 20);
  auto t = RateLimiter::Clock::time_point{} + 1000s;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(rl.acquire("alice", t), 0) << i;
  EXPECT_EQ(rl.acquire("alice", t), 1);  // empty: a token comes in 0.1 s, said as 1 s
  EXPECT_EQ(rl.acquire("bob", t), 0);    // keys do not share a bucket
  EXPECT_EQ(rl.acquire("alice", t + 100ms), 0);
  EXPECT_EQ(rl.acquire("alice", t + 100ms), 1);
  // Refills up to the burst, never beyond.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(rl.acquire("alice", t + 100s), 0) << i;
  EXPECT_EQ(rl.acquire("alice", t + 100s), 1);
}

TEST(RateLimiter, SlowRatesAskForLongerWaitsAndZeroIsUnlimited) {
  RateLimiter slow(0.5, 1);
  auto t = RateLimiter::Clock::time_point{} + 1000s;
  EXPECT_EQ(slow.acquire("k", t), 0);
  EXPECT_EQ(slow.acquire("k", t), 2);
  RateLimiter off(0, 0);
  EXPECT_FALSE(off.enabled());
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(off.acquire("k", t), 0);
}

TEST(RateLimiter, IdleKeysAreForgottenWithoutLosingState) {
  RateLimiter rl(1, 2);
  auto t = RateLimiter::Clock::time_point{} + 1000s;
  EXPECT_EQ(rl.acquire("busy", t), 0);
  EXPECT_EQ(rl.acquire("busy", t), 0);
  for (int i = 0; i < 20000; ++i) rl.acquire("k" + std::to_string(i), t);  // sweeps run; "busy" is empty, kept
  EXPECT_EQ(rl.acquire("busy", t), 1);
}

}  // namespace
}  // namespace orch
