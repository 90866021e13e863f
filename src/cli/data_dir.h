// The data directory: where the store, the at-rest key, the PKI, the admin's AWS files and the
// audit trail live.
#pragma once
#include <string>

namespace orch::cli {

struct DataDir {
  std::string root;
  std::string db() const { return root + "/orchestera.db"; }
  std::string secret_key() const { return root + "/secret.key"; }
  std::string pki() const { return root + "/pki"; }
  std::string admin() const { return root + "/admin"; }
  std::string audit() const { return root + "/audit"; }
};

// Creates root (0700) if needed. Throws std::runtime_error with a clear message.
void prepare(const DataDir& d);

// The 32-byte key that seals secrets at rest: read from DIR/secret.key, created (0600) on first
// start. Throws if the file exists with another size or looser permissions than 0600.
std::string load_or_create_secret_key(const DataDir& d);

// Writes a file atomically (temp + fsync + rename) with the given mode.
void write_private_file(const std::string& path, const std::string& content, unsigned mode = 0600);

std::string default_data_dir();

}  // namespace orch::cli
