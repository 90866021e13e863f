#include "kube/apiserver/resources.h"

namespace orch::kube {
namespace {
const std::vector<std::string> kCrud{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
const std::vector<std::string> kCreateOnly{"create"};

std::vector<Resource> build() {
  auto r = [](std::string g, std::string res, std::string singular, std::string kind, bool ns,
              std::vector<std::string> shorts = {}, std::vector<std::string> verbs = kCrud,
              std::vector<std::string> subs = {}) {
    return Resource{std::move(g), "v1", std::move(res), std::move(singular), std::move(kind), ns, std::move(shorts),
                    std::move(verbs), std::move(subs)};
  };
  const std::string rbac = "rbac.authorization.k8s.io";
  std::vector<Resource> all{
      r("", "namespaces", "namespace", "Namespace", false, {"ns"}, {"create", "delete", "get", "list", "patch", "update", "watch"}, {"status"}),
      r("", "pods", "pod", "Pod", true, {"po"}, kCrud, {"status", "log"}),
      r("", "services", "service", "Service", true, {"svc"}, kCrud, {"status"}),
      r("", "configmaps", "configmap", "ConfigMap", true, {"cm"}),
      r("", "secrets", "secret", "Secret", true),
      r("", "serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}),
      r("", "events", "event", "Event", true, {"ev"}),
      r("", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, {"pvc"}, kCrud, {"status"}),
      r("", "nodes", "node", "Node", false, {"no"}, kCrud, {"status"}),
      r("coordination.k8s.io", "leases", "lease", "Lease", true),
      r(rbac, "roles", "role", "Role", true),
      r(rbac, "rolebindings", "rolebinding", "RoleBinding", true),
      r(rbac, "clusterroles", "clusterrole", "ClusterRole", false),
      r(rbac, "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false),
      r("apiextensions.k8s.io", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition",
        false, {"crd", "crds"}, kCrud, {"status"}),
      r("authentication.k8s.io", "selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview", false, {}, kCreateOnly),
      r("authentication.k8s.io", "tokenreviews", "tokenreview", "TokenReview", false, {}, kCreateOnly),
      r("authorization.k8s.io", "selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", false, {}, kCreateOnly),
      r("authorization.k8s.io", "selfsubjectrulesreviews", "selfsubjectrulesreview", "SelfSubjectRulesReview", false, {}, kCreateOnly),
      r("authorization.k8s.io", "subjectaccessreviews", "subjectaccessreview", "SubjectAccessReview", false, {}, kCreateOnly),
  };
  for (auto& res : all) res.sealed = res.resource == "secrets";
  return all;
}
}  // namespace

std::string Resource::prefix(const std::string& cluster_id) const {
  return "/registry/" + cluster_id + "/" + (group.empty() ? resource : resource + "." + group) + "/";
}

const std::vector<Resource>& resources() {
  static const std::vector<Resource> all = build();
  return all;
}

const Resource* find_resource(std::string_view group, std::string_view version, std::string_view plural) {
  for (const auto& r : resources())
    if (r.group == group && r.version == version && r.resource == plural) return &r;
  return nullptr;
}

const Resource* find_kind(std::string_view group, std::string_view kind) {
  for (const auto& r : resources())
    if (r.group == group && r.kind == kind) return &r;
  return nullptr;
}

}  // namespace orch::kube
