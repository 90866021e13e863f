// Customer managed policies with versions, AWS managed policies, and attaching either to users,
// groups and roles (one template for the three kinds).
#include <algorithm>

#include "aws/iam/entity_kinds.h"
#include "aws/iam/register.h"
#include "base/ids.h"

namespace orch::aws::iam {
namespace {

constexpr size_t kPoliciesPerAccount = 1500;
constexpr size_t kVersionsPerPolicy = 5;
constexpr size_t kAttachedPerEntity = 10;
constexpr size_t kManagedPolicyMax = 6144;

void check_managed_document(const std::string& doc) {
  check_policy(doc, policy::DocKind::Identity);
  if (policy::size_without_whitespace(doc) > kManagedPolicyMax)
    throw limit_exceeded("Cannot exceed quota for PolicySize: 6144");
}

struct Usage {
  size_t attachments = 0, boundaries = 0;
  std::vector<std::pair<std::string, std::string>> users, groups, roles;  // (name, id)
};

Usage usage_of(const AccountData& a, const std::string& arn) {
  Usage u;
  auto attached = [&](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), arn) != list.end();
  };
  for (const auto& [lname, id] : a.user_names) {
    const auto& e = *a.users.at(id);
    if (attached(e.attached)) u.users.emplace_back(e.name, e.id);
    if (e.boundary == arn) ++u.boundaries;
  }
  for (const auto& [lname, id] : a.group_names) {
    const auto& e = *a.groups.at(id);
    if (attached(e.attached)) u.groups.emplace_back(e.name, e.id);
  }
  for (const auto& [lname, id] : a.role_names) {
    const auto& e = *a.roles.at(id);
    if (attached(e.attached)) u.roles.emplace_back(e.name, e.id);
    if (e.boundary == arn) ++u.boundaries;
  }
  u.attachments = u.users.size() + u.groups.size() + u.roles.size();
  return u;
}

json::object render_with_usage(const AccountData& a, const identity::ManagedPolicy& p) {
  json::object o = render(p);
  Usage u = usage_of(a, p.arn());
  // Keep the members in the model's order: after DefaultVersionId come the two counts.
  json::object out;
  for (auto& [k, v] : o) {
    out[k] = v;
    if (k == "DefaultVersionId") {
      out["AttachmentCount"] = u.attachments;
      out["PermissionsBoundaryUsageCount"] = u.boundaries;
    }
  }
  return out;
}

json::value create_policy(Call& c) {
  std::string name = c.params.required("PolicyName", rules::kPolicyName);
  std::string path = c.params.optional("Path", rules::kPolicyPath).value_or("/");
  std::string doc = c.params.required("PolicyDocument", rules::kPolicyDocument);
  auto description = c.params.optional("Description", rules::kPolicyDescription);
  auto tags = to_tags(c.params.tags());
  check_managed_document(doc);
  return c.dir.write([&](identity::Txn& t) -> json::value {
    const AccountData& a = account(t.state(), c);
    identity::ManagedPolicy p;
    p.account = c.caller.account;
    p.name = name;
    p.path = path;
    for (const auto& [id, other] : a.policies)
      if (other->name == name)  // unique by name within the account, whatever the path
        throw already_exists("A policy called " + name + " already exists. Duplicate names are not allowed.");
    if (a.policies.size() >= kPoliciesPerAccount) throw limit_exceeded("Cannot exceed quota for PoliciesPerAccount: 1500");
    p.id = ids::unique_id("ANPA");
    p.description = description.value_or("");
    p.created = p.updated = c.now;
    p.default_version = "v1";
    p.next_version = 2;
    p.versions.push_back({"v1", doc, c.now, nullptr});
    p.tags = tags;
    t.put(p);
    return json::object{{"Policy", render_with_usage(a, p)}};
  });
}

json::value get_policy(Call& c) {
  std::string arn = c.params.required("PolicyArn", rules::kArn);
  return c.dir.read([&](const State& s) -> json::value {
    return json::object{{"Policy", render_with_usage(account(s, c), *managed_policy(s, c, arn))}};
  });
}

json::value list_policies(Call& c) {
  std::string scope = c.params.optional("Scope", Rule{0, 0, Pattern::None, {"All", "AWS", "Local"}}).value_or("All");
  bool only_attached = c.params.boolean("OnlyAttached").value_or(false);
  auto prefix = c.params.optional("PathPrefix", rules::kPathPrefix);
  std::vector<Item> items = c.dir.read([&](const State& s) {
    const AccountData& a = account(s, c);
    std::vector<Item> out;
    auto consider = [&](const identity::ManagedPolicy& p) {
      if (!path_has_prefix(p.path, prefix)) return;
      json::object o = render_with_usage(a, p);
      if (only_attached && o["AttachmentCount"].to_number<uint64_t>() == 0) return;
      o.erase("Description");
      o.erase("Tags");
      out.push_back({p.arn(), std::move(o)});
    };
    if (scope != "Local")
      for (const auto& [arn, p] : identity::aws_managed_policies()) consider(*p);
    if (scope != "AWS")
      for (const auto& [id, p] : a.policies) consider(*p);
    std::sort(out.begin(), out.end(), [](const Item& x, const Item& y) { return x.key < y.key; });
    return out;
  });
  json::object out;
  paginate(c, std::move(items), "Policies", out);
  return out;
}

