// Account-wide IAM views, and the registration of every IAM operation group.
#include "aws/iam/common.h"
#include "aws/iam/register.h"

namespace orch::aws::iam {
namespace {

json::value get_account_summary(Call& c) {
  return c.dir.read([&](const State& s) -> json::value {
    const AccountData& a = account(s, c);
    size_t versions = 0;
    for (const auto& [id, p] : a.policies) versions += p->versions.size();
    json::object m;
    m["Users"] = a.users.size();
    m["UsersQuota"] = 5000;
    m["Groups"] = a.groups.size();
    m["GroupsQuota"] = 300;
    m["Roles"] = a.roles.size();
    m["RolesQuota"] = 1000;
    m["Policies"] = a.policies.size();
    m["PoliciesQuota"] = 1500;
    m["PolicyVersionsInUse"] = versions;
    m["PolicyVersionsInUseQuota"] = 10000;
    m["GroupsPerUserQuota"] = 10;
    m["AttachedPoliciesPerUserQuota"] = 10;
    m["AttachedPoliciesPerGroupQuota"] = 10;
    m["AttachedPoliciesPerRoleQuota"] = 10;
    m["AccessKeysPerUserQuota"] = 2;
    m["UserPolicySizeQuota"] = 2048;
    m["GroupPolicySizeQuota"] = 5120;
    m["RolePolicySizeQuota"] = 10240;
    m["PolicySizeQuota"] = 6144;
    m["AssumeRolePolicySizeQuota"] = 2048;
    m["VersionsPerPolicyQuota"] = 5;
    m["AccountAccessKeysPresent"] = 0;  // the account root has no access keys here
    m["AccountMFAEnabled"] = 0;
    m["MFADevices"] = 0;
    m["MFADevicesInUse"] = 0;
    return json::object{{"SummaryMap", map_value(std::move(m))}};
  });
}

}  // namespace

void register_account(Registry& r) { r.add({"iam", "GetAccountSummary", nullptr, get_account_summary}); }

}  // namespace orch::aws::iam

namespace orch::aws {
void register_iam(Registry& r) {
  iam::register_users(r);
  iam::register_groups(r);
  iam::register_access_keys(r);
  iam::register_roles(r);
  iam::register_inline_policies(r);
  iam::register_managed_policies(r);
  iam::register_login_profiles(r);
  iam::register_account(r);
}
}  // namespace orch::aws
