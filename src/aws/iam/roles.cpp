// IAM roles: trust policies, MaxSessionDuration, descriptions, tags and boundaries.
#include "aws/iam/common.h"
#include "aws/iam/register.h"
#include "base/ids.h"

namespace orch::aws::iam {
namespace {

constexpr size_t kRolesPerAccount = 1000;
constexpr size_t kTrustPolicyMax = 2048;

// Validates a trust policy as IAM does when it is written; returns its evaluated form.
std::string check_trust(const State& s, const std::string& text) {
  auto parsed = policy::parse(text, policy::DocKind::Trust);
  if (auto* e = std::get_if<policy::ParseError>(&parsed)) throw malformed_policy(e->message);
  if (policy::size_without_whitespace(text) > kTrustPolicyMax)
    throw limit_exceeded("Cannot exceed quota for ACLSizePerRole: 2048");
  return effective_trust(s, text, *std::get<std::shared_ptr<const policy::Policy>>(parsed));
}

json::value create_role(Call& c) {
  std::string name = c.params.required("RoleName", rules::kRoleName);
  std::string path = c.params.optional("Path", rules::kPath).value_or("/");
  std::string trust = c.params.required("AssumeRolePolicyDocument", rules::kPolicyDocument);
  auto description = c.params.optional("Description", rules::kRoleDescription);
  int64_t max_session = c.params.integer("MaxSessionDuration", 3600, 43200).value_or(3600);
  auto boundary = c.params.optional("PermissionsBoundary", rules::kArn);
  auto tags = to_tags(c.params.tags());
  return c.dir.write([&](identity::Txn& t) -> json::value {
    const AccountData& a = account(t.state(), c);
    if (a.role(name)) throw already_exists("Role with name " + name + " already exists.");
    if (a.roles.size() >= kRolesPerAccount) throw limit_exceeded("Cannot exceed quota for RolesPerAccount: 1000");
    std::string effective = check_trust(t.state(), trust);
    if (boundary) managed_policy(t.state(), c, *boundary);
    identity::Role r;
    r.account = c.caller.account;
    r.id = ids::unique_id("AROA");
    r.name = name;
    r.path = path;
    r.created = c.now;
    r.trust_policy = trust;
    r.trust_effective = effective;
    r.description = description.value_or("");
    r.max_session_duration = max_session;
    r.boundary = boundary.value_or("");
    r.tags = tags;
    t.put(r);
    return json::object{{"Role", render(t.state(), r, false)}};
  });
}

json::value get_role(Call& c) {
  std::string name = c.params.required("RoleName", rules::kRoleName);
  return c.dir.read([&](const State& s) -> json::value { return json::object{{"Role", render(s, *role(account(s, c), name), true)}}; });
}

json::value list_roles(Call& c) {
  auto prefix = c.params.optional("PathPrefix", rules::kPathPrefix);
  std::vector<Item> items = c.dir.read([&](const State& s) {
    std::vector<Item> out;
    const AccountData& a = account(s, c);
    for (const auto& [lname, id] : a.role_names) {
      const auto& r = *a.roles.at(id);
      if (!path_has_prefix(r.path, prefix)) continue;
      json::object o = render(s, r, false);
      o.erase("Tags");
      o.erase("PermissionsBoundary");
      out.push_back({lname, std::move(o)});
    }
    return out;
  });
  json::object out;
  paginate(c, std::move(items), "Roles", out);
  return out;
}

// UpdateRole and UpdateRoleDescription share this; only the latter returns the role.
identity::Role update(Call& c, bool allow_max_session) {
  std::string name = c.params.required("RoleName", rules::kRoleName);
  auto description = c.params.optional("Description", rules::kRoleDescription);
  auto max_session = allow_max_session ? c.params.integer("MaxSessionDuration", 3600, 43200) : std::nullopt;
  return c.dir.write([&](identity::Txn& t) {
    identity::Role r = *role(account(t.state(), c), name);
    if (description) r.description = *description;
    if (max_session) r.max_session_duration = *max_session;
    t.put(r);
    return r;
  });
}

json::value update_role(Call& c) {
  update(c, true);
  return json::object{};  // UpdateRoleResult is present but empty (botocore needs it)
}

json::value update_role_description(Call& c) {
  identity::Role r = update(c, false);
  return c.dir.read([&](const State& s) -> json::value { return json::object{{"Role", render(s, r, false)}}; });
}

json::value update_assume_role_policy(Call& c) {
  std::string name = c.params.required("RoleName", rules::kRoleName);
  std::string trust = c.params.required("PolicyDocument", rules::kPolicyDocument);
  c.dir.write([&](identity::Txn& t) {
    identity::Role r = *role(account(t.state(), c), name);
    r.trust_effective = check_trust(t.state(), trust);
    r.trust_policy = trust;
    t.put(r);
  });
  return nullptr;
}

json::value delete_role(Call& c) {
  std::string name = c.params.required("RoleName", rules::kRoleName);
  c.dir.write([&](identity::Txn& t) {
    const identity::Role& r = *role(account(t.state(), c), name);
    if (!r.inline_policies.empty()) throw delete_conflict("Cannot delete entity, must delete policies first.");
    if (!r.attached.empty()) throw delete_conflict("Cannot delete entity, must detach all policies first.");
    t.remove(r);
  });
  return nullptr;
}

json::value tag_role(Call& c) {
  std::string name = c.params.required("RoleName", rules::kRoleName);
  auto tags = to_tags(c.params.tags());
  c.dir.write([&](identity::Txn& t) {
    identity::Role r = *role(account(t.state(), c), name);
    merge_tags(r.tags, tags);
    t.put(r);
  });
  return nullptr;
}

json::value untag_role(Call& c) {
  std::string name = c.params.required("RoleName", rules::kRoleName);
  auto keys = tag_keys(c);
  c.dir.write([&](identity::Txn& t) {
    identity::Role r = *role(account(t.state(), c), name);
    remove_tags(r.tags, keys);
    t.put(r);
  });
  return nullptr;
}

json::value list_role_tags(Call& c) {
  std::string name = c.params.required("RoleName", rules::kRoleName);
  auto tags = c.dir.read([&](const State& s) { return role(account(s, c), name)->tags; });
  json::object out{{"Tags", render_tags(tags)}, {"IsTruncated", false}};
  return out;
}

json::value put_role_boundary(Call& c) {
  std::string name = c.params.required("RoleName", rules::kRoleName);
  std::string arn = c.params.required("PermissionsBoundary", rules::kArn);
  c.dir.write([&](identity::Txn& t) {
    managed_policy(t.state(), c, arn);
    identity::Role r = *role(account(t.state(), c), name);
    r.boundary = arn;
    t.put(r);
  });
  return nullptr;
}

json::value delete_role_boundary(Call& c) {
  std::string name = c.params.required("RoleName", rules::kRoleName);
  c.dir.write([&](identity::Txn& t) {
    identity::Role r = *role(account(t.state(), c), name);
    r.boundary.clear();
    t.put(r);
  });
  return nullptr;
}

Authz on_role_with_tags(const Call& c, const State& s) {
  Authz a = with_request_tags(on_role(c, s), c);
  if (auto b = c.params.optional("PermissionsBoundary", rules::kArn)) a.context.push_back({"iam:PermissionsBoundary", {*b}});
  return a;
}

}  // namespace

void register_roles(Registry& r) {
  r.add({"iam", "CreateRole", on_role_with_tags, create_role});
  r.add({"iam", "GetRole", on_role, get_role});
  r.add({"iam", "ListRoles", nullptr, list_roles});
  r.add({"iam", "UpdateRole", on_role, update_role});
  r.add({"iam", "UpdateRoleDescription", on_role, update_role_description});
  r.add({"iam", "UpdateAssumeRolePolicy", on_role, update_assume_role_policy});
  r.add({"iam", "DeleteRole", on_role, delete_role});
  r.add({"iam", "TagRole", on_role_with_tags, tag_role});
  r.add({"iam", "UntagRole", on_role, untag_role});
  r.add({"iam", "ListRoleTags", on_role, list_role_tags});
  r.add({"iam", "PutRolePermissionsBoundary", on_role_with_tags, put_role_boundary});
  r.add({"iam", "DeleteRolePermissionsBoundary", on_role, delete_role_boundary});
}

}  // namespace orch::aws::iam
