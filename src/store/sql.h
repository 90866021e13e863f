// The seam between the revisioned log (log_store.cpp) and a SQL engine. The log speaks only in
// named queries, numbered parameters and typed columns; each backend supplies the SQL text for
// each query, opens connections, and turns engine errors into StoreError. Today that is SQLite
// (sqlite_dialect.cpp); a PostgreSQL backend would implement these three classes with libpq
// prepared statements and $n placeholders, and the log would not change.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace orch::store::sql {

// Every statement the store runs. Parameters are numbered from 1 in the order documented in the
// dialect's SQL table; bounds named lo/hi are byte strings with lo inclusive and hi exclusive.
enum class Query : int {
  BeginWrite,          // a transaction that takes the write lock up front
  BeginRead,           // a transaction that reads one consistent snapshot
  Commit,
  Rollback,
  GetMeta,             // () -> revision, compacted
  SetRevision,         // (revision)
  SetCompacted,        // (compacted)
  GetLatest,           // (key) -> revision, create_revision, deleted, value
  InsertRow,           // (revision, name, created, deleted, create_revision, prev_revision, value)
  ListBounded,         // (lo, hi, limit) -> name, value, create_revision, revision
  ListUnbounded,       // (lo, limit) -> same
  ReplayBounded,       // (after, upto, lo, hi) -> see kReplayColumns in log_store.cpp
  ReplayUnbounded,     // (after, upto, lo) -> same
  CompactSuperseded,   // (after, upto): drop rows whose successor's revision is in (after, upto]
  CompactTombstones,   // (after, upto): drop tombstones with revision in (after, upto]
  EnsureVersionTable,  // creates schema_version if absent
  GetVersion,          // () -> version (no row: 0)
  InsertVersion,       // (version)
  SetVersion,          // (version)
  Count_
};

// A prepared statement owned and cached by its Connection. Use it through a Scope so it is reset
// even when a step throws; a statement left mid-iteration would pin an old read snapshot.
class Statement {
 public:
  virtual ~Statement() = default;
  virtual void bind_int(int index, int64_t value) = 0;
  virtual void bind_bytes(int index, std::string_view value) = 0;
  // True when a row is available, false when done. Throws StoreError.
  virtual bool step() = 0;
  virtual bool is_null(int column) = 0;
  virtual int64_t column_int(int column) = 0;
  virtual std::string column_bytes(int column) = 0;
  virtual void reset() noexcept = 0;  // also drops bindings (they may point at caller memory)

  // Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }
};

class Connection {
 public:
  virtual ~Connection() = default;
  // The cached prepared statement for q (prepared on first use).
  virtual Statement& statement(Query q) = 0;
  // Runs a script of one or more statements without parameters (migrations).
  virtual void exec(std::string_view sql) = 0;
  virtual bool in_transaction() = 0;
};

// Resets a statement on every exit path.
class Scope {
 public:
  explicit Scope(Statement& s) : s_(s) {}
  ~Scope() { s_.reset(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  Statement* operator->() { return &s_; }
  Statement& operator*() { return s_; }

 private:
  Statement& s_;
};

// A transaction that rolls back unless commit() succeeded; rollback errors are swallowed because
// they only happen when the engine already ended the transaction itself.
class Transaction {
 public:
  Transaction(Connection& c, Query begin) : c_(c) { Scope(c_.statement(begin))->run(); }
  ~Transaction() { rollback(); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    Scope(c_.statement(Query::Commit))->run();
    done_ = true;
  }
  void rollback() noexcept {
    if (done_) return;
    done_ = true;
    try {
      if (c_.in_transaction()) Scope(c_.statement(Query::Rollback))->run();
    } catch (...) {
    }
  }

 private:
  Connection& c_;
  bool done_ = false;
};

struct Migration {
  int version;  // 1, 2, 3, ... in order
  std::string description;
  std::vector<std::string> statements;
};

// A database backend: where connections come from and the schema history.
class Dialect {
 public:
  virtual ~Dialect() = default;
  // The connection that does every write (the store serialises writes itself).
  virtual std::unique_ptr<Connection> open_writer() = 0;
  // A connection for snapshot reads, used by one thread at a time.
  virtual std::unique_ptr<Connection> open_reader() = 0;
  virtual const std::vector<Migration>& migrations() const = 0;
  virtual bool read_only() const = 0;
  virtual std::string describe() const = 0;  // names the database in error messages
};

}  // namespace orch::store::sql
