// When each access key and role was last used. Noted in memory on every request (no disk I/O on
// the request path) and written to the store in batches by flush(), which the server calls
// periodically and at shutdown.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "identity/directory.h"

namespace orch::identity {

struct LastUse {
  int64_t when = 0;
  std::string service, region;
};

class Usage {
 public:
  explicit Usage(Directory& dir) : dir_(dir) {}
  void note_key(const std::string& access_key_id, const std::string& service, const std::string& region, int64_t now);
  void note_role(const std::string& account, const std::string& role_id, const std::string& region, int64_t now);
  // The freshest known use of a key: pending in memory, else as stored.
  std::optional<LastUse> key(const std::string& access_key_id) const;
  void flush();

 private:
  Directory& dir_;
  mutable std::mutex mu_;
  std::map<std::string, LastUse> keys_;                                // pending, by key id
  std::map<std::pair<std::string, std::string>, LastUse> roles_;       // pending, by (account, role id)
};

}  // namespace orch::identity
