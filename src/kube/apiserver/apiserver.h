// The Kubernetes API of every cluster, each on its own endpoint (endpoints.h): a request arrives
// tagged with the cluster id of the listener that took it. One request path:
//   bearer token (EKS token, verified locally) -> the cluster's access entry -> user and groups
//   -> RBAC unioned with the entry's access policies -> discovery, reviews, or the generic
//   registry (objects in the store under /registry/<cluster-id>/...) -> audit trail (every
//   denial, every write).
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/log.h"
#include "base/http/server.h"
#include "base/rate_limiter.h"
#include "identity/directory.h"
#include "kube/apiserver/endpoints.h"
#include "kube/apiserver/watches.h"
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

struct ApiServerOptions {
  audit::Log* audit = nullptr;  // null: no audit trail
  RateLimiter* rate = nullptr;  // requests per Kubernetes user; null: no limit
  int max_watches_per_user = 0;  // open watches per Kubernetes user; 0: no limit
};

class ApiServer {
 public:
  ApiServer(identity::Directory& dir, store::Store& store, ClusterEndpoints& endpoints, ApiServerOptions options = {});
  // Which hosts EKS tokens may name (this server's STS endpoint is known only once its listener
  // is bound). Call before the first request is let through; tokens are refused until then.
  void set_token_policy(authn::TokenPolicy policy) { token_policy_ = std::move(policy); }
  http::Response handle(const http::Request& req);

  // Brings the clusters to their recorded state: one still CREATING gets its Kubernetes objects
  // (namespaces, bootstrap and platform RBAC) and an endpoint, then is marked ACTIVE; every
  // ACTIVE one is served (after a restart too); a DELETING one loses its endpoint, its objects
  // and then its record. Idempotent; the server calls it at start and then periodically, from
  // one thread.
  void provision_pending();

  // Creates an object in a cluster's registry as the system (provisioning); skips existing ones.
  void ensure_object(const std::string& cluster_id, boost::json::object obj);
  // Ends watches whose timeoutSeconds has passed and sends the bookmarks that are due
  // (watches.h); the server calls it about once a second.
  void close_expired_watches();

  // What a new workspace namespace gets: the platform group's RoleBinding.
  void provision_namespace(const std::string& cluster_id, const std::string& ns);

 private:
  struct Request;
  http::Response serve(Request& r);
  // note receives who the token names and, on failure, why it was refused.
  std::optional<User> authenticate(const identity::Cluster& cluster, const std::string& token, int64_t now,
                                   audit::Event& note);
  void record(Request& r, int status_code);  // into the audit trail, if the request is worth it
  http::Response resource_request(Request& r);
  http::Response server_side_apply(Request& r, const struct Resource& res, const class Registry& reg,
                                   const std::string& ns, const std::string& name);
  http::Response watch(Request& r, const struct Resource& res, const class Registry& reg, const std::string& ns);
  std::shared_ptr<const rbac::Authorizer> authorizer(const std::string& cluster_id);
  bool allowed(Request& r, const rbac::Attributes& a);
  void invalidate(const std::string& cluster_id);
  std::shared_ptr<void> watch_slot(const std::string& key);
  static std::string limit_key(const Request& r);

  identity::Directory& dir_;
  store::Store& store_;
  authn::TokenPolicy token_policy_;
  ClusterEndpoints& endpoints_;
  const ApiServerOptions options_;
  std::map<std::string, int> open_watches_;  // by limit_key (guarded by mu_)
  // The clusters with an open endpoint, by id (used by provision_pending only).
  std::map<std::string, identity::Cluster> served_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const rbac::Authorizer>> authorizers_;  // by cluster id
  std::map<std::string, uint64_t> generations_;  // bumped by every RBAC change of a cluster
  Watches watches_;
};

}  // namespace orch::kube
