#include "cli/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "base/crypto.h"

namespace orch::cli {
namespace fs = std::filesystem;

std::string default_data_dir() {
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.orchestera";
}

void prepare(const DataDir& d) {
  std::error_code ec;
  fs::create_directories(d.root, ec);
  if (ec) throw std::runtime_error("cannot create data directory " + d.root + ": " + ec.message());
  fs::permissions(d.root, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (::access(d.root.c_str(), W_OK) != 0)
    throw std::runtime_error("data directory " + d.root + " is not writable: " + std::strerror(errno));
}

void write_private_file(const std::string& path, const std::string& content, unsigned mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, mode);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

std::string load_or_create_secret_key(const DataDir& d) {
  std::string path = d.secret_key();
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0)
      throw std::runtime_error(path + " must be readable by its owner only (chmod 600 " + path + ")");
    std::ifstream in(path, std::ios::binary);
    std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (key.size() != 32) throw std::runtime_error(path + " is not a 32-byte key; refusing to start");
    return key;
  }
  std::string key = crypto::random_bytes(32);
  write_private_file(path, key);
  return key;
}

}  // namespace orch::cli
