// Access keys: at most two per user, Active or Inactive; the secret is returned once.
#include "aws/iam/common.h"
#include "aws/iam/register.h"
#include "base/ids.h"

namespace orch::aws::iam {
namespace {

constexpr size_t kKeysPerUser = 2;

json::value create_access_key(Call& c) {
  std::string name = target_user_name(c);
  return c.dir.write([&](identity::Txn& t) -> json::value {
    const identity::User& u = *user(account(t.state(), c), name);
    if (t.state().keys_of(u.id).size() >= kKeysPerUser)
      throw limit_exceeded("Cannot exceed quota for AccessKeysPerUser: 2");
    identity::AccessKey k;
    do k.id = ids::access_key_id("AKIA");
    while (t.state().keys.count(k.id));
    k.account = u.account;
    k.user_id = u.id;
    k.secret = ids::secret_access_key();
    k.created = c.now;
    t.put(k);
    return json::object{{"AccessKey", json::object{{"UserName", u.name},
                                                   {"AccessKeyId", k.id},
                                                   {"Status", k.status},
                                                   {"SecretAccessKey", k.secret},
                                                   {"CreateDate", timestamp(k.created)}}}};
  });
}

// The user's key with this id, or NoSuchEntity as IAM words it.
identity::Ref<identity::AccessKey> key_of(const State& s, const identity::User& u, const std::string& id) {
  auto it = s.keys.find(id);
  if (it == s.keys.end() || it->second->user_id != u.id)
    throw no_such_entity("The Access Key with id " + id + " cannot be found.");
  return it->second;
}

json::value list_access_keys(Call& c) {
  std::string name = target_user_name(c);
  std::vector<Item> items = c.dir.read([&](const State& s) {
    const identity::User& u = *user(account(s, c), name);
    std::vector<Item> out;
    for (const auto& k : s.keys_of(u.id))
      out.push_back({k->id, json::object{{"UserName", u.name}, {"AccessKeyId", k->id}, {"Status", k->status},
                                         {"CreateDate", timestamp(k->created)}}});
    std::sort(out.begin(), out.end(), [](const Item& a, const Item& b) { return a.key < b.key; });
    return out;
  });
  json::object out;
  paginate(c, std::move(items), "AccessKeyMetadata", out);
  return out;
}

json::value update_access_key(Call& c) {
  std::string name = target_user_name(c);
  std::string id = c.params.required("AccessKeyId", rules::kAccessKeyId);
  std::string status = c.params.required("Status", rules::kStatus);
  c.dir.write([&](identity::Txn& t) {
    identity::AccessKey k = *key_of(t.state(), *user(account(t.state(), c), name), id);
    k.status = status;
    t.put(k);
  });
  return nullptr;
}

json::value delete_access_key(Call& c) {
  std::string name = target_user_name(c);
  std::string id = c.params.required("AccessKeyId", rules::kAccessKeyId);
  c.dir.write([&](identity::Txn& t) { t.remove(*key_of(t.state(), *user(account(t.state(), c), name), id)); });
  return nullptr;
}

json::value get_access_key_last_used(Call& c) {
  std::string id = c.params.required("AccessKeyId", rules::kAccessKeyId);
  std::string user_name = c.dir.read([&](const State& s) {
    auto it = s.keys.find(id);
    const AccountData& a = account(s, c);
    if (it == s.keys.end() || it->second->account != c.caller.account)
      throw no_such_entity("The Access Key with id " + id + " cannot be found.");
    auto u = a.users.find(it->second->user_id);
    return u == a.users.end() ? std::string() : u->second->name;
  });
  json::object last{{"ServiceName", "N/A"}, {"Region", "N/A"}};
  if (auto use = c.usage.key(id)) {
    last = json::object{{"LastUsedDate", timestamp(use->when)}, {"ServiceName", use->service}, {"Region", use->region}};
  }
  return json::object{{"UserName", user_name}, {"AccessKeyLastUsed", std::move(last)}};
}

// GetAccessKeyLastUsed takes only the key id; it is checked against the key's user.
Authz on_key_owner(const Call& c, const State& s) {
  std::string id = c.params.required("AccessKeyId", rules::kAccessKeyId);
  auto it = s.keys.find(id);
  if (it != s.keys.end() && it->second->account == c.caller.account) {
    const AccountData& a = account(s, c);
    if (auto u = a.users.find(it->second->user_id); u != a.users.end()) return Authz{u->second->arn()};
  }
  return Authz{arn_prefix(c) + "user/*"};
}

}  // namespace

void register_access_keys(Registry& r) {
  r.add({"iam", "CreateAccessKey", on_user, create_access_key});
  r.add({"iam", "ListAccessKeys", on_user, list_access_keys});
  r.add({"iam", "UpdateAccessKey", on_user, update_access_key});
  r.add({"iam", "DeleteAccessKey", on_user, delete_access_key});
  r.add({"iam", "GetAccessKeyLastUsed", on_key_owner, get_access_key_last_used});
}

}  // namespace orch::aws::iam
