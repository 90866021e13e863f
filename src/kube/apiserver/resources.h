// The resources this API server serves: one table drives discovery, routing and storage, so
// serving a new kind is one row here plus (where it needs one) a strategy in registry.cpp.
// A cluster also serves the kinds its CustomResourceDefinitions define (crd.h): the same
// Resource, with `custom` describing the CRD's version.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace orch::kube {

struct CustomKind;  // crd.h

struct Resource {
  std::string group;     // "" for the core group
  std::string version;   // v1
  std::string resource;  // plural: pods
  std::string singular;  // pod
  std::string kind;      // Pod
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> verbs;
  std::vector<std::string> subresources;  // status, log
  bool sealed = false;  // stored encrypted (AES-256-GCM under the data directory's key)
  std::shared_ptr<const CustomKind> custom = nullptr;  // set for a custom resource

  std::string group_version() const { return group.empty() ? version : group + "/" + version; }
  // The store prefix of this resource's objects in one cluster.
  std::string prefix(const std::string& cluster_id) const;
};

// The built-in resources (those of every cluster).
const std::vector<Resource>& resources();
const Resource* find_resource(std::string_view group, std::string_view version, std::string_view plural);
const Resource* find_kind(std::string_view group, std::string_view kind);

}  // namespace orch::kube
