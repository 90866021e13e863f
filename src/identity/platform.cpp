#include "identity/platform.h"

#include "base/ids.h"

namespace orch::identity {

bool valid_cluster_name(const std::string& name) {
  if (name.empty() || name.size() > 100 || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') return false;
  return true;
}

namespace {
struct PrincipalArn {
  std::string account, kind, path_and_name, name;
};
std::optional<PrincipalArn> parse_principal(const std::string& arn) {
  const std::string prefix = "arn:aws:iam::";
  if (!arn.starts_with(prefix) || arn.size() < prefix.size() + 13 || arn[prefix.size() + 12] != ':') return std::nullopt;
  PrincipalArn p;
  p.account = arn.substr(prefix.size(), 12);
  std::string rest = arn.substr(prefix.size() + 13);
  size_t slash = rest.find('/');
  if (slash == std::string::npos) return std::nullopt;
  p.kind = rest.substr(0, slash);
  if (p.kind != "user" && p.kind != "role") return std::nullopt;
  p.path_and_name = rest.substr(slash);
  p.name = rest.substr(rest.rfind('/') + 1);
  if (p.name.empty()) return std::nullopt;
  return p;
}
}  // namespace

bool principal_exists(const State& s, const std::string& arn) {
  auto p = parse_principal(arn);
  if (!p) return false;
  const AccountData* a = s.account(p->account);
  if (!a) return true;  // another account's principal: EKS cannot see it either
  if (p->kind == "user") {
    auto u = a->user(p->name);
    return u && u->arn() == arn;
  }
  auto r = a->role(p->name);
  return r && r->arn() == arn;
}

AccessEntry new_access_entry(const State& s, const std::string& principal_arn, int64_t now) {
  AccessEntry e;
  e.principal_arn = principal_arn;
  if (auto p = parse_principal(principal_arn))
    if (const AccountData* a = s.account(p->account)) {
      if (auto u = p->kind == "user" ? a->user(p->name) : nullptr; u && u->arn() == principal_arn) e.principal_id = u->id;
      if (auto r = p->kind == "role" ? a->role(p->name) : nullptr; r && r->arn() == principal_arn) e.principal_id = r->id;
    }
  e.id = lower(ids::uuid4());
  e.created = e.modified = now;
  auto p = parse_principal(principal_arn);
  // EKS's default usernames: a role's sessions keep their session name, the role path is dropped.
  e.username = p && p->kind == "role" ? "arn:aws:sts::" + p->account + ":assumed-role/" + p->name + "/{{SessionName}}"
                                      : principal_arn;
  return e;
}

std::string access_entry_arn(const Cluster& c, const AccessEntry& e) {
  auto p = parse_principal(e.principal_arn);
  std::string kind = p ? p->kind : "principal";
  std::string who = p ? p->account + "/" + p->name : e.principal_arn;
  return "arn:aws:eks:" + c.region + ":" + c.account + ":access-entry/" + c.name + "/" + kind + "/" + who + "/" + e.id;
}

const std::vector<std::string>& access_policy_names() {
  static const std::vector<std::string> names{"AmazonEKSAdminPolicy", "AmazonEKSAdminViewPolicy",
                                              "AmazonEKSClusterAdminPolicy", "AmazonEKSEditPolicy",
                                              "AmazonEKSViewPolicy"};
  return names;
}

std::optional<std::string> access_policy_name(const std::string& arn) {
  const std::string prefix = "arn:aws:eks::aws:cluster-access-policy/";
  if (!arn.starts_with(prefix)) return std::nullopt;
  std::string name = arn.substr(prefix.size());
  for (const auto& n : access_policy_names())
    if (n == name) return name;
  return std::nullopt;
}

void provision_platform_defaults(Txn& t, Cluster& cluster, int64_t now) {
  const State& s = t.state();
  const AccountData* a = s.account(cluster.account);
  const std::string acct = cluster.account;

  Role role;
  if (auto existing = a ? a->role(kPlatformName) : nullptr) {
    role = *existing;
  } else {
    role.account = acct;
    role.id = ids::unique_id("AROA");
    role.name = kPlatformName;
    role.created = now;
    role.description = "Members of the orchestera-platform-devs group assume this role to reach the Spark clusters.";
    // The account is trusted, so the group's identity policy decides who may assume the role.
    role.trust_policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)" +
                        acct + R"(:root"},"Action":"sts:AssumeRole"}]})";
    role.inline_policies.push_back(
        {"orchestera-eks-access",
         R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["eks:DescribeCluster","eks:ListClusters"],"Resource":"*"}]})",
         nullptr});
    t.put(role);
  }

  if (!(a && a->group(kPlatformName))) {
    Group g;
    g.account = acct;
    g.id = ids::unique_id("AGPA");
    g.name = kPlatformName;
    g.created = now;
    g.inline_policies.push_back(
        {"orchestera-assume-platform-role",
         R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":")" + role.arn() +
             R"("}]})",
         nullptr});
    t.put(g);
  }

  if (!cluster.entry(role.arn())) {
    AccessEntry e = new_access_entry(s, role.arn(), now);
    e.principal_id = role.id;  // the role may be created by this same transaction
    e.groups.push_back(kPlatformKubeGroup);
    cluster.access_entries.push_back(std::move(e));
  }
}

}  // namespace orch::identity
