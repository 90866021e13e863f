// The audit trail on disk: JSON lines in DIR/audit/ — the current file audit.log and rotated
// ones audit-<ms>.log, oldest removed beyond a count. Requests never wait for the disk: record()
// queues (bounded) and a writer thread appends and fsyncs in batches. If the queue is full the
// event is counted and the count is written as an entry of its own, so a gap is never silent.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "audit/event.h"

namespace orch::audit {

struct LogOptions {
  std::string dir = {};                  // DATA_DIR/audit
  uint64_t max_file_bytes = 64ull << 20;  // rotate beyond this
  int max_files = 10;                    // rotated files kept (besides audit.log)
  size_t max_queued = 100000;
};

class Log {
 public:
  explicit Log(LogOptions opts);  // creates dir (0700); throws std::runtime_error
  ~Log();                         // writes what is queued
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  void record(Event e);  // never blocks on I/O, never throws
  void flush();          // returns once everything recorded so far is on disk

 private:
  void run();
  void write_batch(std::deque<Event>& batch, uint64_t dropped);
  void rotate();

  const LogOptions opts_;
  std::mutex mu_;
  std::condition_variable cv_, flushed_cv_;
  std::deque<Event> queue_;
  uint64_t dropped_ = 0, enqueued_ = 0, written_ = 0;
  bool stop_ = false;
  int fd_ = -1;
  uint64_t size_ = 0;
  int64_t last_rotation_ms_ = 0;  // the newest rotated file's name (writer thread only)
  std::thread thread_;
};

// Calls f for each event in DIR (rotated files oldest first, then audit.log) that matches.
// Lines that are not events (a torn last line after a crash) are skipped.
void scan(const std::string& dir, const Filter& filter, const std::function<void(const Event&)>& f);

}  // namespace orch::audit
