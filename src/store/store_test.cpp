// Commits, reads, lists, compaction, reopening and error paths of the SQLite store.
#include "store/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/log_store.h"
#include "store/test_util.h"

namespace orch::store {
namespace {

using testing::RawDb;
using testing::StoreTest;
using testing::TempDir;

std::vector<std::string> keys_of(const ListResult& r) {
  std::vector<std::string> out;
  for (const auto& kv : r.items) out.push_back(kv.key);
  return out;
}

TEST_F(StoreTest, CreatePutGetDelete) {
  auto s = open();
  EXPECT_EQ(s->current_revision(), 0);
  EXPECT_FALSE(s->get("a").has_value());

  auto r = s->commit({Op::create("a", "1")});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.revision, 1);
  auto kv = s->get("a");
  ASSERT_TRUE(kv);
  EXPECT_EQ(kv->key, "a");
  EXPECT_EQ(kv->value, "1");
  EXPECT_EQ(kv->create_revision, 1);
  EXPECT_EQ(kv->mod_revision, 1);

  r = s->commit({Op::put("a", "2")});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.revision, 2);
  kv = s->get("a");
  ASSERT_TRUE(kv);
  EXPECT_EQ(kv->value, "2");
  EXPECT_EQ(kv->create_revision, 1);
  EXPECT_EQ(kv->mod_revision, 2);

  r = s->commit({Op::del("a")});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.revision, 3);
  EXPECT_FALSE(s->get("a").has_value());

  // A new incarnation gets a new create_revision.
  r = s->commit({Op::create("a", "3")});
  ASSERT_TRUE(r.ok);
  kv = s->get("a");
  ASSERT_TRUE(kv);
  EXPECT_EQ(kv->create_revision, 4);
  EXPECT_EQ(kv->mod_revision, 4);
  EXPECT_EQ(s->current_revision(), 4);
}

TEST_F(StoreTest, EmptyAndBinaryValuesRoundTrip) {
  auto s = open();
  std::string bin("\0\x01\xff\x00z", 5);
  ASSERT_TRUE(s->commit({Op::put("empty", ""), Op::put("bin", bin)}).ok);
  EXPECT_EQ(s->get("empty")->value, "");
  EXPECT_EQ(s->get("bin")->value, bin);
}

TEST_F(StoreTest, OneRevisionPerCommitSharedByItsOps) {
  auto s = open();
  auto r = s->commit({Op::put("x", "1"), Op::put("y", "1"), Op::put("z", "1")});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.revision, 1);
  for (const char* k : {"x", "y", "z"}) EXPECT_EQ(s->get(k)->mod_revision, 1) << k;
  r = s->commit({Op::put("x", "2"), Op::del("y")});
  EXPECT_EQ(r.revision, 2);
  EXPECT_EQ(s->get("x")->mod_revision, 2);
  EXPECT_EQ(s->commit({Op::put("z", "2")}).revision, 3);
  EXPECT_EQ(s->current_revision(), 3);
}

TEST_F(StoreTest, FailingPreconditionWritesNothing) {
  auto s = open();
  ASSERT_TRUE(s->commit({Op::put("a", "1")}).ok);
  auto r = s->commit({Op::put("b", "1"), Op::put("a", "2", 99), Op::put("c", "1")});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_key, "a");
  EXPECT_FALSE(s->get("b"));
  EXPECT_FALSE(s->get("c"));
  EXPECT_EQ(s->get("a")->value, "1");
  EXPECT_EQ(s->current_revision(), 1);
  // The failed commit consumed no revision.
  EXPECT_EQ(s->commit({Op::put("d", "1")}).revision, 2);

  // The first failing key in op order is reported.
  r = s->commit({Op::del("missing", -1), Op::put("a", "x", 5)});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_key, "missing");
}

