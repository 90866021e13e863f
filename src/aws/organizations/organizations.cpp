// AWS Organizations (JSON protocol): the management account creates member accounts
// (workspaces) and lists them; every account may describe the organization.
#include <algorithm>

#include "aws/api.h"
#include "base/ids.h"
#include "identity/accounts.h"

namespace orch::aws {
namespace {
namespace json = boost::json;
using identity::State;

AwsError org_denied() {
  return AwsError("AccessDeniedException", 400, "You don't have permissions to access this resource.");
}

const identity::Organization& org_of(const State& s) {
  if (!s.org) throw AwsError("AWSOrganizationsNotInUseException", 400, "Your account is not a member of an organization.");
  return *s.org;
}

void require_management(const Call& c, const State& s) {
  if (org_of(s).management_account != c.caller.account) throw org_denied();
}

json::object render_account(const identity::Organization& o, const identity::Account& a) {
  return {{"Id", a.id},
          {"Arn", "arn:aws:organizations::" + o.management_account + ":account/" + o.id + "/" + a.id},
          {"Email", a.email},
          {"Name", a.name},
          {"Status", a.status},
          {"State", a.status},
          {"JoinedMethod", a.joined_method},
          {"JoinedTimestamp", a.created}};
}

std::string body_string(const Call& c, std::string_view member, const Rule& rule, bool required) {
  auto it = c.body.find(member);
  if (it == c.body.end() || !it->value().is_string()) {
    if (!required) return {};
    throw AwsError("InvalidInputException", 400, "You provided a value that does not match the required pattern: " + std::string(member) + " is required.");
  }
  std::string v(it->value().as_string());
  if (std::string bad = violation(v, rule); !bad.empty())
    throw AwsError("InvalidInputException", 400, "Invalid " + std::string(member) + ": " + bad);
  return v;
}

json::value create_account(Call& c) {
  std::string email = body_string(c, "Email", Rule{6, 64, Pattern::Email}, true);
  std::string name = body_string(c, "AccountName", Rule{1, 50, Pattern::Printable}, true);
  std::string request_id = "car-" + identity::lower(ids::unique_id("CAR").substr(3));
  return c.dir.write([&](identity::Txn& t) -> json::value {
    require_management(c, t.state());
    for (const auto& [id, a] : t.state().accounts)
      if (identity::lower(a.account.email) == identity::lower(email))
        throw AwsError("DuplicateAccountException", 400, "That account already exists.");
    identity::Account a = identity::create_member_account(t, t.state().org->management_account, name, email, c.now, request_id);
    // Account creation completes before the call returns, so the status is final at once.
    return json::object{{"CreateAccountStatus", json::object{{"Id", request_id},
                                                             {"AccountName", name},
                                                             {"State", "SUCCEEDED"},
                                                             {"RequestedTimestamp", c.now},
                                                             {"CompletedTimestamp", c.now},
                                                             {"AccountId", a.id}}}};
  });
}

json::value describe_create_account_status(Call& c) {
  std::string id = body_string(c, "CreateAccountRequestId", Rule{1, 64}, true);
  return c.dir.read([&](const State& s) -> json::value {
    require_management(c, s);
    for (const auto& [acct, a] : s.accounts)
      if (a.account.create_request_id == id)
        return json::object{{"CreateAccountStatus", json::object{{"Id", id},
                                                                 {"AccountName", a.account.name},
                                                                 {"State", "SUCCEEDED"},
                                                                 {"RequestedTimestamp", a.account.created},
                                                                 {"CompletedTimestamp", a.account.created},
                                                                 {"AccountId", a.account.id}}}};
    throw AwsError("CreateAccountStatusNotFoundException", 400, "We can't find a create account request with the CreateAccountRequestId that you specified.");
  });
}

json::value list_accounts(Call& c) {
  return c.dir.read([&](const State& s) -> json::value {
    require_management(c, s);
    json::array accounts;
    for (const auto& [id, a] : s.accounts) accounts.push_back(render_account(*s.org, a.account));
    return json::object{{"Accounts", std::move(accounts)}};
  });
}

json::value describe_account(Call& c) {
  std::string id = body_string(c, "AccountId", Rule{12, 12, Pattern::AccountId}, true);
  return c.dir.read([&](const State& s) -> json::value {
    require_management(c, s);
    const identity::AccountData* a = s.account(id);
    if (!a) throw AwsError("AccountNotFoundException", 400, "You specified an account that doesn't exist.");
    return json::object{{"Account", render_account(*s.org, a->account)}};
  });
}

json::value describe_organization(Call& c) {
  return c.dir.read([&](const State& s) -> json::value {
    const identity::Organization& o = org_of(s);
    const identity::AccountData* m = s.account(o.management_account);
    return json::object{{"Organization", json::object{
                                             {"Id", o.id},
                                             {"Arn", "arn:aws:organizations::" + o.management_account + ":organization/" + o.id},
                                             {"FeatureSet", "ALL"},
                                             {"MasterAccountArn", "arn:aws:organizations::" + o.management_account +
                                                                      ":account/" + o.id + "/" + o.management_account},
                                             {"MasterAccountId", o.management_account},
                                             {"MasterAccountEmail", m ? m->account.email : o.management_email},
                                             {"AvailablePolicyTypes", json::array{}}}}};
  });
}

}  // namespace

void register_organizations(Registry& r) {
  r.add({"organizations", "CreateAccount", nullptr, create_account});
  r.add({"organizations", "DescribeCreateAccountStatus", nullptr, describe_create_account_status});
  r.add({"organizations", "ListAccounts", nullptr, list_accounts});
  r.add({"organizations", "DescribeAccount", nullptr, describe_account});
  r.add({"organizations", "DescribeOrganization", nullptr, describe_organization});
}

}  // namespace orch::aws
