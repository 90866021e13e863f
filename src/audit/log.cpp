#include "audit/log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "base/clock.h"

namespace orch::audit {
namespace fs = std::filesystem;

namespace {
const char* kCurrent = "audit.log";

// Rotated files sort by name in time order: audit-<ms, zero-padded>.log.
std::vector<fs::path> rotated_files(const std::string& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with("audit-") && name.ends_with(".log")) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

Log::Log(LogOptions opts) : opts_(std::move(opts)) {
  std::error_code ec;
  fs::create_directories(opts_.dir, ec);
  if (ec) throw std::runtime_error("cannot create the audit directory " + opts_.dir + ": " + ec.message());
  ::chmod(opts_.dir.c_str(), 0700);
  std::string path = opts_.dir + "/" + kCurrent;
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot open the audit log " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) == 0) size_ = static_cast<uint64_t>(st.st_size);
  // A crash can leave a torn last line; end it, so the next event starts a line of its own.
  if (size_ > 0) {
    char last = '\n';
    int rd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (rd >= 0) {
      if (::pread(rd, &last, 1, static_cast<off_t>(size_ - 1)) != 1) last = '\n';
      ::close(rd);
    }
    if (last != '\n' && ::write(fd_, "\n", 1) == 1) ++size_;
  }
  thread_ = std::thread([this] { run(); });
}

Log::~Log() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void Log::record(Event e) {
  try {
    std::lock_guard lk(mu_);
    if (queue_.size() >= opts_.max_queued) {
      ++dropped_;
    } else {
      queue_.push_back(std::move(e));
      ++enqueued_;
    }
  } catch (...) {
    return;  // out of memory: the audit trail must not take the request down with it
  }
  cv_.notify_one();
}

void Log::flush() {
  std::unique_lock lk(mu_);
  uint64_t target = enqueued_;
  flushed_cv_.wait(lk, [&] { return written_ >= target || stop_; });
}

void Log::run() {
  std::unique_lock lk(mu_);
  for (;;) {
    cv_.wait(lk, [&] { return stop_ || !queue_.empty() || dropped_; });
    std::deque<Event> batch;
    batch.swap(queue_);
    uint64_t dropped = std::exchange(dropped_, 0);
    bool stopping = stop_;
    lk.unlock();
    size_t n = batch.size();
    write_batch(batch, dropped);
    lk.lock();
    written_ += n;
    flushed_cv_.notify_all();
    if (stopping && queue_.empty()) return;
  }
}

void Log::write_batch(std::deque<Event>& batch, uint64_t dropped) {
  std::string out;
  if (dropped) {
    Event gap;
    gap.time_ms = clock::now_millis();
    gap.plane = "audit";
    gap.decision = "dropped";
    gap.reason = std::to_string(dropped) + " events were dropped: the audit writer fell behind";
    out += to_json(gap) + "\n";
  }
  for (const auto& e : batch) out += to_json(e) + "\n";
  if (out.empty()) return;
  if (size_ + out.size() > opts_.max_file_bytes && size_ > 0) rotate();
  if (fd_ < 0) {  // a failed reopen after rotating: try again with every batch
    std::string current = opts_.dir + "/" + kCurrent;
    fd_ = ::open(current.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  }
  size_t off = 0;
  while (off < out.size()) {
    ssize_t w = ::write(fd_, out.data() + off, out.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      spdlog::error("audit: cannot write to {}/{}: {} ({} events lost)", opts_.dir, kCurrent, std::strerror(errno),
                    batch.size());
      return;
    }
    off += static_cast<size_t>(w);
  }
  size_ += out.size();
  ::fdatasync(fd_);
}

void Log::rotate() {
  std::string current = opts_.dir + "/" + kCurrent;
  // Names strictly increase (a rotation within the same millisecond as the last takes the next
  // one), so they are unique and in time order even after older files were removed.
  if (last_rotation_ms_ == 0)
    for (const auto& f : rotated_files(opts_.dir))
      last_rotation_ms_ = std::max<int64_t>(last_rotation_ms_, std::atoll(f.filename().string().c_str() + 6));
  last_rotation_ms_ = std::max(clock::now_millis(), last_rotation_ms_ + 1);
  char name[64];
  std::snprintf(name, sizeof name, "audit-%015lld.log", static_cast<long long>(last_rotation_ms_));
  const std::string target = opts_.dir + "/" + name;
  ::fsync(fd_);
  ::close(fd_);
  if (::rename(current.c_str(), target.c_str()) != 0)
    spdlog::error("audit: cannot rotate {}: {}", current, std::strerror(errno));
  fd_ = ::open(current.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) spdlog::error("audit: cannot reopen {}: {}", current, std::strerror(errno));
  size_ = 0;
  auto old = rotated_files(opts_.dir);
  for (size_t i = 0; i + static_cast<size_t>(std::max(opts_.max_files, 0)) < old.size(); ++i) {
    std::error_code ec;
    fs::remove(old[i], ec);
  }
}

void scan(const std::string& dir, const Filter& filter, const std::function<void(const Event&)>& f) {
  auto files = rotated_files(dir);
  files.push_back(fs::path(dir) / kCurrent);
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      auto e = from_json(line);
      if (e && matches(*e, filter)) f(*e);
    }
  }
}

}  // namespace orch::audit
