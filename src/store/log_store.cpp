// The revisioned log, in the manner of kine.
//
// Writes: one writer connection behind write_mu_. A commit takes the mutex, opens a write
// transaction, reads the newest row of each key (for its precondition, its create_revision and
// the event's prev value), appends one row per op, all numbered with revision_ + 1, bumps the
// meta revision in the same transaction and commits. SQLite allows one writer at a time anyway,
// so a mutex costs no concurrency, and it lets the in-memory revision_ and the order in which
// events reach the broadcaster follow the commit order exactly.
//
// Reads: a pool of read-only connections (reader_pool.h). In WAL mode each reader sees a
// committed snapshot and never waits for the writer, so gets and lists from many threads run in
// parallel with each other and with commits. Every connection caches its prepared statements.
//
// Watches: see broadcaster.h. The committer publishes its events after COMMIT, under write_mu_
// (so in revision order) but without running any callback.
#include "store/log_store.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/broadcaster.h"
#include "store/migrate.h"
#include "store/reader_pool.h"

namespace orch::store {

std::optional<std::string> prefix_end(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    auto c = static_cast<unsigned char>(s.back());
    if (c != 0xFF) {
      s.back() = static_cast<char>(c + 1);
      return s;
    }
    s.pop_back();  // "a\xFF" ends where "b" begins
  }
  return std::nullopt;
}

namespace {

using sql::Query;
using sql::Scope;
using sql::Transaction;

// Revisions compacted per write transaction, so a large compaction does not hold the write lock
// (and stall every commit) for its whole duration.
constexpr int64_t kCompactBatch = 1000;

// The newest row of a key; revision 0 when the key has no row at all.
struct Latest {
  int64_t revision = 0;
  int64_t create_revision = 0;
  bool deleted = false;
  std::string value;
  bool live() const { return revision > 0 && !deleted; }
};

Latest read_latest(sql::Connection& c, std::string_view key) {
  Scope s(c.statement(Query::GetLatest));
  s->bind_bytes(1, key);
  Latest l;
  if (s->step()) {
    l.revision = s->column_int(0);
    l.create_revision = s->column_int(1);
    l.deleted = s->column_int(2) != 0;
    l.value = s->column_bytes(3);
  }
  return l;
}

struct Meta {
  int64_t revision = 0;
  int64_t compacted = 0;
};

Meta read_meta(sql::Connection& c) {
  Scope s(c.statement(Query::GetMeta));
  if (!s->step()) throw StoreError("store: the meta row is missing; the database is damaged");
  return Meta{s->column_int(0), s->column_int(1)};
}

// Binds [lo, hi) for the Bounded variant of a query, or [lo, ...) for the Unbounded one, from
// parameter `first` on; returns the next free parameter.
int bind_range(sql::Statement& s, int first, std::string_view lo,
               const std::optional<std::string>& hi) {
  s.bind_bytes(first++, lo);
  if (hi) s.bind_bytes(first++, *hi);
  return first;
}

// Wraps an engine error with what the store was doing; the engine's sentence stays intact.
[[noreturn]] void rethrow_as(std::string_view what, const StoreError& e) {
  if (dynamic_cast<const CompactedError*>(&e) != nullptr) throw;
  throw StoreError("store: " + std::string(what) + " failed: " + e.what());
}

class WatchImpl final : public Watch {
 public:
  WatchImpl(std::shared_ptr<Broadcaster> b, std::shared_ptr<Broadcaster::Watcher> w)
      : b_(std::move(b)), w_(std::move(w)) {}
  ~WatchImpl() override { b_->remove(w_); }
  void request_progress() override { b_->request_progress(w_); }
  WatchImpl(const WatchImpl&) = delete;
  WatchImpl& operator=(const WatchImpl&) = delete;

