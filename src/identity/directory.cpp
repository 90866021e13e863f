#include "identity/directory.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "identity/record.h"

namespace orch::identity {
namespace json = boost::json;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

namespace {
template <class T>
Ref<T> by_name(const std::map<std::string, Ref<T>>& by_id, const std::map<std::string, std::string>& names,
               std::string_view name) {
  auto n = names.find(lower(name));
  if (n == names.end()) return nullptr;
  auto it = by_id.find(n->second);
  return it == by_id.end() ? nullptr : it->second;
}

// Key layout: entities are keyed by their immutable id, so renames rewrite one value in place.
std::string iam_key(const std::string& account, std::string_view kind, const std::string& id) {
  return "/aws/iam/" + account + "/" + std::string(kind) + "/" + id;
}
constexpr std::string_view kOrgKey = "/aws/org";
constexpr std::string_view kAccountsPrefix = "/aws/accounts/";

std::shared_ptr<const policy::Policy> compile(const std::string& doc, policy::DocKind kind) {
  auto parsed = policy::parse(doc, kind);
  if (auto* p = std::get_if<std::shared_ptr<const policy::Policy>>(&parsed)) return *p;
  // Stored documents were validated when written; a failure here means a newer server wrote a
  // form this one cannot read. The entity keeps working with no grants from that document.
  spdlog::warn("stored policy document no longer parses: {}", std::get<policy::ParseError>(parsed).message);
  return nullptr;
}

void compile_inline(std::vector<InlinePolicy>& policies) {
  for (auto& p : policies) p.parsed = compile(p.document, policy::DocKind::Identity);
}
}  // namespace

Ref<User> AccountData::user(std::string_view name) const { return by_name(users, user_names, name); }
Ref<Group> AccountData::group(std::string_view name) const { return by_name(groups, group_names, name); }
Ref<Role> AccountData::role(std::string_view name) const { return by_name(roles, role_names, name); }

const AccountData* State::account(std::string_view id) const {
  auto it = accounts.find(std::string(id));
  return it == accounts.end() ? nullptr : &it->second;
}

Ref<ManagedPolicy> State::policy(std::string_view account_id, std::string_view arn) const {
  const auto& aws = aws_managed_policies();
  if (auto it = aws.find(std::string(arn)); it != aws.end()) return it->second;
  const AccountData* a = account(account_id);
  if (!a) return nullptr;
  auto id = a->policy_arns.find(std::string(arn));
  if (id == a->policy_arns.end()) return nullptr;
  return a->policies.at(id->second);
}

std::vector<Ref<AccessKey>> State::keys_of(const std::string& user_id) const {
  std::vector<Ref<AccessKey>> out;
  for (const auto& [id, k] : keys)
    if (k->user_id == user_id) out.push_back(k);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->created < b->created; });
  return out;
}

void Txn::put(const Account& a) { ops_.push_back(store::Op::put(std::string(kAccountsPrefix) + a.id, encode_record(a))); }
void Txn::put(const Organization& o) { ops_.push_back(store::Op::put(std::string(kOrgKey), encode_record(o))); }
void Txn::put(const User& u) { ops_.push_back(store::Op::put(iam_key(u.account, "user", u.id), encode_record(u))); }
void Txn::put(const Group& g) { ops_.push_back(store::Op::put(iam_key(g.account, "group", g.id), encode_record(g))); }
void Txn::put(const Role& r) { ops_.push_back(store::Op::put(iam_key(r.account, "role", r.id), encode_record(r))); }
void Txn::put(const ManagedPolicy& p) {
  ops_.push_back(store::Op::put(iam_key(p.account, "policy", p.id), encode_record(p)));
}
void Txn::put(const AccessKey& k) {
  AccessKey stored = k;
  if (stored.sealed_secret.empty()) stored.sealed_secret = crypto::base64_encode(box_->seal(k.secret, k.id));
  ops_.push_back(store::Op::put(iam_key(k.account, "accesskey", k.id), encode_record(stored)));
}
// EKS clusters sit beside IAM entities, keyed by their name (unique per account and region here).
void Txn::put(const Cluster& c) { ops_.push_back(store::Op::put("/aws/eks/" + c.account + "/cluster/" + c.name, encode_record(c))); }
void Txn::remove(const Cluster& c) { ops_.push_back(store::Op::del("/aws/eks/" + c.account + "/cluster/" + c.name)); }
void Txn::remove(const User& u) { ops_.push_back(store::Op::del(iam_key(u.account, "user", u.id))); }
void Txn::remove(const Group& g) { ops_.push_back(store::Op::del(iam_key(g.account, "group", g.id))); }
void Txn::remove(const Role& r) { ops_.push_back(store::Op::del(iam_key(r.account, "role", r.id))); }
void Txn::remove(const ManagedPolicy& p) { ops_.push_back(store::Op::del(iam_key(p.account, "policy", p.id))); }
void Txn::remove(const AccessKey& k) { ops_.push_back(store::Op::del(iam_key(k.account, "accesskey", k.id))); }

