// The default cluster roles and bindings, as data. Rules follow Kubernetes' bootstrap policy
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml and
// cluster-role-bindings.yaml as of Kubernetes v1.28 and later); admin, edit and view get their
// rules from aggregation at load, exactly as the aggregation controller fills them in a cluster.
#include <boost/json.hpp>
#include <stdexcept>

#include "rbac/rbac.h"

namespace orch::rbac {
namespace {

// One JSON list; metadata shared by every object (labels, autoupdate annotation) is added in code.
constexpr std::string_view kBootstrap = R"json([
{"kind":"ClusterRole","metadata":{"name":"admin"},
 "aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"rbac.authorization.k8s.io/aggregate-to-admin":"true"}}]}},
{"kind":"ClusterRole","metadata":{"name":"cluster-admin"},"rules":[
 {"apiGroups":["*"],"resources":["*"],"verbs":["*"]},
 {"nonResourceURLs":["*"],"verbs":["*"]}]},
{"kind":"ClusterRole","metadata":{"name":"edit","labels":{"rbac.authorization.k8s.io/aggregate-to-admin":"true"}},
 "aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"rbac.authorization.k8s.io/aggregate-to-edit":"true"}}]}},
{"kind":"ClusterRole","metadata":{"name":"system:aggregate-to-admin","labels":{"rbac.authorization.k8s.io/aggregate-to-admin":"true"}},"rules":[
 {"apiGroups":["authorization.k8s.io"],"resources":["localsubjectaccessreviews"],"verbs":["create"]},
 {"apiGroups":["rbac.authorization.k8s.io"],"resources":["rolebindings","roles"],
  "verbs":["create","delete","deletecollection","get","list","patch","update","watch"]}]},
{"kind":"ClusterRole","metadata":{"name":"system:aggregate-to-edit","labels":{"rbac.authorization.k8s.io/aggregate-to-edit":"true"}},"rules":[
 {"apiGroups":[""],"resources":["pods/attach","pods/exec","pods/portforward","pods/proxy","secrets","services/proxy"],"verbs":["get","list","watch"]},
 {"apiGroups":[""],"resources":["serviceaccounts"],"verbs":["impersonate"]},
 {"apiGroups":[""],"resources":["pods","pods/attach","pods/exec","pods/portforward","pods/proxy"],
  "verbs":["create","delete","deletecollection","patch","update"]},
 {"apiGroups":[""],"resources":["pods/eviction"],"verbs":["create"]},
 {"apiGroups":[""],"resources":["configmaps","events","persistentvolumeclaims","replicationcontrollers","replicationcontrollers/scale","secrets","serviceaccounts","services","services/proxy"],
  "verbs":["create","delete","deletecollection","patch","update"]},
 {"apiGroups":[""],"resources":["serviceaccounts/token"],"verbs":["create"]},
 {"apiGroups":["apps"],"resources":["daemonsets","deployments","deployments/rollback","deployments/scale","replicasets","replicasets/scale","statefulsets","statefulsets/scale"],
  "verbs":["create","delete","deletecollection","patch","update"]},
 {"apiGroups":["autoscaling"],"resources":["horizontalpodautoscalers"],"verbs":["create","delete","deletecollection","patch","update"]},
 {"apiGroups":["batch"],"resources":["cronjobs","jobs"],"verbs":["create","delete","deletecollection","patch","update"]},
 {"apiGroups":["extensions"],"resources":["daemonsets","deployments","deployments/rollback","deployments/scale","ingresses","networkpolicies","replicasets","replicasets/scale","replicationcontrollers/scale"],
  "verbs":["create","delete","deletecollection","patch","update"]},
 {"apiGroups":["policy"],"resources":["poddisruptionbudgets"],"verbs":["create","delete","deletecollection","patch","update"]},
 {"apiGroups":["networking.k8s.io"],"resources":["ingresses","networkpolicies"],"verbs":["create","delete","deletecollection","patch","update"]},
 {"apiGroups":["coordination.k8s.io"],"resources":["leases"],"verbs":["create","delete","deletecollection","get","list","patch","update","watch"]}]},
{"kind":"ClusterRole","metadata":{"name":"system:aggregate-to-view","labels":{"rbac.authorization.k8s.io/aggregate-to-view":"true"}},"rules":[
 {"apiGroups":[""],"resources":["configmaps","endpoints","persistentvolumeclaims","persistentvolumeclaims/status","pods","replicationcontrollers","replicationcontrollers/scale","serviceaccounts","services","services/status"],
  "verbs":["get","list","watch"]},
 {"apiGroups":[""],"resources":["bindings","events","limitranges","namespaces/status","pods/log","pods/status","replicationcontrollers/status","resourcequotas","resourcequotas/status"],
  "verbs":["get","list","watch"]},
 {"apiGroups":[""],"resources":["namespaces"],"verbs":["get","list","watch"]},
 {"apiGroups":["discovery.k8s.io"],"resources":["endpointslices"],"verbs":["get","list","watch"]},
 {"apiGroups":["apps"],"resources":["controllerrevisions","daemonsets","daemonsets/status","deployments","deployments/scale","deployments/status","replicasets","replicasets/scale","replicasets/status","statefulsets","statefulsets/scale","statefulsets/status"],
  "verbs":["get","list","watch"]},
 {"apiGroups":["autoscaling"],"resources":["horizontalpodautoscalers","horizontalpodautoscalers/status"],"verbs":["get","list","watch"]},
 {"apiGroups":["batch"],"resources":["cronjobs","cronjobs/status","jobs","jobs/status"],"verbs":["get","list","watch"]},
 {"apiGroups":["extensions"],"resources":["daemonsets","daemonsets/status","deployments","deployments/scale","deployments/status","ingresses","ingresses/status","networkpolicies","replicasets","replicasets/scale","replicasets/status","replicationcontrollers/scale"],
  "verbs":["get","list","watch"]},
 {"apiGroups":["policy"],"resources":["poddisruptionbudgets","poddisruptionbudgets/status"],"verbs":["get","list","watch"]},
 {"apiGroups":["networking.k8s.io"],"resources":["ingresses","ingresses/status","networkpolicies"],"verbs":["get","list","watch"]}]},
{"kind":"ClusterRole","metadata":{"name":"system:basic-user"},"rules":[
 {"apiGroups":["authorization.k8s.io"],"resources":["selfsubjectaccessreviews","selfsubjectrulesreviews"],"verbs":["create"]},
 {"apiGroups":["authentication.k8s.io"],"resources":["selfsubjectreviews"],"verbs":["create"]}]},
{"kind":"ClusterRole","metadata":{"name":"system:discovery"},"rules":[
 {"nonResourceURLs":["/api","/api/*","/apis","/apis/*","/healthz","/livez","/openapi","/openapi/*","/readyz","/version","/version/"],"verbs":["get"]}]},
{"kind":"ClusterRole","metadata":{"name":"system:monitoring"},"rules":[
 {"nonResourceURLs":["/healthz","/healthz/*","/livez","/livez/*","/metrics","/metrics/slis","/readyz","/readyz/*"],"verbs":["get"]}]},
{"kind":"ClusterRole","metadata":{"name":"system:public-info-viewer"},"rules":[
 {"nonResourceURLs":["/healthz","/livez","/readyz","/version","/version/"],"verbs":["get"]}]},
{"kind":"ClusterRole","metadata":{"name":"system:service-account-issuer-discovery"},"rules":[
 {"nonResourceURLs":["/.well-known/openid-configuration","/openid/v1/jwks"],"verbs":["get"]}]},
{"kind":"ClusterRole","metadata":{"name":"view","labels":{"rbac.authorization.k8s.io/aggregate-to-edit":"true"}},
 "aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"rbac.authorization.k8s.io/aggregate-to-view":"true"}}]}},
{"kind":"ClusterRoleBinding","metadata":{"name":"cluster-admin"},
 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},
 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:masters"}]},
{"kind":"ClusterRoleBinding","metadata":{"name":"system:basic-user"},
 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:basic-user"},
 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:authenticated"}]},
{"kind":"ClusterRoleBinding","metadata":{"name":"system:discovery"},
 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:discovery"},
 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:authenticated"}]},
{"kind":"ClusterRoleBinding","metadata":{"name":"system:monitoring"},
 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:monitoring"},
 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:monitoring"}]},
{"kind":"ClusterRoleBinding","metadata":{"name":"system:public-info-viewer"},
 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:public-info-viewer"},
 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:authenticated"},
             {"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:unauthenticated"}]},
{"kind":"ClusterRoleBinding","metadata":{"name":"system:service-account-issuer-discovery"},
 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:service-account-issuer-discovery"},
 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:serviceaccounts"}]}
])json";

std::vector<boost::json::value> load() {
  namespace bj = boost::json;
  bj::array items = bj::parse(kBootstrap).as_array();
  std::vector<ClusterRole> roles;
  for (auto& item : items) {
    bj::object& o = item.as_object();
    o["apiVersion"] = kApiVersion;
    bj::object& meta = o["metadata"].as_object();
    meta["annotations"] = bj::object{{"rbac.authorization.kubernetes.io/autoupdate", "true"}};
    bj::value& labels = meta["labels"];
    if (!labels.is_object()) labels = bj::object{};
    labels.as_object()["kubernetes.io/bootstrapping"] = "rbac-defaults";
    if (o["kind"] == "ClusterRole") {
      auto p = parse_cluster_role(item);
      if (!p.ok()) throw std::logic_error("bootstrap role invalid: " + p.errors[0].to_string());
      roles.push_back(std::move(p.object));
    }
  }
  auto aggregated = aggregate_cluster_roles(roles);
  std::vector<bj::value> out;
  for (auto& item : items) {
    bj::object& o = item.as_object();
    if (o.contains("aggregationRule"))
      o["rules"] = to_json(aggregated[std::string(o["metadata"].as_object()["name"].as_string())]);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

std::vector<boost::json::value> bootstrap_objects() {
  static const std::vector<boost::json::value> objects = load();
  return objects;
}

}  // namespace orch::rbac
