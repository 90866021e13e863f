#include "kube/authn/identity_mapping.h"

namespace orch::kube::authn {
namespace {
std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
  return s;
}
}  // namespace

std::optional<KubeIdentity> map_identity(const TokenIdentity& ti, const identity::Cluster& cluster) {
  std::string principal = ti.caller.kind == identity::Caller::Kind::RoleSession ? ti.caller.role_arn : ti.caller.arn;
  const identity::AccessEntry* entry = cluster.entry(principal);
  // An entry belongs to the principal it was made for: a later user or role that happens to
  // have the same ARN is not that principal (EKS binds entries to the unique id).
  if (!entry || (!entry->principal_id.empty() && entry->principal_id != ti.user_id)) return std::nullopt;
  KubeIdentity u;
  u.username = replace_all(replace_all(entry->username, "{{SessionName}}", ti.session_name), "{{AccountID}}", ti.account);
  u.uid = "aws-iam-authenticator:" + ti.account + ":" + ti.user_id;
  u.groups = entry->groups;
  u.groups.push_back("system:authenticated");
  u.extra = {{"accessKeyId", {ti.access_key_id}}, {"arn", {ti.arn}}, {"canonicalArn", {ti.canonical_arn}},
             {"principalId", {ti.user_id}}};
  if (!ti.session_name.empty()) u.extra["sessionName"] = {ti.session_name};
  u.access_policies = entry->policies;
  return u;
}

}  // namespace orch::kube::authn
