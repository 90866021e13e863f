// What a new cluster starts with, and what each new workspace namespace gets: the system
// namespaces, Kubernetes' bootstrap RBAC, and the platform team's RBAC — the
// orchestera:platform-devs group may work with pods (logs and status read), services,
// configmaps, persistentvolumeclaims and events in every workspace namespace (all but kube-*
// and orchestera-*), and read namespaces; nothing else cluster-wide.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/clock.h"
#include "identity/platform.h"
#include "kube/apiserver/apiserver.h"
#include "kube/apiserver/crd_finalizer.h"
#include "kube/apiserver/registry.h"

namespace orch::kube {
namespace json = boost::json;

namespace {
const std::string kRbac = "rbac.authorization.k8s.io/v1";
const std::string kWorkspaceRole = "orchestera:platform-devs";
const std::string kNamespaceReader = "orchestera:platform-devs:namespaces";

json::object subject_group() {
  return {{"kind", "Group"}, {"apiGroup", "rbac.authorization.k8s.io"}, {"name", identity::kPlatformKubeGroup}};
}

json::object metadata(const std::string& name, const std::string& ns = "") {
  json::object md{{"name", name}, {"labels", json::object{{"app.kubernetes.io/managed-by", "orchestera"}}}};
  if (!ns.empty()) md["namespace"] = ns;
  return md;
}

std::vector<json::object> platform_objects() {
  json::array crud{"get", "list", "watch", "create", "update", "patch", "delete"};
  json::array read{"get", "list", "watch"};
  json::object workspace{
      {"apiVersion", kRbac}, {"kind", "ClusterRole"}, {"metadata", metadata(kWorkspaceRole)},
      {"rules", json::array{
                    json::object{{"apiGroups", json::array{""}},
                                 {"resources", json::array{"pods", "services", "configmaps", "persistentvolumeclaims", "events"}},
                                 {"verbs", crud}},
                    json::object{{"apiGroups", json::array{""}}, {"resources", json::array{"pods/log", "pods/status"}}, {"verbs", read}}}}};
  json::object reader{{"apiVersion", kRbac}, {"kind", "ClusterRole"}, {"metadata", metadata(kNamespaceReader)},
                      {"rules", json::array{json::object{{"apiGroups", json::array{""}},
                                                         {"resources", json::array{"namespaces"}},
                                                         {"verbs", read}}}}};
  json::object reader_binding{{"apiVersion", kRbac}, {"kind", "ClusterRoleBinding"}, {"metadata", metadata(kNamespaceReader)},
                              {"roleRef", json::object{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", kNamespaceReader}}},
                              {"subjects", json::array{subject_group()}}};
  return {workspace, reader, reader_binding};
}

bool workspace_namespace(const std::string& ns) { return !ns.starts_with("kube-") && !ns.starts_with("orchestera-"); }
}  // namespace

void ApiServer::provision_namespace(const std::string& cid, const std::string& ns) {
  if (!workspace_namespace(ns)) return;
  ensure_object(cid, json::object{{"apiVersion", kRbac}, {"kind", "RoleBinding"}, {"metadata", metadata(kWorkspaceRole, ns)},
                                  {"roleRef", json::object{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", kWorkspaceRole}}},
                                  {"subjects", json::array{subject_group()}}});
  invalidate(cid);
}

void ApiServer::provision_pending() {
  std::vector<identity::Ref<identity::Cluster>> pending, deleting, active;
  dir_.read([&](const identity::State& s) {
    for (const auto& [acct, a] : s.accounts)
      for (const auto& [name, c] : a.clusters) {
        if (c->status == "CREATING") pending.push_back(c);
        if (c->status == "DELETING") deleting.push_back(c);
        if (c->status == "ACTIVE") active.push_back(c);
      }
  });
  // Records a cluster's endpoint if the one stored differs (a new port or host name after a
  // restart), activating it when it is still CREATING. False if the cluster is gone or changed.
  auto record_endpoint = [&](const identity::Cluster& c, const OpenedEndpoint& ep) {
    return dir_.write([&](identity::Txn& t) {
      const identity::AccountData* a = t.state().account(c.account);
      if (!a) return false;
      auto it = a->clusters.find(c.name);
      if (it == a->clusters.end() || it->second->id != c.id || it->second->status != c.status) return false;
      identity::Cluster updated = *it->second;
      if (updated.status == "CREATING") updated.status = "ACTIVE";
      else if (updated.endpoint == ep.url && updated.ca_pem == ep.ca_pem) return true;
      updated.endpoint = ep.url;
      updated.ca_pem = ep.ca_pem;
      t.put(updated);
      return true;
    });
  };
  // What is served but no longer ACTIVE (deleted, or its account closed) stops being served.
  for (auto it = served_.begin(); it != served_.end();) {
    bool still = std::any_of(active.begin(), active.end(), [&](const auto& c) { return c->id == it->first; });
    if (still) {
      ++it;
      continue;
    }
    endpoints_.close(it->second, true);
    it = served_.erase(it);
  }
  for (const auto& c : active) {
    if (served_.count(c->id)) continue;
    try {
      OpenedEndpoint ep = endpoints_.open(*c);
      served_.emplace(c->id, *c);
      if (c->endpoint != ep.url && !c->endpoint.empty())
        spdlog::warn("cluster {} of account {} moved from {} to {}: its users must run update-kubeconfig again",
                     c->name, c->account, c->endpoint, ep.url);
      record_endpoint(*c, ep);
    } catch (const std::exception& e) {
      if (!served_.count(c->id)) endpoints_.close(*c, false);  // a listener opened before the failure
      spdlog::error("serving cluster {} failed (will retry): {}", c->name, e.what());
    }
  }
  // The namespace controller's part: Terminating namespaces go, with what is in them.
  for (const auto& c : active) {
    try {
      Registry reg(store_, dir_.box());
      if (reg.finalize_namespaces(c->id)) invalidate(c->id);
      // The CRD finalizer's part: deleted CRDs whose objects were held by their own finalizers.
      finalize_crds(reg, store_, c->id, clock::now_seconds());
    } catch (const std::exception& e) {
      spdlog::error("finalizing namespaces of cluster {} failed (will retry): {}", c->name, e.what());
    }
  }
  for (const auto& c : deleting) {
    try {
      endpoints_.close(*c, true);
      // Its objects go in batches (each batch atomic), then the record: nothing of a deleted
      // cluster stays on disk, and a later cluster of the same name starts empty (new id).
      const std::string prefix = "/registry/" + c->id + "/";
      for (auto batch = store_.list(prefix, {}, 500); !batch.items.empty(); batch = store_.list(prefix, {}, 500)) {
        std::vector<store::Op> ops;
        for (const auto& kv : batch.items) ops.push_back(store::Op::del(kv.key));
        store_.commit(ops);
      }
      invalidate(c->id);
      dir_.write([&](identity::Txn& t) {
        const identity::AccountData* a = t.state().account(c->account);
        if (!a) return;
        auto it = a->clusters.find(c->name);
        if (it != a->clusters.end() && it->second->id == c->id) t.remove(*it->second);
      });
      spdlog::info("cluster {} of account {} is deleted", c->name, c->account);
    } catch (const std::exception& e) {
      spdlog::error("deleting cluster {} failed (will retry): {}", c->name, e.what());
    }
  }
  for (const auto& c : pending) {
    try {
      for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"})
        ensure_object(c->id, json::object{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", json::object{{"name", ns}}}});
      for (auto& obj : rbac::bootstrap_objects()) ensure_object(c->id, std::move(obj.as_object()));
      for (auto& obj : platform_objects()) ensure_object(c->id, std::move(obj));
      provision_namespace(c->id, "default");
      OpenedEndpoint ep = endpoints_.open(*c);
      if (!record_endpoint(*c, ep)) {
        endpoints_.close(*c, false);  // deleted meanwhile: the DELETING pass forgets it
        continue;
      }
      served_.emplace(c->id, *c);
      spdlog::info("cluster {} of account {} is ACTIVE at {}", c->name, c->account, ep.url);
    } catch (const std::exception& e) {
      endpoints_.close(*c, false);  // a listener opened before the failure; the next tick reopens it
      spdlog::error("provisioning cluster {} failed (will retry): {}", c->name, e.what());
    }
  }
}

}  // namespace orch::kube
