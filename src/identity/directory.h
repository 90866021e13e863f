// The directory of every account's IAM entities: a write-through, in-memory mirror of the
// store's /aws/ keys. Reads never touch the disk; writes are serialized, committed to the store
// atomically, and only then applied to memory — so a failed commit changes nothing and a reader
// never sees a half-applied write. Loading at start and applying a commit are one code path.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/crypto.h"
#include "identity/model.h"
#include "store/store.h"

namespace orch::identity {

template <class T>
using Ref = std::shared_ptr<const T>;

// One account's entities, indexed by id and by lowercase name (IAM names are unique without
// regard to case, but keep the case they were given).
struct AccountData {
  Account account;
  std::map<std::string, Ref<User>> users;  // by id
  std::map<std::string, Ref<Group>> groups;
  std::map<std::string, Ref<Role>> roles;
  std::map<std::string, Ref<ManagedPolicy>> policies;  // by id (customer managed)
  std::map<std::string, Ref<Cluster>> clusters;        // by name (EKS names are case-sensitive)
  std::map<std::string, std::string> user_names, group_names, role_names;  // lowercase name -> id
  std::map<std::string, std::string> policy_arns;                          // arn -> id

  Ref<User> user(std::string_view name) const;
  Ref<Group> group(std::string_view name) const;
  Ref<Role> role(std::string_view name) const;
};

struct State {
  std::optional<Organization> org;
  std::map<std::string, AccountData> accounts;
  std::unordered_map<std::string, Ref<AccessKey>> keys;  // by access key id, every account

  const AccountData* account(std::string_view id) const;
  // Customer managed (in `account`) or AWS managed policy by ARN; nullptr if none.
  Ref<ManagedPolicy> policy(std::string_view account, std::string_view arn) const;
  std::vector<Ref<AccessKey>> keys_of(const std::string& user_id) const;
};

// The ops one mutation accumulates; nothing is written until the mutation returns.
class Txn {
 public:
  explicit Txn(const State& s) : state_(s) {}
  const State& state() const { return state_; }
  void put(const Account& a);
  void put(const Organization& o);
  void put(const User& u);
  void put(const Group& g);
  void put(const Role& r);
  void put(const ManagedPolicy& p);
  void put(const AccessKey& k);  // seals k.secret if sealed_secret is empty (set by Directory)
  void put(const Cluster& c);
  void remove(const User& u);
  void remove(const Group& g);
  void remove(const Role& r);
  void remove(const ManagedPolicy& p);
  void remove(const AccessKey& k);
  void remove(const Cluster& c);
  bool empty() const { return ops_.empty(); }

 private:
  friend class Directory;
  const State& state_;
  std::vector<store::Op> ops_;
  const crypto::SecretBox* box_ = nullptr;
};

class Directory {
 public:
  // Loads every /aws/ key. `box` seals secrets at rest.
  Directory(store::Store& store, crypto::SecretBox box);

  // Runs f under a shared lock.
  template <class F>
  auto read(F&& f) const {
    std::shared_lock lock(mu_);
    return f(state_);
  }

  // Runs f with a Txn (writers are serialized), commits its ops atomically, then applies them.
  // Exceptions from f propagate and nothing is written. Returns f's result.
  template <class F>
  auto write(F&& f) {
    std::lock_guard writer(writer_mu_);
    Txn txn(state_);
    txn.box_ = &box_;
    if constexpr (std::is_void_v<decltype(f(txn))>) {
      f(txn);
      commit(txn);
    } else {
      auto result = f(txn);
      commit(txn);
      return result;
    }
  }

  const crypto::SecretBox& box() const { return box_; }

 private:
  void commit(Txn& txn);
  void apply(const std::string& key, const std::string* value);  // nullptr = deleted

  store::Store& store_;
  crypto::SecretBox box_;
  mutable std::shared_mutex mu_;
  std::mutex writer_mu_;
  State state_;
};

// AWS managed policies that admins expect (AdministratorAccess, ReadOnlyAccess, ...).
const std::map<std::string, Ref<ManagedPolicy>>& aws_managed_policies();  // by ARN

std::string lower(std::string_view s);

}  // namespace orch::identity
