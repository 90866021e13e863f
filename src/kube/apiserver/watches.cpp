#include "kube/apiserver/watches.h"

#include <algorithm>

namespace orch::kube {

namespace {
constexpr int64_t kBookmarkBeforeDeadline = 2;
}  // namespace

std::optional<int64_t> next_bookmark(int64_t now, int64_t deadline, int64_t interval) {
  int64_t at = now + interval;
  if (deadline > 0) at = std::min(at, deadline - kBookmarkBeforeDeadline);
  if (at <= now) return std::nullopt;
  return at;
}

struct Watches::Entry {
  std::weak_ptr<http::Stream> stream;
  int64_t deadline = 0;                 // 0: none
  std::optional<int64_t> bookmark_at;   // guarded by Watches::mu_
  std::mutex mu;                        // guards watch: the stream's end resets it on an I/O thread
  std::unique_ptr<store::Watch> watch;
  std::shared_ptr<void> hold;  // released with the watch (e.g. the user's watch count)
};

void Watches::add(const std::shared_ptr<http::Stream>& stream, std::unique_ptr<store::Watch> watch, int64_t now,
                  int64_t timeout_seconds, bool bookmarks, std::shared_ptr<void> hold) {
  auto e = std::make_shared<Entry>();
  e->stream = stream;
  e->deadline = timeout_seconds > 0 ? now + timeout_seconds : 0;
  if (bookmarks) e->bookmark_at = next_bookmark(now, e->deadline, interval_);
  e->watch = std::move(watch);
  e->hold = std::move(hold);
  {
    std::lock_guard lock(mu_);
    entries_.push_back(e);
  }
  // The store watch's callback holds the stream; letting go of the watch here breaks that cycle.
  stream->on_close([e] {
    std::lock_guard lock(e->mu);
    e->watch.reset();
    e->hold.reset();
  });
}

void Watches::tick(int64_t now) {
  std::vector<std::shared_ptr<http::Stream>> due;
  std::vector<std::shared_ptr<Entry>> bookmark;
  {
    std::lock_guard lock(mu_);
    std::erase_if(entries_, [&](const std::shared_ptr<Entry>& e) {
      auto stream = e->stream.lock();
      if (!stream || !stream->open()) return true;
      if (e->deadline > 0 && e->deadline <= now) {
        due.push_back(stream);
        return true;
      }
      if (e->bookmark_at && *e->bookmark_at <= now) {
        bookmark.push_back(e);
        e->bookmark_at = next_bookmark(now, e->deadline, interval_);
      }
      return false;
    });
  }
  for (auto& s : due) s->close();
  for (auto& e : bookmark) {
    std::lock_guard lock(e->mu);
    if (e->watch) e->watch->request_progress();
  }
}

}  // namespace orch::kube
