// SQLite connections and statements behind the sql.h interfaces.
#include "store/sqlite_dialect.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace orch::store::sqlite {
namespace {

// "what: database or disk is full (sqlite 13)": SQLite's own sentence is what an operator
// recognises, the code is what a developer looks up.
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  msg += " (sqlite " + std::to_string(rc) + ")";
  throw StoreError(msg);
}

class SqliteStatement final : public sql::Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* st) : db_(db), st_(st) {}
  ~SqliteStatement() override { sqlite3_finalize(st_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void bind_int(int index, int64_t value) override {
    check(sqlite3_bind_int64(st_, index, value), "bind");
  }
  void bind_bytes(int index, std::string_view value) override {
    // A null data pointer would bind SQL NULL, and an empty std::string_view may have one; an
    // empty key or value must be an empty BLOB. SQLITE_STATIC: the caller's bytes outlive the
    // step, and reset() clears the binding before they can dangle.
    if (value.empty()) {
      check(sqlite3_bind_zeroblob(st_, index, 0), "bind");
    } else {
      check(sqlite3_bind_blob64(st_, index, value.data(), value.size(), SQLITE_STATIC), "bind");
    }
  }
  bool step() override {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, rc, "sqlite");
  }
  bool is_null(int column) override { return sqlite3_column_type(st_, column) == SQLITE_NULL; }
  int64_t column_int(int column) override { return sqlite3_column_int64(st_, column); }
  std::string column_bytes(int column) override {
    const void* p = sqlite3_column_blob(st_, column);
    int n = sqlite3_column_bytes(st_, column);
    return p != nullptr ? std::string(static_cast<const char*>(p), static_cast<size_t>(n))
                        : std::string();
  }
  void reset() noexcept override {
    sqlite3_reset(st_);  // its return value repeats the last step's error, already reported
    sqlite3_clear_bindings(st_);
  }

 private:
  void check(int rc, std::string_view what) {
    if (rc != SQLITE_OK) fail(db_, rc, what);
  }
  sqlite3* db_;
  sqlite3_stmt* st_;
};

class SqliteConnection final : public sql::Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& s : cache_) s.reset();  // statements first: close_v2 would otherwise linger
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  sql::Statement& statement(sql::Query q) override {
    auto& slot = cache_.at(static_cast<size_t>(q));
    if (!slot) {
      std::string_view text = query_text(q);
      sqlite3_stmt* st = nullptr;
      // PERSISTENT: these statements live as long as the connection.
      int rc = sqlite3_prepare_v3(db_, text.data(), static_cast<int>(text.size()),
                                  SQLITE_PREPARE_PERSISTENT, &st, nullptr);
      if (rc != SQLITE_OK) fail(db_, rc, "prepare");
      slot = std::make_unique<SqliteStatement>(db_, st);
    }
    return *slot;
  }

  void exec(std::string_view sql) override {
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(db_, rc, "sqlite");
  }

  bool in_transaction() override { return sqlite3_get_autocommit(db_) == 0; }

  // The single value a PRAGMA answers with (journal_mode answers the mode now in force).
  std::string pragma(const std::string& body) {
    std::string text = "PRAGMA " + body;
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db_, text.c_str(), -1, &st, nullptr);
    if (rc != SQLITE_OK) fail(db_, rc, text);
    std::string out;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      const unsigned char* p = sqlite3_column_text(st, 0);
      if (p != nullptr) out = reinterpret_cast<const char*>(p);
      rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) fail(db_, rc, text);
    return out;
  }

 private:
  sqlite3* db_;
  std::array<std::unique_ptr<SqliteStatement>, static_cast<size_t>(sql::Query::Count_)> cache_;
};

class SqliteDialect final : public sql::Dialect {
 public:
  SqliteDialect(std::string path, SqliteOptions options)
      : path_(std::move(path)), options_(options) {}

  std::unique_ptr<sql::Connection> open_writer() override {
    int flags = options_.read_only ? SQLITE_OPEN_READONLY
                                   : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    auto c = open(flags);
    if (!options_.read_only) {
      // WAL: readers never block the writer nor each other, and a commit is one append plus
      // one fsync. synchronous=FULL makes that fsync happen before COMMIT returns, so an
      // acknowledged commit survives power loss (NORMAL would only survive a process crash).
      std::string mode = c->pragma("journal_mode=WAL");
      if (mode != "wal") {
        throw StoreError("store: " + path_ + ": cannot switch to WAL journal mode (got '" +
                         mode + "')");
      }
      c->pragma("synchronous=FULL");
      // After a burst the WAL is checkpointed back into the database; without a limit the
      // file would keep its high-water size forever.
      c->pragma("journal_size_limit=67108864");
      if (options_.max_size_bytes > 0) {
        int64_t page = std::stoll(c->pragma("page_size"));
        int64_t pages = std::max<int64_t>(1, options_.max_size_bytes / page);
        c->pragma("max_page_count=" + std::to_string(pages));
      }
    }
    return c;
  }

  std::unique_ptr<sql::Connection> open_reader() override {
    // Readers are opened read-only so no code path can write through them.
    return open(SQLITE_OPEN_READONLY);
  }

  const std::vector<sql::Migration>& migrations() const override { return sqlite::migrations(); }
  bool read_only() const override { return options_.read_only; }
  std::string describe() const override { return "sqlite:" + path_; }

 private:
  std::unique_ptr<SqliteConnection> open(int flags) {
    sqlite3* db = nullptr;
    // NOMUTEX: each connection is used by one thread at a time (the store's locks and reader
    // pool guarantee it), so SQLite's per-connection mutex would be pure overhead.
    int rc = sqlite3_open_v2(path_.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = "store: cannot open " + path_ + ": " +
                        (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
      sqlite3_close_v2(db);
      throw StoreError(msg);
    }
    auto c = std::make_unique<SqliteConnection>(db);
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, options_.busy_timeout_ms);
    return c;
  }

  std::string path_;
  SqliteOptions options_;
};

}  // namespace

std::unique_ptr<sql::Dialect> make_dialect(const std::string& path, const SqliteOptions& options) {
  return std::make_unique<SqliteDialect>(path, options);
}

}  // namespace orch::store::sqlite