identity::ManagedPolicy own_policy(const State& s, const Call& c, const std::string& arn) {
  auto p = managed_policy(s, c, arn);
  if (p->account == "aws") throw AwsError("UnmodifiableEntity", 400, "Cannot modify an AWS managed policy: " + arn);
  return *p;
}

json::value delete_policy(Call& c) {
  std::string arn = c.params.required("PolicyArn", rules::kArn);
  c.dir.write([&](identity::Txn& t) {
    identity::ManagedPolicy p = own_policy(t.state(), c, arn);
    Usage u = usage_of(account(t.state(), c), arn);
    if (u.attachments || u.boundaries) throw delete_conflict("Cannot delete a policy attached to entities.");
    if (p.versions.size() > 1) throw delete_conflict("Cannot delete a policy with versions other than the default version.");
    t.remove(p);
  });
  return nullptr;
}

json::value create_policy_version(Call& c) {
  std::string arn = c.params.required("PolicyArn", rules::kArn);
  std::string doc = c.params.required("PolicyDocument", rules::kPolicyDocument);
  bool set_default = c.params.boolean("SetAsDefault").value_or(false);
  check_managed_document(doc);
  return c.dir.write([&](identity::Txn& t) -> json::value {
    identity::ManagedPolicy p = own_policy(t.state(), c, arn);
    if (p.versions.size() >= kVersionsPerPolicy)
      throw limit_exceeded("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.");
    identity::PolicyVersion v{"v" + std::to_string(p.next_version++), doc, c.now, nullptr};
    p.versions.push_back(v);
    if (set_default) p.default_version = v.id;
    p.updated = c.now;
    t.put(p);
    return json::object{{"PolicyVersion", render(v, set_default, false)}};
  });
}

const identity::PolicyVersion& version_of(const identity::ManagedPolicy& p, const std::string& id) {
  for (const auto& v : p.versions)
    if (v.id == id) return v;
  throw no_such_entity("Policy " + p.arn() + " version " + id + " does not exist or is not attachable.");
}

json::value get_policy_version(Call& c) {
  std::string arn = c.params.required("PolicyArn", rules::kArn);
  std::string id = c.params.required("VersionId", rules::kVersionId);
  return c.dir.read([&](const State& s) -> json::value {
    auto p = managed_policy(s, c, arn);
    return json::object{{"PolicyVersion", render(version_of(*p, id), p->default_version == id, true)}};
  });
}

json::value list_policy_versions(Call& c) {
  std::string arn = c.params.required("PolicyArn", rules::kArn);
  std::vector<Item> items = c.dir.read([&](const State& s) {
    auto p = managed_policy(s, c, arn);
    std::vector<Item> out;
    // Newest first; zero-padded positions keep the paginator's keys in that order.
    size_t i = 0;
    for (auto it = p->versions.rbegin(); it != p->versions.rend(); ++it, ++i) {
      char key[32];
      std::snprintf(key, sizeof key, "%08zu", i);
      out.push_back({key, render(*it, p->default_version == it->id, false)});
    }
    return out;
  });
  json::object out;
  paginate(c, std::move(items), "Versions", out);
  return out;
}

json::value delete_policy_version(Call& c) {
  std::string arn = c.params.required("PolicyArn", rules::kArn);
  std::string id = c.params.required("VersionId", rules::kVersionId);
  c.dir.write([&](identity::Txn& t) {
    identity::ManagedPolicy p = own_policy(t.state(), c, arn);
    version_of(p, id);
    if (p.default_version == id) throw delete_conflict("Cannot delete the default version of a policy.");
    std::erase_if(p.versions, [&](const identity::PolicyVersion& v) { return v.id == id; });
    t.put(p);
  });
  return nullptr;
}

json::value set_default_policy_version(Call& c) {
  std::string arn = c.params.required("PolicyArn", rules::kArn);
  std::string id = c.params.required("VersionId", rules::kVersionId);
  c.dir.write([&](identity::Txn& t) {
    identity::ManagedPolicy p = own_policy(t.state(), c, arn);
    version_of(p, id);
    p.default_version = id;
    p.updated = c.now;
    t.put(p);
  });
  return nullptr;
}

