// The generic registry: Kubernetes objects of any served kind as JSON values in the store, with
// resourceVersion = the store's mod_revision (injected on read, never stored), optimistic
// concurrency on update, uid/creationTimestamp/generateName on create, and a small per-kind
// strategy (defaults and status on create; Secrets sealed at rest; cascades on delete). Errors
// are apimachinery Status objects.
#pragma once
#include <boost/json.hpp>

#include <functional>
#include <string>

#include "apimachinery/status.h"
#include "base/crypto.h"
#include "kube/apiserver/delete_options.h"
#include "kube/apiserver/resources.h"
#include "kube/apiserver/watch_options.h"
#include "store/store.h"

namespace orch::kube {

using apimachinery::ApiError;

// A Status error with the given code, reason and message.
ApiError api_error(int code, std::string_view reason, std::string_view message);

class Registry {
 public:
  // box seals the kinds stored encrypted (Secrets).
  Registry(store::Store& store, const crypto::SecretBox& box) : store_(store), box_(box) {}

  std::string key(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name) const;

  // A namespaced object is created only in a namespace that exists and is not terminating, and
  // the commit is conditional on that (see create's loop): nothing outlives its namespace.
  boost::json::object create(const Resource& r, const std::string& cluster, const std::string& ns,
                             boost::json::object obj, int64_t now);
  boost::json::object get(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name) const;
  // label_selector / field_selector as in the query string; bad selectors are 400 BadRequest.
  // limit > 0 returns at most that many items and, if more remain, metadata.continue: a token
  // the next call passes as continue_token (400 if malformed, 410 Expired once its revision is
  // compacted). Every page says the first page's resourceVersion, so a client that watches from
  // it after the last page sees every change made while it paged (pages read the current state,
  // not a snapshot: an object changed meanwhile shows its newer version, and the watch replays
  // the change as well).
  boost::json::object list(const Resource& r, const std::string& cluster, const std::string& ns,
                           const std::string& label_selector, const std::string& field_selector,
                           int64_t limit = 0, const std::string& continue_token = {}) const;
  // subresource "status" writes only the status of kinds that have that subresource.
  boost::json::object update(const Resource& r, const std::string& cluster, const std::string& ns,
                             const std::string& name, boost::json::object obj, std::string_view subresource = {});
  // PATCH: content_type selects merge, strategic merge or JSON patch; the result is written as
  // an update with the read version as precondition.
  // `check` sees the patched object before it is written (field validation) and may throw.
  boost::json::object patch(const Resource& r, const std::string& cluster, const std::string& ns,
                            const std::string& name, const std::string& content_type, const std::string& body,
                            const std::function<void(const boost::json::object&)>& check = {},
                            std::string_view subresource = {});
  // DELETE (deletion.h): at once, with its dependents (ownerReferences) unless the propagation
  // is Orphan; or only marked (deletionTimestamp) — a pod bound to a node for its grace period,
  // an object with finalizers until they are removed. Returns the object as the request left
  // it (its last state when it went).
  boost::json::object remove(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name,
                             const DeleteOptions& options, int64_t now);
  // Removes every namespace marked Terminating with all its contents (one transaction each);
  // returns how many went.
  size_t finalize_namespaces(const std::string& cluster);
  bool exists(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name) const;

  // Throws 400 BadRequest if a selector does not parse (before a watch starts streaming).
  static void check_selectors(const Resource& r, const std::string& label_selector, const std::string& field_selector);

  // Watch: every change to objects matching the selectors, as Kubernetes watch events
  // {"type": ADDED|MODIFIED|DELETED|BOOKMARK, "object": ...}: after options.resource_version, or
  // after an ADDED event for each current object (WatchOptions::initial_events), then with the
  // initial-events-end BOOKMARK if asked. The store watch's progress events become BOOKMARKs
  // carrying the revision every event up to which has been emitted, when bookmarks are allowed
  // (never otherwise). `emit` runs on the calling thread for the initial events and on the
  // store's delivery thread after. A version older than the store's history (410 Expired), or a
  // streaming list newer than the store (504), gives one ERROR event and no watch.
  std::unique_ptr<store::Watch> watch(const Resource& r, const std::string& cluster, const std::string& ns,
                                      const WatchOptions& options,
                                      std::function<void(boost::json::object event)> emit) const;

 private:
  // The deletion itself: the object, a namespace's contents, and dependents, in one transaction.
  void erase(const Resource& r, const std::string& cluster, const std::string& ns, const store::KeyValue& kv,
             const std::string& propagation);
  std::string namespace_key(const std::string& cluster, const std::string& ns) const;
  // The version of namespace ns, which must exist and not be terminating (404 / 403 otherwise;
  // r and name say what was to be created in it).
  int64_t open_namespace(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name) const;
  std::string encode(const Resource& r, const std::string& key, const boost::json::object& obj) const;
  boost::json::object decode(const Resource& r, const store::KeyValue& kv) const;  // with resourceVersion

  store::Store& store_;
  const crypto::SecretBox& box_;
};

apimachinery::status::GroupResource group_resource(const Resource& r);

}  // namespace orch::kube