TEST_F(StoreTest, Preconditions) {
  auto s = open();
  ASSERT_TRUE(s->commit({Op::create("k", "1")}).ok);
  // Create on an existing key fails.
  auto r = s->commit({Op::create("k", "2")});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_key, "k");
  EXPECT_EQ(s->get("k")->value, "1");
  // Must exist.
  EXPECT_TRUE(s->commit({Op::put("k", "2", -1)}).ok);
  EXPECT_FALSE(s->commit({Op::put("nope", "2", -1)}).ok);
  // Exact mod_revision: stale fails, current succeeds.
  EXPECT_FALSE(s->commit({Op::put("k", "3", 1)}).ok);
  int64_t mod = s->get("k")->mod_revision;
  EXPECT_TRUE(s->commit({Op::put("k", "3", mod)}).ok);
  // Delete with preconditions; after deletion "must not exist" holds again.
  EXPECT_FALSE(s->commit({Op::del("k", mod)}).ok);
  EXPECT_TRUE(s->commit({Op::del("k", s->get("k")->mod_revision)}).ok);
  EXPECT_FALSE(s->commit({Op::del("k", -1)}).ok);
  EXPECT_TRUE(s->commit({Op::create("k", "again")}).ok);
}

// A check makes a write depend on another record without touching it: no row, no event, no
// revision of its own.
TEST_F(StoreTest, CheckMakesACommitConditionalOnAKeyItLeavesAlone) {
  auto s = open();
  ASSERT_TRUE(s->commit({Op::put("ns", "active")}).ok);  // 1
  auto r = s->commit({Op::create("ns/obj", "x"), Op::check("ns", 1)});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.revision, 2);
  EXPECT_EQ(s->get("ns")->mod_revision, 1);
  ASSERT_TRUE(s->commit({Op::put("ns", "terminating")}).ok);  // 3
  r = s->commit({Op::create("ns/late", "x"), Op::check("ns", 1)});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_key, "ns");
  EXPECT_FALSE(s->get("ns/late"));
  EXPECT_EQ(s->current_revision(), 3);
  // Checks alone change nothing; "must not exist" and "must exist" work as for writes.
  r = s->commit({Op::check("ns", 3), Op::check("absent", 0)});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.revision, 3);
  EXPECT_FALSE(s->commit({Op::check("absent", -1)}).ok);
  auto listed = s->list("");
  ASSERT_EQ(listed.items.size(), 2u);
  EXPECT_EQ(listed.items[0].key, "ns");
  EXPECT_EQ(listed.items[1].key, "ns/obj");
}

TEST_F(StoreTest, DeletingAMissingKeyChangesNothing) {
  auto s = open();
  ASSERT_TRUE(s->commit({Op::put("a", "1")}).ok);
  auto r = s->commit({Op::del("ghost")});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.revision, 1);
  EXPECT_EQ(s->current_revision(), 1);
  EXPECT_TRUE(s->commit({}).ok);
  EXPECT_EQ(s->current_revision(), 1);
}

TEST_F(StoreTest, InvalidOpsThrowAndWriteNothing) {
  auto s = open();
  EXPECT_THROW(s->commit({Op::put("", "v")}), StoreError);
  EXPECT_THROW(s->commit({Op::put("a", "1"), Op::put("a", "2")}), StoreError);
  EXPECT_THROW(s->commit({Op::put("a", "1", -7)}), StoreError);
  EXPECT_THROW(s->commit({Op{Op::Kind::Check, "a", {}, std::nullopt}}), StoreError);
  EXPECT_EQ(s->current_revision(), 0);
  EXPECT_TRUE(s->commit({Op::put("a", "1")}).ok);
}

TEST(PrefixEnd, Successors) {
  EXPECT_EQ(prefix_end("a/"), "a0");
  EXPECT_EQ(prefix_end("a\xff"), "b");
  EXPECT_EQ(prefix_end(std::string("a\xff\xff", 3)), "b");
  EXPECT_EQ(prefix_end("\xff"), std::nullopt);
  EXPECT_EQ(prefix_end(""), std::nullopt);
  EXPECT_EQ(prefix_end(std::string("\0", 1)), std::string("\x01", 1));
}