Directory::Directory(store::Store& store, crypto::SecretBox box) : store_(store), box_(std::move(box)) {
  auto all = store_.list("/aws/");
  std::unique_lock lock(mu_);
  // Accounts first, so entities find their account when applied.
  for (const auto& kv : all.items)
    if (kv.key.starts_with(kAccountsPrefix) || kv.key == kOrgKey) apply(kv.key, &kv.value);
  for (const auto& kv : all.items)
    if (!kv.key.starts_with(kAccountsPrefix) && kv.key != kOrgKey) apply(kv.key, &kv.value);
}

void Directory::commit(Txn& txn) {
  if (txn.ops_.empty()) return;
  auto result = store_.commit(txn.ops_);
  if (!result.ok) throw store::StoreError("concurrent modification of " + result.failed_key);
  std::unique_lock lock(mu_);
  for (const auto& op : txn.ops_) apply(op.key, op.kind == store::Op::Kind::Put ? &op.value : nullptr);
}

namespace {
template <class T>
void upsert(std::map<std::string, Ref<T>>& by_id, std::map<std::string, std::string>& names, T entity) {
  if (auto old = by_id.find(entity.id); old != by_id.end()) names.erase(lower(old->second->name));
  names[lower(entity.name)] = entity.id;
  std::string id = entity.id;
  by_id[id] = std::make_shared<const T>(std::move(entity));
}
template <class T>
void erase(std::map<std::string, Ref<T>>& by_id, std::map<std::string, std::string>& names, const std::string& id) {
  if (auto old = by_id.find(id); old != by_id.end()) {
    names.erase(lower(old->second->name));
    by_id.erase(old);
  }
}
}  // namespace

void Directory::apply(const std::string& key, const std::string* value) {
  try {
    if (key == kOrgKey) {
      if (value) state_.org = decode_record<Organization>(*value);
      else state_.org.reset();
      return;
    }
    if (key.starts_with(kAccountsPrefix)) {
      std::string id = key.substr(kAccountsPrefix.size());
      if (value) state_.accounts[id].account = decode_record<Account>(*value);
      else state_.accounts.erase(id);
      return;
    }
    // /aws/iam/<account>/<kind>/<id> and /aws/eks/<account>/cluster/<name>
    bool eks = key.starts_with("/aws/eks/");
    std::string_view rest = std::string_view(key).substr(std::string_view("/aws/iam/").size());
    size_t a = rest.find('/'), b = rest.find('/', a + 1);
    if (!(eks || key.starts_with("/aws/iam/")) || a == std::string_view::npos || b == std::string_view::npos) {
      spdlog::warn("ignoring unknown key {}", key);
      return;
    }
    std::string account(rest.substr(0, a)), kind(rest.substr(a + 1, b - a - 1)), id(rest.substr(b + 1));
    AccountData& acct = state_.accounts[account];
    if (eks && kind == "cluster") {
      if (!value) acct.clusters.erase(id);
      else acct.clusters[id] = std::make_shared<const Cluster>(decode_record<Cluster>(*value));
    } else if (eks) {
      spdlog::warn("ignoring unknown key {}", key);
    } else if (kind == "user") {
      if (!value) return erase(acct.users, acct.user_names, id);
      auto u = decode_record<User>(*value);
      compile_inline(u.inline_policies);
      upsert(acct.users, acct.user_names, std::move(u));
    } else if (kind == "group") {
      if (!value) return erase(acct.groups, acct.group_names, id);
      auto g = decode_record<Group>(*value);
      compile_inline(g.inline_policies);
      upsert(acct.groups, acct.group_names, std::move(g));
    } else if (kind == "role") {
      if (!value) return erase(acct.roles, acct.role_names, id);
      auto r = decode_record<Role>(*value);
      compile_inline(r.inline_policies);
      r.trust_parsed = compile(r.trust_effective.empty() ? r.trust_policy : r.trust_effective, policy::DocKind::Trust);
      upsert(acct.roles, acct.role_names, std::move(r));
    } else if (kind == "policy") {
      if (auto old = acct.policies.find(id); old != acct.policies.end()) {
        acct.policy_arns.erase(old->second->arn());
        acct.policies.erase(old);
      }
      if (!value) return;
      auto p = decode_record<ManagedPolicy>(*value);
      for (auto& v : p.versions) v.parsed = compile(v.document, policy::DocKind::Identity);
      acct.policy_arns[p.arn()] = id;
      acct.policies[id] = std::make_shared<const ManagedPolicy>(std::move(p));
    } else if (kind == "accesskey") {
      if (!value) {
        state_.keys.erase(id);
        return;
      }
      auto k = decode_record<AccessKey>(*value);
      std::string sealed;
      if (!crypto::base64_decode(k.sealed_secret, sealed) || !box_.open(sealed, k.secret, k.id)) {
        spdlog::error("access key {} cannot be decrypted with this data directory's key; it is disabled", k.id);
        k.status = "Inactive";
      }
      state_.keys[id] = std::make_shared<const AccessKey>(std::move(k));
    } else {
      spdlog::warn("ignoring unknown key {}", key);
    }
  } catch (const std::exception& e) {
    spdlog::error("cannot decode stored value of {}: {}", key, e.what());
  }
}

}  // namespace orch::identity