 private:
  std::shared_ptr<Broadcaster> b_;
  std::shared_ptr<Broadcaster::Watcher> w_;
};

class LogStore final : public Store {
 public:
  explicit LogStore(std::unique_ptr<sql::Dialect> dialect)
      : dialect_(std::move(dialect)),
        readers_(*dialect_, std::max<size_t>(4, std::thread::hardware_concurrency())) {
    try {
      writer_ = dialect_->open_writer();
      sql::migrate(*writer_, *dialect_);
      Meta m = read_meta(*writer_);
      revision_ = m.revision;
      compacted_ = m.compacted;
    } catch (const StoreError& e) {
      rethrow_as("open " + dialect_->describe(), e);
    }
    broadcaster_ = Broadcaster::create();
  }

  ~LogStore() override {
    // Before the connections close: no callback may still be reading through this store.
    broadcaster_->stop();
  }

  CommitResult commit(const std::vector<Op>& ops) override {
    validate(ops);
    if (ops.empty()) return CommitResult{true, revision_.load(), {}};

    // Per op: the row it replaces, gathered inside the transaction.
    std::vector<Latest> before(ops.size());
    std::lock_guard lk(write_mu_);
    int64_t rev = 0;
    try {
      Transaction tx(*writer_, Query::BeginWrite);
      for (size_t i = 0; i < ops.size(); ++i) {
        const Op& op = ops[i];
        before[i] = read_latest(*writer_, op.key);
        if (op.expect_mod_revision && !precondition_holds(*op.expect_mod_revision, before[i])) {
          return CommitResult{false, 0, op.key};  // tx rolls back; nothing was written
        }
      }
      rev = revision_.load() + 1;
      bool wrote = false;
      for (size_t i = 0; i < ops.size(); ++i) {
        const Op& op = ops[i];
        const Latest& b = before[i];
        if (!writes(op, b)) continue;  // a check, or deleting nothing: no row
        Scope ins(writer_->statement(Query::InsertRow));
        const bool put = op.kind == Op::Kind::Put;
        ins->bind_int(1, rev);
        ins->bind_bytes(2, op.key);
        ins->bind_int(3, put && !b.live() ? 1 : 0);  // created: a new incarnation begins
        ins->bind_int(4, put ? 0 : 1);
        ins->bind_int(5, b.live() ? b.create_revision : rev);
        ins->bind_int(6, b.revision);
        ins->bind_bytes(7, put ? std::string_view(op.value) : std::string_view());
        ins->run();
        wrote = true;
      }
      // Only checks and deletes of absent keys: nothing changed, so no revision is consumed (as
      // in etcd).
      if (!wrote) return CommitResult{true, revision_.load(), {}};
      {
        Scope set(writer_->statement(Query::SetRevision));
        set->bind_int(1, rev);
        set->run();
      }
      tx.commit();  // durable (synchronous=FULL) once this returns
    } catch (const StoreError& e) {
      rethrow_as("commit", e);  // tx already rolled back by its destructor
    }
    revision_.store(rev);
    broadcaster_->publish([&] { return make_events(ops, before, rev); });
    return CommitResult{true, rev, {}};
  }

  std::optional<KeyValue> get(std::string_view key) const override {
    try {
      auto c = readers_.borrow();
      Latest l = read_latest(*c, key);
      if (!l.live()) return std::nullopt;
      return KeyValue{std::string(key), std::move(l.value), l.create_revision, l.revision};
    } catch (const StoreError& e) {
      rethrow_as("get", e);
    }
  }

  ListResult list(std::string_view prefix, std::string_view start_after,
                  size_t limit) const override {
    std::string lo(prefix);
    if (!start_after.empty()) {
      // start_after + "\0" is the smallest key greater than start_after.
      std::string next = std::string(start_after) + '\0';
      if (next > lo) lo = std::move(next);
    }
    const std::optional<std::string> hi = prefix_end(prefix);
    // One row more than asked tells whether the limit cut the list.
    const int64_t fetch = limit == 0 || limit >= static_cast<size_t>(INT64_MAX)
                              ? std::numeric_limits<int64_t>::max()
                              : static_cast<int64_t>(limit) + 1;
    ListResult out;
    try {
      auto c = readers_.borrow();
      // One snapshot for the revision and the rows, so the items are exactly the state at it.
      // A read transaction has nothing to commit; tx ends it when it goes out of scope.
      Transaction tx(*c, Query::BeginRead);
      out.revision = read_meta(*c).revision;
      Scope s(c->statement(hi ? Query::ListBounded : Query::ListUnbounded));
      int next = bind_range(*s, 1, lo, hi);
      s->bind_int(next, fetch);
      while (s->step()) {
        out.items.push_back(
            KeyValue{s->column_bytes(0), s->column_bytes(1), s->column_int(2), s->column_int(3)});
      }
    } catch (const StoreError& e) {
      rethrow_as("list", e);
    }
    if (limit != 0 && out.items.size() > limit) {
      out.items.pop_back();
      out.more = true;
    }
    return out;
  }

