// Fans committed events out to watchers on one delivery thread.
//
// Committers hand over their events (publish) and return at once: they never run callbacks and
// never wait for a slow watcher. One thread serves every watcher of the store, so a hundred
// watchers cost a hundred small queues, not a hundred threads.
//
// A watcher starts "buffering": live events are queued for it but not delivered. The store then
// reads the history it missed from one database snapshot and hands it over with activate(); the
// delivery thread sends that history first and then the buffered events newer than the snapshot.
// Because the watcher was registered before the snapshot was taken, every commit is either in
// the snapshot or published after registration (or both, and then dropped by revision), so the
// boundary between history and live events has no gap and no duplicate.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

namespace orch::store {

using EventPtr = std::shared_ptr<const Event>;  // one event, shared by every watcher queue

class Broadcaster {
 public:
  struct Watcher;  // opaque to callers

  // Starts the delivery thread. Shared: watch handles keep it alive after the store is gone.
  static std::shared_ptr<Broadcaster> create();
  ~Broadcaster();
  Broadcaster(const Broadcaster&) = delete;
  Broadcaster& operator=(const Broadcaster&) = delete;

  // Called once per commit, in revision order (the store holds its write lock), with the
  // events of that commit. make() is only called when some watcher exists, so a store without
  // watchers does not copy values. Never blocks on callbacks.
  template <typename MakeEvents>
  void publish(MakeEvents&& make) {
    std::lock_guard lk(mu_);
    if (watchers_.empty()) return;
    std::vector<EventPtr> events = make();
    for (auto& e : events) inbox_.push_back(std::move(e));
    wake_.notify_one();
  }

  // Registers a buffering watcher for keys starting with prefix and revisions after `after`.
  std::shared_ptr<Watcher> add(std::string prefix, int64_t after,
                               std::function<void(const Event&)> on_event);
  // Hands over the history up to and including revision `snapshot`; delivery begins.
  void activate(const std::shared_ptr<Watcher>& w, std::vector<EventPtr> history,
                int64_t snapshot);
  // Asks for a Progress event for w (Watch::request_progress): it is delivered once w has no
  // pending events, with the newest revision fanned out (or w's start, if that is later).
  void request_progress(const std::shared_ptr<Watcher>& w);
  // Stops delivery to w. On return no callback of w is running or will run, except when called
  // from w's own callback on the delivery thread: then that callback finishes and none follows.
  void remove(const std::shared_ptr<Watcher>& w);

  // Stops the delivery thread; queued events are dropped and no callback runs after it
  // returns (unless called from a callback: then none after that one). The store calls it from
  // its destructor.
  void stop();

 private:
  Broadcaster() = default;
  void run();
  bool has_work() const;  // requires mu_
  // Runs w's callback with mu_ released (lk holds it on entry and on return); e is released
  // before mu_ is taken again.
  void deliver(std::unique_lock<std::mutex>& lk, Watcher& w, EventPtr e);

  mutable std::mutex mu_;
  std::condition_variable wake_;  // delivery thread: inbox or a watcher has something
  std::condition_variable idle_;  // remove(): the running callback has finished
  std::deque<EventPtr> inbox_;
  // The newest revision taken from the inbox: every commit up to it has reached the queues of
  // the watchers that want it.
  int64_t fanned_ = 0;
  std::vector<std::shared_ptr<Watcher>> watchers_;
  const Watcher* running_ = nullptr;  // whose callback is executing right now
  bool stopping_ = false;
  std::thread thread_;
  std::thread::id delivery_id_;  // set once before any watcher exists
};

}  // namespace orch::store
