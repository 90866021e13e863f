// IAM users: create, read, list, rename/move, delete, tags and permissions boundaries.
#include "aws/iam/common.h"
#include "aws/iam/register.h"
#include "base/ids.h"

namespace orch::aws::iam {
namespace {

constexpr size_t kUsersPerAccount = 5000;

json::value create_user(Call& c) {
  std::string name = c.params.required("UserName", rules::kUserName);
  std::string path = c.params.optional("Path", rules::kPath).value_or("/");
  auto tags = to_tags(c.params.tags());
  auto boundary = c.params.optional("PermissionsBoundary", rules::kArn);
  return c.dir.write([&](identity::Txn& t) -> json::value {
    const AccountData& a = account(t.state(), c);
    if (a.user(name)) throw already_exists("User with name " + name + " already exists.");
    if (a.users.size() >= kUsersPerAccount) throw limit_exceeded("Cannot exceed quota for UsersPerAccount: 5000");
    if (boundary) managed_policy(t.state(), c, *boundary);
    identity::User u;
    u.account = c.caller.account;
    u.id = ids::unique_id("AIDA");
    u.name = name;
    u.path = path;
    u.created = c.now;
    u.tags = tags;
    u.boundary = boundary.value_or("");
    t.put(u);
    return json::object{{"User", render(u)}};
  });
}

json::value get_user(Call& c) {
  std::string name = target_user_name(c);
  return c.dir.read([&](const State& s) -> json::value { return json::object{{"User", render(*user(account(s, c), name))}}; });
}

json::value list_users(Call& c) {
  auto prefix = c.params.optional("PathPrefix", rules::kPathPrefix);
  return c.dir.read([&](const State& s) {
    std::vector<std::string> keys;
    std::vector<const identity::User*> users;
    for (const auto& [lname, id] : account(s, c).user_names) {
      const auto& u = *account(s, c).users.at(id);
      if (!path_has_prefix(u.path, prefix)) continue;
      keys.push_back(lname);
      users.push_back(&u);
    }
    json::object out;
    paginate(c, keys, [&](size_t i) -> json::value {
      json::object o = render(*users[i]);
      o.erase("Tags");  // ListUsers leaves tags out, as IAM does
      return o;
    }, "Users", out);
    return out;
  });
}

json::value update_user(Call& c) {
  std::string name = c.params.required("UserName", rules::kUserName);
  auto new_name = c.params.optional("NewUserName", rules::kUserName);
  auto new_path = c.params.optional("NewPath", rules::kPath);
  c.dir.write([&](identity::Txn& t) {
    const AccountData& a = account(t.state(), c);
    identity::User u = *user(a, name);
    if (new_name && identity::lower(*new_name) != identity::lower(u.name) && a.user(*new_name))
      throw already_exists("User with name " + *new_name + " already exists.");
    if (new_name) u.name = *new_name;
    if (new_path) u.path = *new_path;
    t.put(u);
  });
  return nullptr;
}

json::value delete_user(Call& c) {
  std::string name = c.params.required("UserName", rules::kUserName);
  c.dir.write([&](identity::Txn& t) {
    const identity::User& u = *user(account(t.state(), c), name);
    // IAM refuses to delete a user that still has attached things, naming the first one.
    if (u.login) throw delete_conflict("Cannot delete entity, must delete login profile first.");
    if (!t.state().keys_of(u.id).empty()) throw delete_conflict("Cannot delete entity, must delete access keys first.");
    if (!u.inline_policies.empty()) throw delete_conflict("Cannot delete entity, must delete policies first.");
    if (!u.attached.empty()) throw delete_conflict("Cannot delete entity, must detach all policies first.");
    if (!u.group_ids.empty()) throw delete_conflict("Cannot delete entity, must remove users from group first.");
    t.remove(u);
  });
  return nullptr;
}

json::value tag_user(Call& c) {
  std::string name = c.params.required("UserName", rules::kUserName);
  auto tags = to_tags(c.params.tags());
  c.dir.write([&](identity::Txn& t) {
    identity::User u = *user(account(t.state(), c), name);
    merge_tags(u.tags, tags);
    t.put(u);
  });
  return nullptr;
}

json::value untag_user(Call& c) {
  std::string name = c.params.required("UserName", rules::kUserName);
  auto keys = tag_keys(c);
  c.dir.write([&](identity::Txn& t) {
    identity::User u = *user(account(t.state(), c), name);
    remove_tags(u.tags, keys);
    t.put(u);
  });
  return nullptr;
}

json::value list_user_tags(Call& c) {
  std::string name = c.params.required("UserName", rules::kUserName);
  auto tags = c.dir.read([&](const State& s) { return user(account(s, c), name)->tags; });
  // At most 50 tags: one page always holds them all.
  return json::object{{"Tags", render_tags(tags)}, {"IsTruncated", false}};
}

json::value put_user_boundary(Call& c) {
  std::string name = c.params.required("UserName", rules::kUserName);
  std::string arn = c.params.required("PermissionsBoundary", rules::kArn);
  c.dir.write([&](identity::Txn& t) {
    managed_policy(t.state(), c, arn);
    identity::User u = *user(account(t.state(), c), name);
    u.boundary = arn;
    t.put(u);
  });
  return nullptr;
}

json::value delete_user_boundary(Call& c) {
  std::string name = c.params.required("UserName", rules::kUserName);
  c.dir.write([&](identity::Txn& t) {
    identity::User u = *user(account(t.state(), c), name);
    u.boundary.clear();
    t.put(u);
  });
  return nullptr;
}

Authz on_user_with_tags(const Call& c, const State& s) { return with_request_tags(on_user(c, s), c); }
// A rename or move is checked against the new ARN too, as IAM does.
Authz on_user_update(const Call& c, const State& s) {
  Authz a = on_user(c, s);
  auto new_name = c.params.optional("NewUserName", rules::kUserName);
  auto new_path = c.params.optional("NewPath", rules::kPath);
  if (new_name || new_path) {
    std::string name = c.params.required("UserName", rules::kUserName);
    auto u = account(s, c).user(name);
    a.also.push_back({"iam:UpdateUser", arn_prefix(c) + "user" + new_path.value_or(u ? u->path : "/") + new_name.value_or(name)});
  }
  return a;
}
Authz on_user_with_boundary(const Call& c, const State& s) {
  Authz a = with_request_tags(on_user(c, s), c);
  if (auto b = c.params.optional("PermissionsBoundary", rules::kArn)) a.context.push_back({"iam:PermissionsBoundary", {*b}});
  return a;
}
}  // namespace

void register_users(Registry& r) {
  r.add({"iam", "CreateUser", on_user_with_boundary, create_user});
  r.add({"iam", "GetUser", on_user, get_user});
  r.add({"iam", "ListUsers", nullptr, list_users});
  r.add({"iam", "UpdateUser", on_user_update, update_user});
  r.add({"iam", "DeleteUser", on_user, delete_user});
  r.add({"iam", "TagUser", on_user_with_tags, tag_user});
  r.add({"iam", "UntagUser", on_user, untag_user});
  r.add({"iam", "ListUserTags", on_user, list_user_tags});
  r.add({"iam", "PutUserPermissionsBoundary", on_user_with_boundary, put_user_boundary});
  r.add({"iam", "DeleteUserPermissionsBoundary", on_user, delete_user_boundary});
}

}  // namespace orch::aws::iam