  int64_t current_revision() const override { return revision_.load(); }
  int64_t compacted_revision() const override { return compacted_.load(); }

  std::unique_ptr<Watch> watch(std::string_view prefix, int64_t after_revision,
                               std::function<void(const Event&)> on_event) override {
    if (after_revision < 0) {
      throw StoreError("store: watch: negative revision " + std::to_string(after_revision));
    }
    // Registered (buffering) before the snapshot is taken: see broadcaster.h.
    auto w = broadcaster_->add(std::string(prefix), after_revision, std::move(on_event));
    try {
      std::vector<EventPtr> history;
      int64_t snapshot = 0;
      {
        auto c = readers_.borrow();
        Transaction tx(*c, Query::BeginRead);
        Meta m = read_meta(*c);
        // Checked in the same snapshot as the replay, so a compaction racing with this call
        // either happened before (and we throw) or cannot touch what we read.
        if (after_revision < m.compacted) {
          throw CompactedError("store: watch from revision " + std::to_string(after_revision) +
                               ": history up to revision " + std::to_string(m.compacted) +
                               " has been compacted");
        }
        snapshot = m.revision;
        if (after_revision < snapshot) history = replay(*c, prefix, after_revision, snapshot);
      }
      broadcaster_->activate(w, std::move(history), snapshot);
    } catch (const StoreError& e) {
      broadcaster_->remove(w);
      rethrow_as("watch", e);
    } catch (...) {
      broadcaster_->remove(w);
      throw;
    }
    return std::make_unique<WatchImpl>(broadcaster_, std::move(w));
  }

  // Keeps the newest row of every key as of `revision` (so a watch starting there still finds
  // each event's prev value) and everything after it. Deleted: rows superseded by a newer row
  // at or below `revision`, and tombstones at or below it.
  void compact(int64_t revision) override {
    if (revision > revision_.load()) {
      throw StoreError("store: compact: revision " + std::to_string(revision) +
                       " is in the future (current " + std::to_string(revision_.load()) + ")");
    }
    for (;;) {
      std::lock_guard lk(write_mu_);
      const int64_t lo = compacted_.load();
      if (lo >= revision) return;
      const int64_t hi = std::min(revision, lo + kCompactBatch);
      try {
        Transaction tx(*writer_, Query::BeginWrite);
        // Superseded rows first: a tombstone's own prev_revision finds the value it ended.
        for (Query q : {Query::CompactSuperseded, Query::CompactTombstones}) {
          Scope s(writer_->statement(q));
          s->bind_int(1, lo);
          s->bind_int(2, hi);
          s->run();
        }
        Scope set(writer_->statement(Query::SetCompacted));
        set->bind_int(1, hi);
        set->run();
        tx.commit();
      } catch (const StoreError& e) {
        rethrow_as("compact", e);
      }
      compacted_.store(hi);
    }
  }

 private:
  static void validate(const std::vector<Op>& ops) {
    std::unordered_set<std::string_view> seen;
    for (const Op& op : ops) {
      if (op.key.empty()) throw StoreError("store: commit: empty key");
      if (op.expect_mod_revision && *op.expect_mod_revision < -1) {
        throw StoreError("store: commit: invalid expect_mod_revision " +
                         std::to_string(*op.expect_mod_revision) + " for key " + op.key);
      }
      if (op.kind == Op::Kind::Check && !op.expect_mod_revision) {
        throw StoreError("store: commit: a check of key " + op.key + " without an expected revision");
      }
      // A key written twice would need two rows with one (name, revision), and which value a
      // reader or watcher should see would be ambiguous; etcd refuses this too.
      if (!seen.insert(op.key).second) {
        throw StoreError("store: commit: key " + op.key + " appears twice in one transaction");
      }
    }
  }

