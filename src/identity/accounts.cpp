#include "identity/accounts.h"

#include "base/ids.h"

namespace orch::identity {

std::string new_account_id(const State& s, const std::string& taken) {
  std::string id;
  do id = ids::random_digits(12);
  while (s.accounts.count(id) || id == taken);
  return id;
}

Account create_member_account(Txn& t, const std::string& management_account, const std::string& name,
                              const std::string& email, int64_t now, const std::string& request_id) {
  Account a;
  a.id = new_account_id(t.state(), management_account);
  a.name = name;
  a.email = email;
  a.created = now;
  a.create_request_id = request_id;
  t.put(a);
  Role r;
  r.account = a.id;
  r.id = ids::unique_id("AROA");
  r.name = "OrganizationAccountAccessRole";
  r.created = now;
  r.trust_policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)" +
                   management_account + R"(:root"},"Action":"sts:AssumeRole"}]})";
  r.attached.push_back("arn:aws:iam::aws:policy/AdministratorAccess");
  t.put(r);
  return a;
}

std::pair<User, AccessKey> create_admin_user(Txn& t, const std::string& account, const std::string& name, int64_t now) {
  User u;
  u.account = account;
  u.id = ids::unique_id("AIDA");
  u.name = name;
  u.created = now;
  u.attached.push_back("arn:aws:iam::aws:policy/AdministratorAccess");
  t.put(u);
  AccessKey k;
  k.id = ids::access_key_id("AKIA");
  k.account = account;
  k.user_id = u.id;
  k.secret = ids::secret_access_key();
  k.created = now;
  t.put(k);
  return {u, k};
}

}  // namespace orch::identity
