// Per-key token buckets: each key (a principal) may make `per_second` requests a second on
// average and `burst` at once. Sharded so that concurrent requests of different principals rarely
// meet on a lock; idle full buckets are forgotten, so memory follows the active principals.
#pragma once
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace orch {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // per_second <= 0: no limit.
  RateLimiter(double per_second, double burst);
  // Takes a token for key: 0 when the request may go now, else the whole seconds until one is
  // available (>= 1), for Retry-After.
  int acquire(const std::string& key, Clock::time_point now = Clock::now());
  bool enabled() const { return rate_ > 0; }

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point last;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    size_t since_sweep = 0;
  };
  static constexpr size_t kShards = 16;
  void sweep(Shard& s, Clock::time_point now);

  const double rate_, burst_;
  Shard shards_[kShards];
};

}  // namespace orch
