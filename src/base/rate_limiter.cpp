#include "base/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace orch {

RateLimiter::RateLimiter(double per_second, double burst)
    : rate_(per_second), burst_(std::max(burst, std::max(per_second, 1.0))) {}

int RateLimiter::acquire(const std::string& key, Clock::time_point now) {
  if (rate_ <= 0) return 0;
  Shard& s = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard lk(s.mu);
  if (++s.since_sweep >= 4096) sweep(s, now);
  auto [it, inserted] = s.buckets.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + std::max(elapsed, 0.0) * rate_);
    b.last = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / rate_)));
}

// A bucket that would be full by now holds nothing worth keeping.
void RateLimiter::sweep(Shard& s, Clock::time_point now) {
  s.since_sweep = 0;
  std::erase_if(s.buckets, [&](const auto& kv) {
    double elapsed = std::chrono::duration<double>(now - kv.second.last).count();
    return kv.second.tokens + elapsed * rate_ >= burst_;
  });
}

}  // namespace orch
