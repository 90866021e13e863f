// Console passwords (login profiles), stored as scrypt hashes; never returned.
#include "aws/iam/common.h"
#include "aws/iam/register.h"
#include "base/crypto.h"

namespace orch::aws::iam {
namespace {

json::object render_profile(const identity::User& u) {
  return {{"UserName", u.name}, {"CreateDate", timestamp(u.login->created)}, {"PasswordResetRequired", u.login->reset_required}};
}

json::value create_login_profile(Call& c) {
  std::string name = target_user_name(c);
  std::string password = c.params.required("Password", rules::kPassword);
  bool reset = c.params.boolean("PasswordResetRequired").value_or(false);
  std::string hash = crypto::password_hash(password);  // slow on purpose: outside the writer lock
  return c.dir.write([&](identity::Txn& t) -> json::value {
    identity::User u = *user(account(t.state(), c), name);
    if (u.login) throw already_exists("Login Profile for user " + u.name + " already exists.");
    u.login = identity::LoginProfile{hash, c.now, reset};
    t.put(u);
    return json::object{{"LoginProfile", render_profile(u)}};
  });
}

json::value get_login_profile(Call& c) {
  std::string name = target_user_name(c);
  return c.dir.read([&](const State& s) -> json::value {
    auto u = user(account(s, c), name);
    if (!u->login) throw no_such_entity("Login Profile for User " + u->name + " cannot be found.");
    return json::object{{"LoginProfile", render_profile(*u)}};
  });
}

json::value update_login_profile(Call& c) {
  std::string name = c.params.required("UserName", rules::kUserName);
  auto password = c.params.optional("Password", rules::kPassword);
  auto reset = c.params.boolean("PasswordResetRequired");
  std::string hash = password ? crypto::password_hash(*password) : std::string();
  c.dir.write([&](identity::Txn& t) {
    identity::User u = *user(account(t.state(), c), name);
    if (!u.login) throw no_such_entity("Login Profile for User " + u.name + " cannot be found.");
    if (password) u.login->password_hash = hash;
    if (reset) u.login->reset_required = *reset;
    t.put(u);
  });
  return nullptr;
}

json::value delete_login_profile(Call& c) {
  std::string name = c.params.required("UserName", rules::kUserName);
  c.dir.write([&](identity::Txn& t) {
    identity::User u = *user(account(t.state(), c), name);
    if (!u.login) throw no_such_entity("Login Profile for User " + u.name + " cannot be found.");
    u.login.reset();
    t.put(u);
  });
  return nullptr;
}

// Self-service: the calling IAM user changes its own password.
json::value change_password(Call& c) {
  std::string old_password = c.params.required("OldPassword", rules::kPassword);
  std::string new_password = c.params.required("NewPassword", rules::kPassword);
  if (c.caller.kind != identity::Caller::Kind::User)
    throw AwsError("InvalidUserType", 400, "Only IAM users can change their own password.");
  std::string hash = crypto::password_hash(new_password);
  c.dir.write([&](identity::Txn& t) {
    identity::User u = *user(account(t.state(), c), c.caller.user_name);
    if (!u.login) throw no_such_entity("Login Profile for User " + u.name + " cannot be found.");
    if (!crypto::password_verify(old_password, u.login->password_hash))
      throw AwsError("InvalidUserType", 400, "The old password is not correct.");
    u.login->password_hash = hash;
    u.login->reset_required = false;
    t.put(u);
  });
  return nullptr;
}

Authz on_caller(const Call& c, const State&) { return Authz{c.caller.arn}; }

}  // namespace

void register_login_profiles(Registry& r) {
  r.add({"iam", "CreateLoginProfile", on_user, create_login_profile});
  r.add({"iam", "GetLoginProfile", on_user, get_login_profile});
  r.add({"iam", "UpdateLoginProfile", on_user, update_login_profile});
  r.add({"iam", "DeleteLoginProfile", on_user, delete_login_profile});
  r.add({"iam", "ChangePassword", on_caller, change_password});
}

}  // namespace orch::aws::iam
