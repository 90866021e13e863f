// From a verified EKS token to a Kubernetes identity, as EKS access entries map it: the entry
// for the principal (a role session is known by its role), bound to the principal's unique id;
// the entry's username template ({{SessionName}}, {{AccountID}}), groups + system:authenticated,
// uid aws-iam-authenticator:ACCOUNT:PRINCIPALID, and the extra attributes EKS sets.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "identity/model.h"
#include "kube/authn/eks_token.h"

namespace orch::kube::authn {

struct KubeIdentity {
  std::string username, uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
  std::vector<identity::AssociatedAccessPolicy> access_policies;
};

// nullopt when the principal has no access entry on the cluster (or the entry was made for
// another principal that had the same ARN).
std::optional<KubeIdentity> map_identity(const TokenIdentity& token, const identity::Cluster& cluster);

}  // namespace orch::kube::authn
