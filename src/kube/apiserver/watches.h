// The watch streams being served. Each ends at its deadline (timeoutSeconds); one that allows
// bookmarks gets them on kube-apiserver's schedule (cacheWatcher.nextBookmarkTime): every
// bookmark interval (a minute, as there) and 2 s before its deadline, so that a client whose
// watch times out resumes from the newest revision rather than from its last event. A short
// timeoutSeconds therefore shows a bookmark within seconds. A bookmark is a progress request
// to the stream's store watch, which the registry answers with a BOOKMARK event in order with
// the stream's other events (Registry::watch); streams that did not ask for bookmarks never
// get one.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "base/http/server.h"
#include "store/store.h"

namespace orch::kube {

// When the next bookmark of a watch is due, at `now`: an interval later, but no later than 2 s
// before the deadline (0: none); nullopt when that is not after now (none is due any more).
std::optional<int64_t> next_bookmark(int64_t now, int64_t deadline, int64_t interval);

class Watches {
 public:
  explicit Watches(int64_t bookmark_interval_seconds = 60) : interval_(bookmark_interval_seconds) {}

  // Serves `watch` on `stream` until the stream ends (the store watch and `hold` go with it).
  // timeout_seconds <= 0: no deadline.
  void add(const std::shared_ptr<http::Stream>& stream, std::unique_ptr<store::Watch> watch, int64_t now,
           int64_t timeout_seconds, bool bookmarks, std::shared_ptr<void> hold = nullptr);
  // Ends the streams past their deadline and asks for the bookmarks that are due. The server
  // calls it about once a second, which is the precision of both.
  void tick(int64_t now);

 private:
  struct Entry;
  const int64_t interval_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Entry>> entries_;
};

}  // namespace orch::kube
