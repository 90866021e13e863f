// The one durable store: a revisioned key/value log in the manner of kine. Every committed
// transaction gets the next revision; each put or delete is a row of the log, so readers can ask
// for the latest value of a key, list a prefix, and watch every change after a revision.
// The store knows nothing of AWS or Kubernetes: keys are '/'-separated strings, values bytes.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace orch::store {

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;  // revision of the put that created this incarnation of the key
  int64_t mod_revision = 0;     // revision of the latest put
};

// One operation of an atomic transaction.
struct Op {
  // Check writes nothing: it makes the transaction conditional on another key's version (its
  // expect_mod_revision is required), so a write can depend on a record it read but leaves alone.
  enum class Kind { Put, Delete, Check };
  Kind kind = Kind::Put;
  std::string key;
  std::string value;  // Put only
  // Optimistic concurrency: when set, the transaction fails unless the key's current mod_revision
  // equals it; 0 means "the key must not exist" (create), -1 means "the key must exist".
  std::optional<int64_t> expect_mod_revision;

  static Op put(std::string k, std::string v, std::optional<int64_t> expect = std::nullopt) {
    return Op{Kind::Put, std::move(k), std::move(v), expect};
  }
  static Op create(std::string k, std::string v) { return put(std::move(k), std::move(v), 0); }
  static Op del(std::string k, std::optional<int64_t> expect = std::nullopt) {
    return Op{Kind::Delete, std::move(k), {}, expect};
  }
  static Op check(std::string k, int64_t expect) { return Op{Kind::Check, std::move(k), {}, expect}; }
};

struct CommitResult {
  bool ok = false;               // false: a precondition failed and nothing was written
  int64_t revision = 0;          // the new revision when ok
  std::string failed_key;        // the first key whose precondition failed
};

struct Event {
  // Progress answers Watch::request_progress: only `revision` is set.
  enum class Type { Put, Delete, Progress };
  Type type = Type::Put;
  int64_t revision = 0;
  KeyValue kv;                   // for Delete: the key, empty value, mod_revision = revision
  std::optional<KeyValue> prev;  // the value before this event, if the key existed
};

// Thrown for I/O failures (disk full, read-only directory, corruption). A failed commit has
// written nothing.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by watch() when after_revision is older than the compacted history (Kubernetes: 410 Gone).
class CompactedError : public StoreError {
 public:
  using StoreError::StoreError;
};

class Watch {
 public:
  virtual ~Watch() = default;  // destroying it stops delivery; no callback runs after it returns
  // Asks for one Progress event (etcd's progress request): delivered in order with the watch's
  // events, once every event of the watch up to its revision has been delivered, that revision
  // being the newest one published to watchers. Requests made before it is delivered share it.
  // Thread-safe; the cluster plane turns these into Kubernetes watch bookmarks.
  virtual void request_progress() = 0;
};

struct ListResult {
  std::vector<KeyValue> items;
  int64_t revision = 0;  // the store revision the list was read at
  bool more = false;     // true if limit cut the list
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies all ops atomically. Returns only after the transaction is durable on disk
  // (fsync'd). Throws StoreError on I/O failure. Thread-safe.
  virtual CommitResult commit(const std::vector<Op>& ops) = 0;

  virtual std::optional<KeyValue> get(std::string_view key) const = 0;

  // Keys starting with prefix, in byte order, strictly after start_after (if non-empty);
  // limit 0 = no limit.
  virtual ListResult list(std::string_view prefix, std::string_view start_after = {},
                          size_t limit = 0) const = 0;

  virtual int64_t current_revision() const = 0;
  virtual int64_t compacted_revision() const = 0;

  // Delivers, in revision order, every event with revision > after_revision for keys starting
  // with prefix: first the history already in the log, then live events as they commit. The
  // callback runs on the store's delivery thread and must not block for long.
  virtual std::unique_ptr<Watch> watch(std::string_view prefix, int64_t after_revision,
                                       std::function<void(const Event&)> on_event) = 0;

  // Drops history of superseded values at or below revision (latest values are kept).
  virtual void compact(int64_t revision) = 0;
};

// The embedded backend: one SQLite database file in WAL mode with synchronous=FULL.
// Creates the file and applies schema migrations as needed. Throws StoreError.
std::unique_ptr<Store> open_sqlite(const std::string& path);

struct SqliteOptions {
  // How long a statement waits for a lock held by another connection or process.
  int busy_timeout_ms = 5000;
  // Caps the database size (SQLite max_page_count); 0 = no cap. A commit that would grow the
  // file past it fails like a full disk: StoreError "database or disk is full", nothing written.
  int64_t max_size_bytes = 0;
  // Opens an existing, already migrated database for reading only (inspection tools, and a way
  // to exercise the "attempt to write a readonly database" path); commit() and compact() throw.
  bool read_only = false;
};
std::unique_ptr<Store> open_sqlite(const std::string& path, const SqliteOptions& options);

}  // namespace orch::store
