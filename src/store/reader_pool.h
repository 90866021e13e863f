// Read connections, one per concurrent reader.
//
// WAL lets any number of readers run beside the writer, each on its own snapshot, but a SQLite
// connection must be used by one thread at a time. So readers borrow a connection (with its own
// cache of prepared statements) and give it back; connections are opened on demand up to a cap
// and then kept, so a steady load opens none.
#pragma once
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "store/sql.h"

namespace orch::store {

class ReaderPool {
 public:
  ReaderPool(sql::Dialect& dialect, size_t max_open) : dialect_(dialect), max_open_(max_open) {}

  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<sql::Connection> c)
        : pool_(&pool), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (c_) pool_->give_back(std::move(c_));
    }
    sql::Connection& operator*() { return *c_; }
    sql::Connection* operator->() { return c_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<sql::Connection> c_;
  };

  Lease borrow() {
    std::unique_lock lk(mu_);
    freed_.wait(lk, [&] { return !idle_.empty() || open_ < max_open_; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(c));
    }
    ++open_;
    lk.unlock();
    try {
      return Lease(*this, dialect_.open_reader());
    } catch (...) {
      lk.lock();
      --open_;
      freed_.notify_one();
      throw;
    }
  }

 private:
  void give_back(std::unique_ptr<sql::Connection> c) noexcept {
    // A reader that failed mid-transaction must not hand an old snapshot to the next borrower.
    try {
      if (c->in_transaction()) sql::Scope(c->statement(sql::Query::Rollback))->run();
    } catch (...) {
      c.reset();  // unusable: close it and let the next borrower open a fresh one
    }
    std::lock_guard lk(mu_);
    if (c) {
      idle_.push_back(std::move(c));
    } else {
      --open_;
    }
    freed_.notify_one();
  }

  sql::Dialect& dialect_;
  const size_t max_open_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<sql::Connection>> idle_;
  size_t open_ = 0;
};

}  // namespace orch::store
