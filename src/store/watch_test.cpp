// Watches: history replay, live delivery, the boundary between them, and teardown.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/test_util.h"

namespace orch::store {
namespace {

using testing::StoreTest;
using testing::wait_until;

// Collects events from the delivery thread for the test thread.
struct Recorder {
  std::mutex mu;
  std::vector<Event> events;
  std::function<void(const Event&)> fn() {
    return [this](const Event& e) {
      std::lock_guard lk(mu);
      events.push_back(e);
    };
  }
  size_t size() {
    std::lock_guard lk(mu);
    return events.size();
  }
  std::vector<Event> snapshot() {
    std::lock_guard lk(mu);
    return events;
  }
};

TEST_F(StoreTest, WatchReplaysHistoryThenDeliversLiveEvents) {
  auto s = open();
  ASSERT_TRUE(s->commit({Op::put("w/a", "1")}).ok);  // 1
  ASSERT_TRUE(s->commit({Op::put("x/a", "1")}).ok);  // 2: other prefix
  ASSERT_TRUE(s->commit({Op::put("w/a", "2")}).ok);  // 3
  ASSERT_TRUE(s->commit({Op::put("w/b", "1")}).ok);  // 4
  ASSERT_TRUE(s->commit({Op::del("w/a")}).ok);       // 5

  Recorder rec;
  auto w = s->watch("w/", 2, rec.fn());
  ASSERT_TRUE(wait_until([&] { return rec.size() == 3; }));
  ASSERT_TRUE(s->commit({Op::put("w/a", "3")}).ok);  // 6: re-created
  ASSERT_TRUE(s->commit({Op::put("x/b", "1")}).ok);  // 7: other prefix
  ASSERT_TRUE(s->commit({Op::put("w/b", "2")}).ok);  // 8
  ASSERT_TRUE(wait_until([&] { return rec.size() == 5; }));
  auto ev = rec.snapshot();

  EXPECT_EQ(ev[0].revision, 3);
  EXPECT_EQ(ev[0].type, Event::Type::Put);
  EXPECT_EQ(ev[0].kv.key, "w/a");
  EXPECT_EQ(ev[0].kv.value, "2");
  EXPECT_EQ(ev[0].kv.create_revision, 1);
  EXPECT_EQ(ev[0].kv.mod_revision, 3);
  ASSERT_TRUE(ev[0].prev);
  EXPECT_EQ(ev[0].prev->value, "1");
  EXPECT_EQ(ev[0].prev->mod_revision, 1);

  EXPECT_EQ(ev[1].revision, 4);
  EXPECT_EQ(ev[1].kv.key, "w/b");
  EXPECT_FALSE(ev[1].prev);

  EXPECT_EQ(ev[2].revision, 5);
  EXPECT_EQ(ev[2].type, Event::Type::Delete);
  EXPECT_EQ(ev[2].kv.key, "w/a");
  EXPECT_EQ(ev[2].kv.value, "");
  EXPECT_EQ(ev[2].kv.mod_revision, 5);
  ASSERT_TRUE(ev[2].prev);
  EXPECT_EQ(ev[2].prev->value, "2");
  EXPECT_EQ(ev[2].prev->mod_revision, 3);

  // Live events have the same shape as replayed ones.
  EXPECT_EQ(ev[3].revision, 6);
  EXPECT_EQ(ev[3].kv.create_revision, 6);
  EXPECT_FALSE(ev[3].prev);  // the previous row is a tombstone
  EXPECT_EQ(ev[4].revision, 8);
  ASSERT_TRUE(ev[4].prev);
  EXPECT_EQ(ev[4].prev->value, "1");
  EXPECT_EQ(ev[4].prev->create_revision, 4);
  EXPECT_EQ(ev[4].kv.create_revision, 4);
}

TEST_F(StoreTest, ReplayAndLiveEventsOfAMultiOpCommitMatch) {
  auto s = open();
  ASSERT_TRUE(s->commit({Op::put("m/z", "1"), Op::put("m/a", "1"), Op::put("other", "1")}).ok);
  Recorder live;
  auto w1 = s->watch("m/", 1, live.fn());
  ASSERT_TRUE(s->commit({Op::put("m/z", "2"), Op::put("m/a", "2")}).ok);
  ASSERT_TRUE(wait_until([&] { return live.size() == 2; }));
  Recorder replayed;
  auto w2 = s->watch("m/", 1, replayed.fn());
  ASSERT_TRUE(wait_until([&] { return replayed.size() == 2; }));
  auto a = live.snapshot(), b = replayed.snapshot();
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(a[i].revision, 2);
    EXPECT_EQ(a[i].revision, b[i].revision);
    EXPECT_EQ(a[i].kv.key, b[i].kv.key);  // op order: m/z then m/a, both ways
    EXPECT_EQ(a[i].kv.value, b[i].kv.value);
    EXPECT_EQ(a[i].prev->value, b[i].prev->value);
  }
  EXPECT_EQ(a[0].kv.key, "m/z");
}

// A progress request is answered after the events already due, with the newest revision
// published: commits under other prefixes move it on too.
TEST_F(StoreTest, ProgressFollowsPendingEventsWithTheNewestRevision) {
  auto s = open();
  ASSERT_TRUE(s->commit({Op::put("w/a", "1")}).ok);  // 1
  ASSERT_TRUE(s->commit({Op::put("x/a", "1")}).ok);  // 2: other prefix
  Recorder rec;
  auto w = s->watch("w/", 0, rec.fn());
  w->request_progress();
  ASSERT_TRUE(wait_until([&] { return rec.size() == 2; }));
  ASSERT_TRUE(s->commit({Op::put("x/b", "1")}).ok);  // 3: other prefix
  w->request_progress();
  w->request_progress();  // shares the pending answer or gets one of its own, never an older one
  auto progressed_to = [&](int64_t revision) {
    auto ev = rec.snapshot();
    return ev.back().type == Event::Type::Progress && ev.back().revision == revision;
  };
  ASSERT_TRUE(wait_until([&] { return progressed_to(3); }));
  ASSERT_TRUE(s->commit({Op::put("w/b", "1")}).ok);  // 4
  w->request_progress();
  ASSERT_TRUE(wait_until([&] { return progressed_to(4); }));
  auto ev = rec.snapshot();
  EXPECT_EQ(ev[0].type, Event::Type::Put);
  EXPECT_EQ(ev[0].revision, 1);
  EXPECT_EQ(ev[1].type, Event::Type::Progress);
  EXPECT_EQ(ev[1].revision, 2);
  // In order with the events: w/b (4) comes before any progress that reports 4.
  size_t put4 = 0, progress4 = 0;
  for (size_t i = 1; i < ev.size(); ++i) {
    EXPECT_GE(ev[i].revision, ev[i - 1].revision);
    if (ev[i].revision == 4 && ev[i].type == Event::Type::Put) put4 = i;
    if (ev[i].revision == 4 && ev[i].type == Event::Type::Progress && progress4 == 0) progress4 = i;
  }
  EXPECT_GT(put4, 0u);
  EXPECT_GT(progress4, put4);
}

TEST_F(StoreTest, WatchFromTheFutureSkipsEarlierEvents) {
  auto s = open();
  Recorder rec;
  auto w = s->watch("", 2, rec.fn());
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(s->commit({Op::put("k", std::to_string(i))}).ok);
  ASSERT_TRUE(wait_until([&] { return rec.size() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto ev = rec.snapshot();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].revision, 3);
  EXPECT_EQ(ev[1].revision, 4);
}

TEST_F(StoreTest, NoGapsOrDuplicatesAcrossReplayAndLiveUnderConcurrentWrites) {
  auto s = open();
  constexpr int kWriters = 4, kPerWriter = 60;
  struct Watcher {
    int64_t after = 0;
    Recorder rec;
    std::unique_ptr<Watch> w;
  };
  std::vector<std::unique_ptr<Watcher>> watchers;
  std::atomic<bool> go{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      while (!go) std::this_thread::yield();
      for (int i = 0; i < kPerWriter; ++i) {
        ASSERT_TRUE(s->commit({Op::put("c/" + std::to_string(t) + "/" + std::to_string(i), "v")}).ok);
      }
    });
  }
  go = true;
  // Start watches while the writers run, from the present and from a bit in the past.
  for (int i = 0; i < 12; ++i) {
    auto w = std::make_unique<Watcher>();
    int64_t now = s->current_revision();
    w->after = i % 2 == 0 ? now : std::max<int64_t>(0, now - 5);
    w->w = s->watch("c/", w->after, w->rec.fn());
    watchers.push_back(std::move(w));
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  for (auto& t : writers) t.join();
  const int64_t last = s->current_revision();
  ASSERT_EQ(last, kWriters * kPerWriter);
  for (auto& w : watchers) {
    const size_t want = static_cast<size_t>(last - w->after);
    ASSERT_TRUE(wait_until([&] { return w->rec.size() >= want; })) << "after " << w->after;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // a duplicate would show here
    auto ev = w->rec.snapshot();
    ASSERT_EQ(ev.size(), want) << "after " << w->after;
    for (size_t i = 0; i < ev.size(); ++i) {
      ASSERT_EQ(ev[i].revision, w->after + 1 + static_cast<int64_t>(i)) << "after " << w->after;
    }
  }
}

TEST_F(StoreTest, WatchFromCompactedRevisionThrows) {
  auto s = open();
  for (int i = 1; i <= 6; ++i) ASSERT_TRUE(s->commit({Op::put("k", std::to_string(i))}).ok);
  s->compact(4);
  EXPECT_THROW(s->watch("", 3, [](const Event&) {}), CompactedError);
  EXPECT_THROW(s->watch("k", 0, [](const Event&) {}), CompactedError);
  // From exactly the compacted revision: the replay is whole, prev values included.
  Recorder rec;
  auto w = s->watch("", 4, rec.fn());
  ASSERT_TRUE(wait_until([&] { return rec.size() == 2; }));
  auto ev = rec.snapshot();
  EXPECT_EQ(ev[0].revision, 5);
  ASSERT_TRUE(ev[0].prev);
  EXPECT_EQ(ev[0].prev->value, "4");
  EXPECT_EQ(ev[1].revision, 6);
}

TEST_F(StoreTest, WatchDestroyedFromItsOwnCallback) {
  auto s = open();
  std::atomic<int> calls{0};
  std::unique_ptr<Watch> w;
  w = s->watch("", s->current_revision(), [&](const Event&) {
    ++calls;
    w.reset();  // must neither deadlock nor crash
  });
  ASSERT_TRUE(s->commit({Op::put("a", "1")}).ok);
  ASSERT_TRUE(wait_until([&] { return calls.load() == 1; }));
  ASSERT_TRUE(s->commit({Op::put("a", "2")}).ok);
  ASSERT_TRUE(s->commit({Op::put("a", "3")}).ok);
  // A later watcher proves delivery went on past those commits.
  std::atomic<int> other{0};
  auto w2 = s->watch("", 0, [&](const Event&) { ++other; });
  ASSERT_TRUE(wait_until([&] { return other.load() == 3; }));
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(w, nullptr);
}

TEST_F(StoreTest, NoCallbackAfterWatchDestructorReturns) {
  auto s = open();
  std::atomic<bool> destroyed{false};
  std::atomic<bool> late{false};
  std::atomic<int> calls{0};
  auto w = s->watch("", 0, [&](const Event&) {
    if (destroyed) late = true;
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // widen the race window
  });
  std::thread writer([&] {
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(s->commit({Op::put("k", std::to_string(i))}).ok);
  });
  ASSERT_TRUE(wait_until([&] { return calls.load() >= 3; }));
  w.reset();
  destroyed = true;
  writer.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(late.load());
}

TEST_F(StoreTest, HundredWatchersAllReceiveTheEvent) {
  auto s = open();
  constexpr int kWatchers = 100;
  std::vector<std::atomic<int>> got(kWatchers);
  std::vector<std::unique_ptr<Watch>> watches;
  for (int i = 0; i < kWatchers; ++i) {
    watches.push_back(s->watch(i % 2 == 0 ? "obj/" : "", 0, [&got, i](const Event& e) {
      if (e.kv.key == "obj/1") ++got[i];
    }));
  }
  ASSERT_TRUE(s->commit({Op::put("obj/1", "v")}).ok);
  ASSERT_TRUE(wait_until([&] {
    for (auto& g : got) {
      if (g.load() != 1) return false;
    }
    return true;
  }));
}

TEST_F(StoreTest, ThrowingCallbackDoesNotStopDelivery) {
  auto s = open();
  std::atomic<int> good{0};
  auto bad = s->watch("", 0, [](const Event&) { throw std::runtime_error("boom"); });
  auto ok = s->watch("", 0, [&](const Event&) { ++good; });
  ASSERT_TRUE(s->commit({Op::put("a", "1")}).ok);
  ASSERT_TRUE(s->commit({Op::put("a", "2")}).ok);
  ASSERT_TRUE(wait_until([&] { return good.load() == 2; }));
}

TEST_F(StoreTest, WatchMayOutliveTheStore) {
  auto s = open();
  auto w = s->watch("", 0, [](const Event&) {});
  ASSERT_TRUE(s->commit({Op::put("a", "1")}).ok);
  s.reset();
  w.reset();  // after the store: must not touch freed memory
}

TEST_F(StoreTest, StoreDestroyedFromACallback) {
  auto s = open();
  std::atomic<bool> committed{false};
  std::atomic<bool> done{false};
  std::unique_ptr<Watch> w;
  Store* raw = s.get();
  w = raw->watch("", 0, [&](const Event&) {
    if (done) return;
    // The test thread must be out of commit() before the store goes away.
    while (!committed) std::this_thread::yield();
    w.reset();
    s.reset();
    done = true;
  });
  ASSERT_TRUE(raw->commit({Op::put("a", "1")}).ok);
  committed = true;
  ASSERT_TRUE(wait_until([&] { return done.load(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(10));  // the detached thread winds down
}

TEST_F(StoreTest, CallbackMayUseTheStore) {
  auto s = open();
  std::atomic<int> seen{0};
  std::unique_ptr<Watch> inner;
  auto w = s->watch("in/", 0, [&](const Event& e) {
    // Reading, writing and starting another watch from the delivery thread must not deadlock.
    EXPECT_TRUE(s->get(e.kv.key));
    if (e.kv.key == "in/1") {
      EXPECT_TRUE(s->commit({Op::put("in/2", "v")}).ok);
      inner = s->watch("in/", 0, [&](const Event&) { ++seen; });
    }
  });
  ASSERT_TRUE(s->commit({Op::put("in/1", "v")}).ok);
  ASSERT_TRUE(wait_until([&] { return seen.load() == 2; }));
  w.reset();
  inner.reset();
}

}  // namespace
}  // namespace orch::store
