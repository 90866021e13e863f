// IAM groups and group membership.
#include <algorithm>

#include "aws/iam/common.h"
#include "aws/iam/register.h"
#include "base/ids.h"

namespace orch::aws::iam {
namespace {

constexpr size_t kGroupsPerAccount = 300;
constexpr size_t kGroupsPerUser = 10;

json::value create_group(Call& c) {
  std::string name = c.params.required("GroupName", rules::kGroupName);
  std::string path = c.params.optional("Path", rules::kPath).value_or("/");
  return c.dir.write([&](identity::Txn& t) -> json::value {
    const AccountData& a = account(t.state(), c);
    if (a.group(name)) throw already_exists("Group with name " + name + " already exists.");
    if (a.groups.size() >= kGroupsPerAccount) throw limit_exceeded("Cannot exceed quota for GroupsPerAccount: 300");
    identity::Group g;
    g.account = c.caller.account;
    g.id = ids::unique_id("AGPA");
    g.name = name;
    g.path = path;
    g.created = c.now;
    t.put(g);
    return json::object{{"Group", render(g)}};
  });
}

std::vector<identity::Ref<identity::User>> members(const AccountData& a, const std::string& group_id) {
  std::vector<identity::Ref<identity::User>> out;
  for (const auto& [lname, id] : a.user_names) {
    const auto& u = a.users.at(id);
    if (std::find(u->group_ids.begin(), u->group_ids.end(), group_id) != u->group_ids.end()) out.push_back(u);
  }
  return out;
}

json::value get_group(Call& c) {
  std::string name = c.params.required("GroupName", rules::kGroupName);
  json::object out;
  std::vector<Item> items = c.dir.read([&](const State& s) {
    const AccountData& a = account(s, c);
    auto g = group(a, name);
    out["Group"] = render(*g);
    std::vector<Item> users;
    for (const auto& u : members(a, g->id)) {
      json::object o = render(*u);
      o.erase("Tags");
      users.push_back({identity::lower(u->name), std::move(o)});
    }
    return users;
  });
  paginate(c, std::move(items), "Users", out);
  return out;
}

json::value list_groups(Call& c) {
  auto prefix = c.params.optional("PathPrefix", rules::kPathPrefix);
  std::vector<Item> items = c.dir.read([&](const State& s) {
    std::vector<Item> out;
    const AccountData& a = account(s, c);
    for (const auto& [lname, id] : a.group_names) {
      const auto& g = *a.groups.at(id);
      if (path_has_prefix(g.path, prefix)) out.push_back({lname, render(g)});
    }
    return out;
  });
  json::object out;
  paginate(c, std::move(items), "Groups", out);
  return out;
}

json::value list_groups_for_user(Call& c) {
  std::string name = c.params.required("UserName", rules::kUserName);
  std::vector<Item> items = c.dir.read([&](const State& s) {
    const AccountData& a = account(s, c);
    std::vector<Item> out;
    for (const auto& gid : user(a, name)->group_ids)
      if (auto it = a.groups.find(gid); it != a.groups.end())
        out.push_back({identity::lower(it->second->name), render(*it->second)});
    std::sort(out.begin(), out.end(), [](const Item& x, const Item& y) { return x.key < y.key; });
    return out;
  });
  json::object out;
  paginate(c, std::move(items), "Groups", out);
  return out;
}

json::value update_group(Call& c) {
  std::string name = c.params.required("GroupName", rules::kGroupName);
  auto new_name = c.params.optional("NewGroupName", rules::kGroupName);
  auto new_path = c.params.optional("NewPath", rules::kPath);
  c.dir.write([&](identity::Txn& t) {
    const AccountData& a = account(t.state(), c);
    identity::Group g = *group(a, name);
    if (new_name && identity::lower(*new_name) != identity::lower(g.name) && a.group(*new_name))
      throw already_exists("Group with name " + *new_name + " already exists.");
    if (new_name) g.name = *new_name;
    if (new_path) g.path = *new_path;
    t.put(g);
  });
  return nullptr;
}

json::value delete_group(Call& c) {
  std::string name = c.params.required("GroupName", rules::kGroupName);
  c.dir.write([&](identity::Txn& t) {
    const AccountData& a = account(t.state(), c);
    const identity::Group& g = *group(a, name);
    if (!members(a, g.id).empty()) throw delete_conflict("Cannot delete entity, must remove users from group first.");
    if (!g.inline_policies.empty()) throw delete_conflict("Cannot delete entity, must delete policies first.");
    if (!g.attached.empty()) throw delete_conflict("Cannot delete entity, must detach all policies first.");
    t.remove(g);
  });
  return nullptr;
}

json::value add_user_to_group(Call& c) {
  std::string gname = c.params.required("GroupName", rules::kGroupName);
  std::string uname = c.params.required("UserName", rules::kUserName);
  c.dir.write([&](identity::Txn& t) {
    const AccountData& a = account(t.state(), c);
    const identity::Group& g = *group(a, gname);
    identity::User u = *user(a, uname);
    if (std::find(u.group_ids.begin(), u.group_ids.end(), g.id) != u.group_ids.end()) return;  // idempotent, as IAM
    if (u.group_ids.size() >= kGroupsPerUser) throw limit_exceeded("Cannot exceed quota for GroupsPerUser: 10");
    u.group_ids.push_back(g.id);
    t.put(u);
  });
  return nullptr;
}

json::value remove_user_from_group(Call& c) {
  std::string gname = c.params.required("GroupName", rules::kGroupName);
  std::string uname = c.params.required("UserName", rules::kUserName);
  c.dir.write([&](identity::Txn& t) {
    const AccountData& a = account(t.state(), c);
    const identity::Group& g = *group(a, gname);
    identity::User u = *user(a, uname);
    auto it = std::find(u.group_ids.begin(), u.group_ids.end(), g.id);
    if (it == u.group_ids.end())
      throw no_such_entity("The user with name " + uname + " cannot be found in group " + gname + ".");
    u.group_ids.erase(it);
    t.put(u);
  });
  return nullptr;
}

// A rename or move is checked against the new ARN too, as IAM does.
Authz on_group_update(const Call& c, const State& s) {
  Authz a = on_group(c, s);
  auto new_name = c.params.optional("NewGroupName", rules::kGroupName);
  auto new_path = c.params.optional("NewPath", rules::kPath);
  if (new_name || new_path) {
    std::string name = c.params.required("GroupName", rules::kGroupName);
    auto g = account(s, c).group(name);
    a.also.push_back({"iam:UpdateGroup", arn_prefix(c) + "group" + new_path.value_or(g ? g->path : "/") + new_name.value_or(name)});
  }
  return a;
}

}  // namespace

void register_groups(Registry& r) {
  r.add({"iam", "CreateGroup", on_group, create_group});
  r.add({"iam", "GetGroup", on_group, get_group});
  r.add({"iam", "ListGroups", nullptr, list_groups});
  r.add({"iam", "ListGroupsForUser", on_user, list_groups_for_user});
  r.add({"iam", "UpdateGroup", on_group_update, update_group});
  r.add({"iam", "DeleteGroup", on_group, delete_group});
  // Membership changes are checked against the group, as IAM does.
  r.add({"iam", "AddUserToGroup", on_group, add_user_to_group});
  r.add({"iam", "RemoveUserFromGroup", on_group, remove_user_from_group});
}

}  // namespace orch::aws::iam