TEST_F(StoreTest, ListByPrefix) {
  auto s = open();
  const std::vector<std::string> keys = {
      "a",       "a/1",         "a/2", "a/3", "a0", "a/\xff", "a/\xff\xff", "b/1", "\xff",
      "\xff\xff/x", std::string("n/\0x", 4), "p%/1", "p_/1", "pa/1"};
  std::vector<Op> ops;
  for (const auto& k : keys) ops.push_back(Op::put(k, "v" + k));
  ASSERT_TRUE(s->commit(ops).ok);
  ASSERT_TRUE(s->commit({Op::put("a/gone", "x")}).ok);
  ASSERT_TRUE(s->commit({Op::del("a/gone")}).ok);

  auto r = s->list("a/");
  EXPECT_EQ(keys_of(r), (std::vector<std::string>{"a/1", "a/2", "a/3", "a/\xff", "a/\xff\xff"}));
  EXPECT_FALSE(r.more);
  EXPECT_EQ(r.revision, 3);
  EXPECT_EQ(r.items[0].value, "va/1");
  EXPECT_EQ(r.items[0].create_revision, 1);
  EXPECT_EQ(r.items[0].mod_revision, 1);

  // Pagination: limit, more, start_after.
  r = s->list("a/", {}, 2);
  EXPECT_EQ(keys_of(r), (std::vector<std::string>{"a/1", "a/2"}));
  EXPECT_TRUE(r.more);
  r = s->list("a/", "a/2", 2);
  EXPECT_EQ(keys_of(r), (std::vector<std::string>{"a/3", "a/\xff"}));
  EXPECT_TRUE(r.more);
  r = s->list("a/", "a/\xff", 2);
  EXPECT_EQ(keys_of(r), (std::vector<std::string>{"a/\xff\xff"}));
  EXPECT_FALSE(r.more);
  r = s->list("a/", {}, 5);  // exactly the number of items: not cut
  EXPECT_EQ(r.items.size(), 5u);
  EXPECT_FALSE(r.more);
  // start_after below the prefix changes nothing; beyond it leaves nothing.
  EXPECT_EQ(s->list("a/", "0").items.size(), 5u);
  EXPECT_TRUE(s->list("a/", "b").items.empty());
  // start_after need not be a key that exists.
  EXPECT_EQ(keys_of(s->list("a/", "a/25")), (std::vector<std::string>{"a/3", "a/\xff", "a/\xff\xff"}));

  // Prefixes ending in 0xFF bytes, and ones with no upper bound at all.
  EXPECT_EQ(keys_of(s->list("a/\xff")), (std::vector<std::string>{"a/\xff", "a/\xff\xff"}));
  EXPECT_EQ(keys_of(s->list("\xff")), (std::vector<std::string>{"\xff", "\xff\xff/x"}));
  EXPECT_EQ(keys_of(s->list("\xff\xff")), (std::vector<std::string>{"\xff\xff/x"}));
  EXPECT_EQ(keys_of(s->list("a")),
            (std::vector<std::string>{"a", "a/1", "a/2", "a/3", "a/\xff", "a/\xff\xff", "a0"}));
  EXPECT_EQ(s->list("").items.size(), keys.size());
  // Embedded NUL bytes and LIKE wildcards are ordinary bytes.
  EXPECT_EQ(keys_of(s->list(std::string("n/\0", 3))), (std::vector<std::string>{std::string("n/\0x", 4)}));
  EXPECT_EQ(keys_of(s->list("p%")), (std::vector<std::string>{"p%/1"}));
  EXPECT_EQ(keys_of(s->list("p_")), (std::vector<std::string>{"p_/1"}));
  EXPECT_TRUE(s->list("zzz").items.empty());
}

TEST_F(StoreTest, ListSeesLatestValuesAcrossHistory) {
  auto s = open();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(s->commit({Op::put("h/a", std::to_string(i)), Op::put("h/b", std::to_string(i))}).ok);
  }
  ASSERT_TRUE(s->commit({Op::del("h/a")}).ok);
  auto r = s->list("h/");
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].key, "h/b");
  EXPECT_EQ(r.items[0].value, "4");
  EXPECT_EQ(r.items[0].mod_revision, 5);
}

