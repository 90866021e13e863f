// The Kubernetes API of every cluster, served on the --kube-listen listener under
// /clusters/<cluster-id>. One request path:
//   bearer token (EKS token, verified locally) -> the cluster's access entry -> user and groups
//   -> RBAC unioned with the entry's access policies -> discovery, reviews, or the generic
//   registry (objects in the store under /registry/<cluster-id>/...).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/http/server.h"
#include "identity/directory.h"
#include "kube/authn/eks_token.h"
#include "rbac/rbac.h"
#include "store/store.h"

namespace orch::kube {

// Who a request is, once authenticated.
struct User {
  std::string name, uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
  std::vector<identity::AssociatedAccessPolicy> access_policies;
};

class ApiServer {
 public:
  // on_active runs when a cluster becomes ACTIVE (the server writes the operator's
  // break-glass kubeconfig for it).
  ApiServer(identity::Directory& dir, store::Store& store, authn::TokenPolicy token_policy,
            std::function<void(const identity::Cluster&)> on_active = {});
  http::Response handle(const http::Request& req);

  // Creates the Kubernetes objects of every cluster still CREATING (namespaces, bootstrap and
  // platform RBAC), then marks the cluster ACTIVE. Idempotent; the server calls it periodically.
  void provision_pending();

  // Creates an object in a cluster's registry as the system (provisioning); skips existing ones.
  void ensure_object(const std::string& cluster_id, boost::json::object obj);
  // Ends watches whose timeoutSeconds has passed; the server calls it periodically.
  void close_expired_watches();

  // What a new workspace namespace gets: the platform group's RoleBinding.
  void provision_namespace(const std::string& cluster_id, const std::string& ns);

 private:
  struct Request;
  http::Response serve(Request& r);
  std::optional<User> authenticate(const identity::Cluster& cluster, const std::string& token, int64_t now);
  http::Response resource_request(Request& r);
  http::Response server_side_apply(Request& r, const struct Resource& res, const class Registry& reg,
                                   const std::string& ns, const std::string& name);
  http::Response watch(Request& r, const struct Resource& res, const class Registry& reg, const std::string& ns);
  std::shared_ptr<const rbac::Authorizer> authorizer(const std::string& cluster_id);
  bool allowed(const Request& r, const rbac::Attributes& a);
  void invalidate(const std::string& cluster_id);

  identity::Directory& dir_;
  store::Store& store_;
  authn::TokenPolicy token_policy_;
  std::function<void(const identity::Cluster&)> on_active_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const rbac::Authorizer>> authorizers_;  // by cluster id
  std::map<std::string, uint64_t> generations_;  // bumped by every RBAC change of a cluster
  std::vector<std::pair<int64_t, std::weak_ptr<http::Stream>>> watch_deadlines_;
};

}  // namespace orch::kube
