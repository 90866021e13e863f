// The store (SQLite, WAL, synchronous=FULL): a durable put (one fsync'd transaction), from one
// and from four threads (commits are serialized: this shows whether they share fsyncs), a get
// and a list of 1,000 keys in a store of 10,000, and watch fan-out: one put delivered to 1, 10
// and 100 watchers (time from commit to the last delivery, which includes the put).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

using namespace orch;

const std::string kValue(1500, 'v');  // about one stored pod

struct TempStore {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> s;
  TempStore() {
    // Next to the build, not in tmpfs: the fsync cost is part of what is measured.
    std::string tmpl = (std::filesystem::current_path() / "orch-bench-store-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    s = store::open_sqlite((dir / "db").string());
  }
  ~TempStore() {
    s.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

// 10,000 keys under 10 prefixes of 1,000.
TempStore& filled() {
  static TempStore t;
  static bool done = false;
  if (!done) {
    for (int p = 0; p < 10; ++p) {
      std::vector<store::Op> ops;
      for (int i = 0; i < 1000; ++i)
        ops.push_back(store::Op::put("/registry/c1/pods/ns-" + std::to_string(p) + "/pod-" + std::to_string(i), kValue));
      t.s->commit(ops);
    }
    done = true;
  }
  return t;
}

void BM_StorePut(benchmark::State& state) {
  static TempStore* t = nullptr;
  static std::atomic<int64_t> seq{0};
  if (state.thread_index() == 0) t = new TempStore();
  // Other threads wait for the store in Google Benchmark's start barrier (the loop below).
  for (auto _ : state) {
    auto r = t->s->commit({store::Op::put("/bench/put/" + std::to_string(seq++), kValue)});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());  // reported as commits/s, summed over threads
  if (state.thread_index() == 0) {
    delete t;
    t = nullptr;
  }
}
BENCHMARK(BM_StorePut)->Threads(1)->Threads(4)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_StoreGet(benchmark::State& state) {
  auto& t = filled();
  int i = 0;
  for (auto _ : state) {
    auto kv = t.s->get("/registry/c1/pods/ns-3/pod-" + std::to_string(i++ % 1000));
    if (!kv) state.SkipWithError("missing key");
    benchmark::DoNotOptimize(kv);
  }
}
BENCHMARK(BM_StoreGet);

void BM_StoreList1000(benchmark::State& state) {
  auto& t = filled();
  for (auto _ : state) {
    auto r = t.s->list("/registry/c1/pods/ns-5/");
    if (r.items.size() != 1000) state.SkipWithError("wrong count");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_StoreList1000)->Unit(benchmark::kMicrosecond);

void BM_StoreWatchFanout(benchmark::State& state) {
  TempStore t;
  const int n = static_cast<int>(state.range(0));
  std::mutex mu;
  std::condition_variable cv;
  int delivered = 0;
  std::vector<std::unique_ptr<store::Watch>> watches;
  for (int i = 0; i < n; ++i)
    watches.push_back(t.s->watch("/bench/watch/", t.s->current_revision(), [&](const store::Event&) {
      std::lock_guard lk(mu);
      if (++delivered == n) cv.notify_one();
    }));
  int64_t seq = 0;
  for (auto _ : state) {
    {
      std::lock_guard lk(mu);
      delivered = 0;
    }
    t.s->commit({store::Op::put("/bench/watch/k" + std::to_string(seq++), kValue)});
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return delivered == n; });
  }
  watches.clear();
  state.counters["watchers"] = n;
}
BENCHMARK(BM_StoreWatchFanout)->Arg(1)->Arg(10)->Arg(100)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