  // Whether op appends a row (and makes an event), given the key's newest row.
  static bool writes(const Op& op, const Latest& before) {
    if (op.kind == Op::Kind::Check) return false;
    return op.kind == Op::Kind::Put || before.live();
  }

  static bool precondition_holds(int64_t expect, const Latest& l) {
    if (expect == 0) return !l.live();
    if (expect == -1) return l.live();
    return l.live() && l.revision == expect;
  }

  static std::vector<EventPtr> make_events(const std::vector<Op>& ops,
                                           const std::vector<Latest>& before, int64_t rev) {
    std::vector<EventPtr> events;
    events.reserve(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
      const Op& op = ops[i];
      const Latest& b = before[i];
      if (!writes(op, b)) continue;
      auto e = std::make_shared<Event>();
      e->revision = rev;
      e->type = op.kind == Op::Kind::Put ? Event::Type::Put : Event::Type::Delete;
      e->kv.key = op.key;
      if (op.kind == Op::Kind::Put) e->kv.value = op.value;
      e->kv.create_revision = b.live() ? b.create_revision : rev;
      e->kv.mod_revision = rev;
      if (b.live()) e->prev = KeyValue{op.key, b.value, b.create_revision, b.revision};
      events.push_back(std::move(e));
    }
    return events;
  }

  // Rows in (after, upto] under prefix, in commit order, with the value each replaced. The
  // column order is the ReplayBounded/ReplayUnbounded contract of sql.h:
  //   0 revision, 1 name, 2 value, 3 create_revision, 4 deleted,
  //   5 prev value, 6 prev create_revision, 7 prev revision, 8 prev deleted (5-8 NULL if none).
  static std::vector<EventPtr> replay(sql::Connection& c, std::string_view prefix, int64_t after,
                                      int64_t upto) {
    const std::optional<std::string> hi = prefix_end(prefix);
    Scope s(c.statement(hi ? Query::ReplayBounded : Query::ReplayUnbounded));
    s->bind_int(1, after);
    s->bind_int(2, upto);
    bind_range(*s, 3, prefix, hi);
    std::vector<EventPtr> out;
    while (s->step()) {
      auto e = std::make_shared<Event>();
      e->revision = s->column_int(0);
      const bool deleted = s->column_int(4) != 0;
      e->type = deleted ? Event::Type::Delete : Event::Type::Put;
      e->kv.key = s->column_bytes(1);
      if (!deleted) e->kv.value = s->column_bytes(2);
      e->kv.create_revision = s->column_int(3);
      e->kv.mod_revision = e->revision;
      // A previous row that is a tombstone (or was compacted away with its tombstone) means
      // the key did not exist before this event.
      if (!s->is_null(7) && s->column_int(8) == 0) {
        e->prev = KeyValue{e->kv.key, s->column_bytes(5), s->column_int(6), s->column_int(7)};
      }
      out.push_back(std::move(e));
    }
    return out;
  }

  // Members die in reverse order: the broadcaster is stopped in the destructor body, then the
  // readers and the writer close, the dialect last.
  std::unique_ptr<sql::Dialect> dialect_;
  std::mutex write_mu_;
  std::unique_ptr<sql::Connection> writer_;  // closes last, so it checkpoints and drops the WAL
  mutable ReaderPool readers_;
  std::atomic<int64_t> revision_{0};   // written under write_mu_ after COMMIT
  std::atomic<int64_t> compacted_{0};  // likewise
  std::shared_ptr<Broadcaster> broadcaster_;
};

}  // namespace

std::unique_ptr<Store> make_log_store(std::unique_ptr<sql::Dialect> dialect) {
  return std::make_unique<LogStore>(std::move(dialect));
}

}  // namespace orch::store
