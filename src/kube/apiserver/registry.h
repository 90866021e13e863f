// The generic registry: Kubernetes objects of any served kind as JSON values in the store, with
// resourceVersion = the store's mod_revision (injected on read, never stored), optimistic
// concurrency on update, uid/creationTimestamp/generateName on create, and a small per-kind
// strategy (defaults and status on create; cascades on delete).
#pragma once
#include <boost/json.hpp>

#include <optional>
#include <string>

#include "base/crypto.h"
#include "kube/apiserver/resources.h"
#include "store/store.h"

namespace orch::kube {

// A Kubernetes API error, rendered as a Status object.
struct ApiError {
  int code;
  std::string reason;
  std::string message;
  boost::json::object details;
};

class Registry {
 public:
  // box seals the kinds stored encrypted (Secrets).
  Registry(store::Store& store, const crypto::SecretBox& box) : store_(store), box_(box) {}

  std::string key(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name) const;

  boost::json::object create(const Resource& r, const std::string& cluster, const std::string& ns,
                             boost::json::object obj, int64_t now);
  boost::json::object get(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name) const;
  // label_selector / field_selector as in the query string (field: metadata.name, metadata.namespace).
  boost::json::object list(const Resource& r, const std::string& cluster, const std::string& ns,
                           const std::string& label_selector, const std::string& field_selector) const;
  boost::json::object update(const Resource& r, const std::string& cluster, const std::string& ns,
                             const std::string& name, boost::json::object obj);
  boost::json::object remove(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name);
  bool exists(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name) const;

 private:
  std::string encode(const Resource& r, const std::string& key, const boost::json::object& obj) const;
  boost::json::object decode(const Resource& r, const store::KeyValue& kv) const;  // with resourceVersion

  store::Store& store_;
  const crypto::SecretBox& box_;
};

// The Kubernetes wording of "pods \"x\" not found" and friends.
ApiError not_found(const Resource& r, const std::string& name);

}  // namespace orch::kube
