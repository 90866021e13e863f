// How the lists of an object merge: the patchStrategy/patchMergeKey tags of the Kubernetes API
// types (used by strategic merge patch) and their +listType/+listMapKey markers (used by
// server-side apply), for the paths of one kind.
//
// Paths are member names joined with '.', with "[]" for "any element of this list", e.g.
//   "spec.containers"                      PodSpec.containers: merge by name
//   "spec.containers[].ports"              Container.ports: SMP key containerPort; SSA keys
//                                          containerPort+protocol (protocol defaults to TCP)
//   "spec.template.spec.containers[].env"  the same types inside a Deployment's pod template
// A list path not in the table is atomic: a patch or an applied configuration replaces it whole.
// Maps always merge key by key.
#pragma once
#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace orch::apimachinery {

struct ListStrategy {
  // Strategic merge patch: Replace (no patchStrategy), MergeByKey (patchStrategy=merge with a
  // patchMergeKey: lists of objects) or MergeSet (patchStrategy=merge on a list of scalars).
  enum class Smp { Replace, MergeByKey, MergeSet };
  Smp smp = Smp::Replace;
  std::string merge_key;
  // Server-side apply: Atomic, Map (+listType=map with the key fields below) or Set.
  enum class Ssa { Atomic, Map, Set };
  Ssa ssa = Ssa::Atomic;
  std::vector<std::string> map_keys;
  boost::json::object key_defaults;  // value of a key field an element leaves out (protocol: TCP)

  // patchStrategy=merge with patchMergeKey=key, and +listType=map keyed by the same field.
  static ListStrategy merge_by(std::string key);
  // patchStrategy=merge on scalars, and +listType=set.
  static ListStrategy set();
};

class PatchSchema {
 public:
  void set_list(std::string path, ListStrategy s);
  // The strategy for the list at `path` (in the "[]" notation), or nullptr: atomic.
  const ListStrategy* list(std::string_view path) const;
  // A map replaced whole by a strategic merge patch (patchStrategy=replace); none among the
  // built-in kinds today, but CRD-like tables may need it.
  void set_replace_map(std::string path);
  bool replace_map(std::string_view path) const;

  // Registers the ObjectMeta rules under prefix ("metadata", "spec.template.metadata").
  void add_object_meta(const std::string& prefix);
  // Registers the PodSpec rules under prefix ("spec", "spec.template.spec").
  void add_pod_spec(const std::string& prefix);

  // The built-in kinds' tables (metadata rules included for every kind): Pod, PodTemplate,
  // ReplicationController, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, Service,
  // Node, Namespace, ServiceAccount, PersistentVolumeClaim, Endpoints, ...; any other kind gets the
  // metadata rules only.
  static PatchSchema for_kind(std::string_view group, std::string_view kind);

 private:
  std::map<std::string, ListStrategy, std::less<>> lists_;
  std::map<std::string, bool, std::less<>> replace_maps_;
};

// Appends a member name / the element marker to a schema path.
inline std::string schema_child(std::string_view path, std::string_view name) {
  return path.empty() ? std::string(name) : std::string(path) + "." + std::string(name);
}
inline std::string schema_elem(std::string_view path) { return std::string(path) + "[]"; }

}  // namespace orch::apimachinery
