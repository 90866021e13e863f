#include "store/broadcaster.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

namespace orch::store {
namespace {
// Events one watcher receives before the thread moves on to the next: a watcher replaying a
// long history must not starve the others.
constexpr int kBatch = 64;
}  // namespace

struct Broadcaster::Watcher {
  std::string prefix;
  int64_t after = 0;  // a watch may start past the present; earlier live events are not for it
  std::function<void(const Event&)> on_event;
  std::deque<EventPtr> pending;
  bool ready = false;      // history handed over; pending may be delivered
  bool cancelled = false;  // removed; nothing more is delivered
  bool progress = false;   // a Progress event is due once pending is empty
};

std::shared_ptr<Broadcaster> Broadcaster::create() {
  std::shared_ptr<Broadcaster> b(new Broadcaster());
  // The thread keeps the object alive until it has left run(): stop() may be called from a
  // callback (the store destroyed by its own watcher), and then nobody can join the thread.
  b->thread_ = std::thread([self = b] { self->run(); });
  b->delivery_id_ = b->thread_.get_id();
  return b;
}

Broadcaster::~Broadcaster() {
  // Only reached after run() returned (the thread holds a reference until then), so the thread
  // either finished or is the one running this destructor.
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
}

std::shared_ptr<Broadcaster::Watcher> Broadcaster::add(
    std::string prefix, int64_t after, std::function<void(const Event&)> on_event) {
  auto w = std::make_shared<Watcher>();
  w->prefix = std::move(prefix);
  w->after = after;
  w->on_event = std::move(on_event);
  std::lock_guard lk(mu_);
  watchers_.push_back(w);
  return w;
}

void Broadcaster::activate(const std::shared_ptr<Watcher>& w, std::vector<EventPtr> history,
                           int64_t snapshot) {
  std::lock_guard lk(mu_);
  if (w->cancelled) return;
  std::deque<EventPtr> q(std::make_move_iterator(history.begin()),
                         std::make_move_iterator(history.end()));
  // Buffered events at or below the snapshot are already in the history.
  for (auto& e : w->pending) {
    if (e->revision > snapshot) q.push_back(std::move(e));
  }
  w->pending.swap(q);
  // Events still in the inbox when the watcher registered may be fanned out only now; those at
  // or below the snapshot are in the history already.
  w->after = std::max(w->after, snapshot);
  w->ready = true;
  wake_.notify_one();
}

void Broadcaster::request_progress(const std::shared_ptr<Watcher>& w) {
  std::lock_guard lk(mu_);
  if (w->cancelled) return;
  w->progress = true;
  wake_.notify_one();
}

void Broadcaster::remove(const std::shared_ptr<Watcher>& w) {
  std::function<void(const Event&)> doomed;  // destroyed after the lock is released
  {
    std::unique_lock lk(mu_);
    w->cancelled = true;
    w->pending.clear();
    std::erase(watchers_, w);
    if (std::this_thread::get_id() == delivery_id_) {
      // From inside a callback. If it is w's own, it is still executing and must not be
      // destroyed under its feet; the delivery loop sees `cancelled` before any further call
      // and the function dies with the Watcher. Waiting here would deadlock.
      if (running_ == w.get()) return;
    } else {
      idle_.wait(lk, [&] { return running_ != w.get(); });
    }
    doomed.swap(w->on_event);
  }
  // The callback's captures may own other watches; destroying them takes mu_ again.
}

void Broadcaster::stop() {
  std::thread t;
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
    inbox_.clear();
    t = std::move(thread_);
  }
  wake_.notify_all();
  if (t.joinable()) {
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();  // a callback stopped us; run() returns once it does
    } else {
      t.join();
    }
  }
}

bool Broadcaster::has_work() const {
  if (!inbox_.empty()) return true;
  for (const auto& w : watchers_) {
    if (w->ready && (!w->pending.empty() || w->progress)) return true;
  }
  return false;
}

void Broadcaster::deliver(std::unique_lock<std::mutex>& lk, Watcher& w, EventPtr e) {
  running_ = &w;
  lk.unlock();
  try {
    w.on_event(*e);
  } catch (const std::exception& ex) {
    // A throwing watcher must not take the others down with it.
    spdlog::error("store: watch callback for prefix '{}' threw: {}", w.prefix, ex.what());
  } catch (...) {
    spdlog::error("store: watch callback for prefix '{}' threw", w.prefix);
  }
  e.reset();
  lk.lock();
  running_ = nullptr;
  idle_.notify_all();
}

void Broadcaster::run() {
  std::unique_lock lk(mu_);
  std::vector<std::shared_ptr<Watcher>> round;
  for (;;) {
    wake_.wait(lk, [&] { return stopping_ || has_work(); });
    if (stopping_) break;

    // Fan out: one shared event, a pointer in each interested queue. Each queue is in revision
    // order because the inbox is.
    while (!inbox_.empty()) {
      EventPtr e = std::move(inbox_.front());
      inbox_.pop_front();
      fanned_ = std::max(fanned_, e->revision);
      for (auto& w : watchers_) {
        if (e->revision > w->after && e->kv.key.starts_with(w->prefix)) w->pending.push_back(e);
      }
    }

    // A copy, because callbacks may add or remove watchers while the lock is released.
    round = watchers_;
    for (auto& w : round) {
      for (int n = 0; n < kBatch; ++n) {
        if (stopping_ || w->cancelled || !w->ready || w->pending.empty()) break;
        EventPtr e = std::move(w->pending.front());
        w->pending.pop_front();
        deliver(lk, *w, std::move(e));
      }
      // Nothing pending: every event up to the newest fanned-out revision has been delivered.
      if (!stopping_ && !w->cancelled && w->ready && w->pending.empty() && w->progress) {
        w->progress = false;
        auto p = std::make_shared<Event>();
        p->type = Event::Type::Progress;
        p->revision = std::max(w->after, fanned_);
        deliver(lk, *w, std::move(p));
      }
    }
    // The last reference to a removed watcher may be here; its callback's captures may run
    // arbitrary code (even remove() of another watch), so never destroy them under mu_.
    lk.unlock();
    round.clear();
    lk.lock();
  }
}

}  // namespace orch::store