TEST_F(StoreTest, ReopenKeepsEverything) {
  {
    auto s = open();
    ASSERT_TRUE(s->commit({Op::put("a", "1"), Op::put("b", "1")}).ok);
    ASSERT_TRUE(s->commit({Op::put("a", "2")}).ok);
    ASSERT_TRUE(s->commit({Op::del("b")}).ok);
    s->compact(2);
  }
  auto s = open();
  EXPECT_EQ(s->current_revision(), 3);
  EXPECT_EQ(s->compacted_revision(), 2);
  auto a = s->get("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, "2");
  EXPECT_EQ(a->create_revision, 1);
  EXPECT_EQ(a->mod_revision, 2);
  EXPECT_FALSE(s->get("b"));
  EXPECT_EQ(s->commit({Op::put("c", "1")}).revision, 4);
}

TEST_F(StoreTest, DatabaseIsWalWithCurrentSchema) {
  { auto s = open(); }
  RawDb raw(db());
  EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.scalar("SELECT version FROM schema_version"), "1");
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM schema_version"), "1");
}

TEST_F(StoreTest, NewerSchemaIsRefused) {
  { auto s = open(); }
  {
    RawDb raw(db());
    raw.exec("UPDATE schema_version SET version = 99");
  }
  try {
    open();
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST_F(StoreTest, CompactDropsSupersededRowsAndTombstones) {
  auto s = open();
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(s->commit({Op::put("k", std::to_string(i))}).ok);  // 1-4
  ASSERT_TRUE(s->commit({Op::put("gone", "x")}).ok);                                          // 5
  ASSERT_TRUE(s->commit({Op::del("gone")}).ok);                                               // 6
  ASSERT_TRUE(s->commit({Op::put("k", "5")}).ok);                                             // 7
  EXPECT_THROW(s->compact(100), StoreError);

  s->compact(6);
  EXPECT_EQ(s->compacted_revision(), 6);
  RawDb raw(db());
  // k keeps its value as of 6 (row 4, the prev of row 7) and row 7; "gone" disappears entirely.
  EXPECT_EQ(raw.scalar("SELECT group_concat(revision) FROM (SELECT revision FROM log ORDER BY id)"),
            "4,7");
  EXPECT_EQ(raw.scalar("SELECT compacted FROM meta"), "6");
  EXPECT_EQ(s->get("k")->value, "5");
  EXPECT_FALSE(s->get("gone"));
  EXPECT_EQ(s->list("").items.size(), 1u);

  s->compact(3);  // older than what is compacted: nothing to do
  EXPECT_EQ(s->compacted_revision(), 6);
  s->compact(7);
  EXPECT_EQ(raw.scalar("SELECT group_concat(revision) FROM log"), "7");
  EXPECT_EQ(s->get("k")->create_revision, 1);
  EXPECT_EQ(s->commit({Op::put("k", "6")}).revision, 8);
}

TEST_F(StoreTest, CompactingATrailingTombstoneNeverReusesARevision) {
  auto s = open();
  ASSERT_TRUE(s->commit({Op::put("a", "1")}).ok);
  ASSERT_TRUE(s->commit({Op::del("a")}).ok);
  s->compact(2);
  RawDb raw(db());
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM log"), "0");
  s.reset();
  s = open();
  EXPECT_EQ(s->current_revision(), 2);
  EXPECT_EQ(s->commit({Op::put("a", "2")}).revision, 3);
}

TEST_F(StoreTest, LargeCompactionRunsInBatches) {
  auto s = open();
  for (int i = 0; i < 30; ++i) {
    std::vector<Op> ops;
    for (int j = 0; j < 5; ++j) ops.push_back(Op::put("k" + std::to_string(j), std::to_string(i)));
    ASSERT_TRUE(s->commit(ops).ok);
  }
  s->compact(s->current_revision());
  RawDb raw(db());
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM log"), "5");
}

TEST_F(StoreTest, ConcurrentWritersAndReaders) {
  auto s = open();
  constexpr int kThreads = 8, kPerThread = 25;
  std::mutex mu;
  std::map<std::string, int64_t> acked;  // key -> revision its commit returned
  std::atomic<int> counter_wins{0};
  std::atomic<bool> done{false};
  ASSERT_TRUE(s->commit({Op::put("counter", "0")}).ok);

  std::thread reader([&] {
    while (!done) {
      auto r = s->list("w/");
      for (const auto& kv : r.items) ASSERT_LE(kv.mod_revision, r.revision);
      (void)s->get("counter");
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = "w/" + std::to_string(t) + "/" + std::to_string(i);
        auto r = s->commit({Op::put(key, "v")});
        ASSERT_TRUE(r.ok);
        {
          std::lock_guard lk(mu);
          acked[key] = r.revision;
        }
        // Optimistic increment: read, then write only if nobody else did meanwhile.
        auto c = s->get("counter");
        ASSERT_TRUE(c);
        auto w = s->commit({Op::put("counter", std::to_string(std::stoi(c->value) + 1),
                                    c->mod_revision)});
        if (w.ok) ++counter_wins;
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();

  std::set<int64_t> revs;
  for (const auto& [key, rev] : acked) {
    auto kv = s->get(key);
    ASSERT_TRUE(kv) << key;
    EXPECT_EQ(kv->mod_revision, rev) << key;
    revs.insert(rev);
  }
  EXPECT_EQ(revs.size(), size_t{kThreads * kPerThread});  // unique
  EXPECT_EQ(std::stoi(s->get("counter")->value), counter_wins.load());
  // Dense: every revision 1..current was handed out to exactly one successful commit.
  EXPECT_EQ(s->current_revision(), 1 + kThreads * kPerThread + counter_wins.load());
  RawDb raw(db());
  EXPECT_EQ(raw.scalar("SELECT count(DISTINCT revision) FROM log"),
            std::to_string(s->current_revision()));
  EXPECT_EQ(raw.scalar("SELECT max(revision) FROM log"), std::to_string(s->current_revision()));
}

TEST(StoreOpen, InvalidPathsThrowStoreError) {
  TempDir dir;
  EXPECT_THROW(open_sqlite(dir.file("missing/sub/store.db")), StoreError);
  EXPECT_THROW(open_sqlite(dir.path().string()), StoreError);
  EXPECT_THROW(open_sqlite(""), StoreError);
  try {
    open_sqlite(dir.file("missing/store.db"));
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
}

TEST(StoreOpen, GarbageFileThrowsStoreError) {
  TempDir dir;
  {
    std::FILE* f = std::fopen(dir.file("junk.db").c_str(), "w");
    ASSERT_TRUE(f);
    std::fputs("this is not a database, just text that is long enough to look like a header", f);
    std::fclose(f);
  }
  EXPECT_THROW(open_sqlite(dir.file("junk.db")), StoreError);
}

TEST_F(StoreTest, ReadOnlyOpenRefusesWritesAndStaysUsable) {
  {
    auto s = open();
    ASSERT_TRUE(s->commit({Op::put("a", "1")}).ok);
  }
  SqliteOptions ro;
  ro.read_only = true;
  auto s = open_sqlite(db(), ro);
  EXPECT_EQ(s->get("a")->value, "1");
  try {
    s->commit({Op::put("b", "1")});
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("readonly"), std::string::npos) << e.what();
  }
  EXPECT_EQ(s->get("a")->value, "1");
  EXPECT_FALSE(s->get("b"));
  EXPECT_EQ(s->current_revision(), 1);
  EXPECT_THROW(s->commit({Op::put("b", "1")}), StoreError);  // and again, same clear error

  EXPECT_THROW(open_sqlite(dir_.file("absent.db"), ro), StoreError);
}

TEST_F(StoreTest, FullDiskFailsTheCommitAndTheStoreCarriesOn) {
  SqliteOptions opt;
  opt.max_size_bytes = 256 * 1024;
  auto s = open_sqlite(db(), opt);
  ASSERT_TRUE(s->commit({Op::put("small", "1")}).ok);
  std::string big(1024 * 1024, 'x');
  try {
    s->commit({Op::put("first", "1"), Op::put("big", big)});
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("full"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(s->get("first"));  // the whole transaction was rolled back
  EXPECT_FALSE(s->get("big"));
  EXPECT_EQ(s->current_revision(), 1);
  auto r = s->commit({Op::put("small", "2")});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.revision, 2);  // no revision lost to the failure
  EXPECT_EQ(s->get("small")->value, "2");
}

}  // namespace
}  // namespace orch::store