template <class T>
json::value attach(Call& c) {
  using K = EntityKind<T>;
  std::string name = c.params.required(K::kParam, K::rule());
  std::string arn = c.params.required("PolicyArn", rules::kArn);
  c.dir.write([&](identity::Txn& t) {
    T e = *K::find(account(t.state(), c), name);
    if (!t.state().policy(c.caller.account, arn))
      throw no_such_entity("Policy " + arn + " does not exist or is not attachable.");
    if (std::find(e.attached.begin(), e.attached.end(), arn) != e.attached.end()) return;
    if (e.attached.size() >= kAttachedPerEntity)
      throw limit_exceeded("Cannot exceed quota for PoliciesPer" + std::string(K::kName) + ": 10");
    e.attached.push_back(arn);
    t.put(e);
  });
  return nullptr;
}

template <class T>
json::value detach(Call& c) {
  using K = EntityKind<T>;
  std::string name = c.params.required(K::kParam, K::rule());
  std::string arn = c.params.required("PolicyArn", rules::kArn);
  c.dir.write([&](identity::Txn& t) {
    T e = *K::find(account(t.state(), c), name);
    auto it = std::find(e.attached.begin(), e.attached.end(), arn);
    if (it == e.attached.end()) throw no_such_entity("Policy " + arn + " was not found.");
    e.attached.erase(it);
    t.put(e);
  });
  return nullptr;
}

template <class T>
json::value list_attached(Call& c) {
  using K = EntityKind<T>;
  std::string name = c.params.required(K::kParam, K::rule());
  auto prefix = c.params.optional("PathPrefix", rules::kPathPrefix);
  std::vector<Item> items = c.dir.read([&](const State& s) {
    std::vector<Item> out;
    for (const auto& arn : K::find(account(s, c), name)->attached) {
      auto p = s.policy(c.caller.account, arn);
      if (!p || !path_has_prefix(p->path, prefix)) continue;
      out.push_back({arn, json::object{{"PolicyName", p->name}, {"PolicyArn", arn}}});
    }
    std::sort(out.begin(), out.end(), [](const Item& x, const Item& y) { return x.key < y.key; });
    return out;
  });
  json::object out;
  paginate(c, std::move(items), "AttachedPolicies", out);
  return out;
}

json::value list_entities_for_policy(Call& c) {
  std::string arn = c.params.required("PolicyArn", rules::kArn);
  auto filter = c.params.optional("EntityFilter", Rule{0, 0, Pattern::None, {"User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"}});
  return c.dir.read([&](const State& s) -> json::value {
    managed_policy(s, c, arn);
    Usage u = usage_of(account(s, c), arn);
    auto list = [](const std::vector<std::pair<std::string, std::string>>& v, const char* name_key, const char* id_key) {
      json::array a;
      for (const auto& [n, id] : v) a.push_back(json::object{{name_key, n}, {id_key, id}});
      return a;
    };
    json::object out;
    out["PolicyGroups"] = (!filter || *filter == "Group") ? list(u.groups, "GroupName", "GroupId") : json::array{};
    out["PolicyUsers"] = (!filter || *filter == "User") ? list(u.users, "UserName", "UserId") : json::array{};
    out["PolicyRoles"] = (!filter || *filter == "Role") ? list(u.roles, "RoleName", "RoleId") : json::array{};
    out["IsTruncated"] = false;
    return out;
  });
}

template <class T>
void add_attach_kind(Registry& r) {
  std::string kind(EntityKind<T>::kName);
  auto authz = [](const Call& c, const State& s) { return with_policy_arn(EntityKind<T>::authz(c, s), c); };
  r.add({"iam", "Attach" + kind + "Policy", authz, attach<T>});
  r.add({"iam", "Detach" + kind + "Policy", authz, detach<T>});
  r.add({"iam", "ListAttached" + kind + "Policies", EntityKind<T>::authz, list_attached<T>});
}

}  // namespace

void register_managed_policies(Registry& r) {
  r.add({"iam", "CreatePolicy", on_policy, create_policy});
  r.add({"iam", "GetPolicy", on_policy, get_policy});
  r.add({"iam", "ListPolicies", nullptr, list_policies});
  r.add({"iam", "DeletePolicy", on_policy, delete_policy});
  r.add({"iam", "CreatePolicyVersion", on_policy, create_policy_version});
  r.add({"iam", "GetPolicyVersion", on_policy, get_policy_version});
  r.add({"iam", "ListPolicyVersions", on_policy, list_policy_versions});
  r.add({"iam", "DeletePolicyVersion", on_policy, delete_policy_version});
  r.add({"iam", "SetDefaultPolicyVersion", on_policy, set_default_policy_version});
  r.add({"iam", "ListEntitiesForPolicy", on_policy, list_entities_for_policy});
  add_attach_kind<identity::User>(r);
  add_attach_kind<identity::Group>(r);
  add_attach_kind<identity::Role>(r);
}

}  // namespace orch::aws::iam
