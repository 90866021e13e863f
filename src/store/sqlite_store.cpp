// open_sqlite: checks the path so the common mistakes get a sentence of their own instead of
// SQLite's "unable to open database file", then builds the log over the SQLite dialect.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "store/log_store.h"
#include "store/sqlite_dialect.h"
#include "store/store.h"

namespace orch::store {
namespace {

void check_path(const std::string& path, bool read_only) {
  if (path.empty()) throw StoreError("store: empty database path");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw StoreError("store: " + path + " is a directory, not a file");
  } else if (errno != ENOENT) {
    throw StoreError("store: cannot access " + path + ": " + std::strerror(errno));
  } else if (read_only) {
    throw StoreError("store: " + path + " does not exist (read-only open does not create it)");
  }
  // The file is created if absent, but its directory is not: a missing directory is almost
  // always a typo or an unmounted volume, and creating it would hide that.
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (::stat(dir.c_str(), &st) != 0) {
    throw StoreError("store: directory " + dir.string() + " of " + path +
                     " does not exist: " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    throw StoreError("store: " + dir.string() + " (parent of " + path + ") is not a directory");
  }
  // WAL mode creates path-wal and path-shm beside the database, so the directory itself must be
  // writable, not only the file.
  if (!read_only && ::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw StoreError("store: directory " + dir.string() + " is not writable (" +
                     std::strerror(errno) + "); the database and its -wal and -shm files live there");
  }
}

}  // namespace

std::unique_ptr<Store> open_sqlite(const std::string& path, const SqliteOptions& options) {
  check_path(path, options.read_only);
  return make_log_store(sqlite::make_dialect(path, options));
}

std::unique_ptr<Store> open_sqlite(const std::string& path) {
  return open_sqlite(path, SqliteOptions{});
}

}  // namespace orch::store
