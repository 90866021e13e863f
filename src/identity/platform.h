// EKS-side identity facts: access entries (their ARNs and default usernames, which principals may
// have one), the built-in access policies, and the platform defaults that provisioning a cluster
// creates in its account (the onboarding page's `orchestera-platform-devs` group and role).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "identity/directory.h"

namespace orch::identity {

inline constexpr const char* kPlatformName = "orchestera-platform-devs";
inline constexpr const char* kPlatformKubeGroup = "orchestera:platform-devs";
inline constexpr const char* kClusterAdminPolicy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

bool valid_cluster_name(const std::string& name);

// True for an existing IAM user or role ARN of an account hosted here, or any well-formed user or
// role ARN of another account (EKS lets STANDARD entries name principals elsewhere).
bool principal_exists(const State& s, const std::string& arn);

// A new STANDARD entry with EKS's default username: the user ARN, or for a role
// arn:aws:sts::ACCOUNT:assumed-role/ROLE/{{SessionName}}.
AccessEntry new_access_entry(const State& s, const std::string& principal_arn, int64_t now);
std::string access_entry_arn(const Cluster& c, const AccessEntry& e);

// The built-in access policies (AmazonEKSClusterAdminPolicy, ...): names, and the name of an ARN.
const std::vector<std::string>& access_policy_names();
std::optional<std::string> access_policy_name(const std::string& arn);

// Creates, where missing, the account's platform group and role, the group's permission to
// assume the role and the role's permission to describe clusters, and adds the role's access
// entry (Kubernetes group orchestera:platform-devs) to the cluster. Idempotent.
void provision_platform_defaults(Txn& t, Cluster& cluster, int64_t now);

}  // namespace orch::identity
