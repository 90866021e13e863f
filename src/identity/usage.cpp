#include "identity/usage.h"

#include <spdlog/spdlog.h>

namespace orch::identity {

void Usage::note_key(const std::string& id, const std::string& service, const std::string& region, int64_t now) {
  std::lock_guard lock(mu_);
  keys_[id] = LastUse{now, service, region};
}

void Usage::note_role(const std::string& account, const std::string& role_id, const std::string& region, int64_t now) {
  std::lock_guard lock(mu_);
  roles_[{account, role_id}] = LastUse{now, "sts", region};
}

std::optional<LastUse> Usage::key(const std::string& id) const {
  {
    std::lock_guard lock(mu_);
    if (auto it = keys_.find(id); it != keys_.end()) return it->second;
  }
  return dir_.read([&](const State& s) -> std::optional<LastUse> {
    auto it = s.keys.find(id);
    if (it == s.keys.end() || !it->second->last_used) return std::nullopt;
    return LastUse{*it->second->last_used, it->second->last_used_service, it->second->last_used_region};
  });
}

void Usage::flush() {
  std::map<std::string, LastUse> keys;
  std::map<std::pair<std::string, std::string>, LastUse> roles;
  {
    std::lock_guard lock(mu_);
    keys.swap(keys_);
    roles.swap(roles_);
  }
  if (keys.empty() && roles.empty()) return;
  try {
    dir_.write([&](Txn& t) {
      for (const auto& [id, use] : keys) {
        auto it = t.state().keys.find(id);
        if (it == t.state().keys.end()) continue;  // deleted meanwhile
        AccessKey k = *it->second;
        k.last_used = use.when;
        k.last_used_service = use.service;
        k.last_used_region = use.region;
        t.put(k);
      }
      for (const auto& [key, use] : roles) {
        const AccountData* a = t.state().account(key.first);
        if (!a) continue;
        auto it = a->roles.find(key.second);
        if (it == a->roles.end()) continue;
        Role r = *it->second;
        r.last_used = use.when;
        r.last_used_region = use.region;
        t.put(r);
      }
    });
  } catch (const std::exception& e) {
    spdlog::warn("could not record last use of access keys: {}", e.what());
    std::lock_guard lock(mu_);
    for (auto& [id, use] : keys) keys_.emplace(id, use);  // keep for the next flush (newer wins)
    for (auto& [k, use] : roles) roles_.emplace(k, use);
  }
}

}  // namespace orch::identity
