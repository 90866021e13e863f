#include "apimachinery/patch_schema.h"

#include <boost/json.hpp>

namespace orch::apimachinery {

// The tables below transcribe the tags of k8s.io/api 1.32 (core/v1, apps/v1, batch/v1). Where
// strategic merge patch and server-side apply disagree (Container.ports: SMP merges on
// containerPort alone, SSA keys on containerPort+protocol), both are recorded.

ListStrategy ListStrategy::merge_by(std::string key) {
  ListStrategy s;
  s.smp = Smp::MergeByKey;
  s.merge_key = key;
  s.ssa = Ssa::Map;
  s.map_keys = {std::move(key)};
  return s;
}

ListStrategy ListStrategy::set() {
  ListStrategy s;
  s.smp = Smp::MergeSet;
  s.ssa = Ssa::Set;
  return s;
}

void PatchSchema::set_list(std::string path, ListStrategy s) { lists_[std::move(path)] = std::move(s); }

const ListStrategy* PatchSchema::list(std::string_view path) const {
  auto it = lists_.find(path);
  return it == lists_.end() ? nullptr : &it->second;
}

void PatchSchema::set_replace_map(std::string path) { replace_maps_[std::move(path)] = true; }

bool PatchSchema::replace_map(std::string_view path) const { return replace_maps_.count(path) != 0; }

namespace {

// A list keyed on (field, protocol) for apply, where protocol defaults to TCP, but merged on
// field alone by strategic merge patch (Container.ports, ServicePort).
ListStrategy port_list(const std::string& field) {
  ListStrategy s = ListStrategy::merge_by(field);
  s.map_keys = {field, "protocol"};
  s.key_defaults["protocol"] = "TCP";
  return s;
}

// Strategic merge by key, but atomic for apply (lists whose keys are not unique in practice).
ListStrategy merge_by_smp_only(const std::string& key) {
  ListStrategy s = ListStrategy::merge_by(key);
  s.ssa = ListStrategy::Ssa::Atomic;
  s.map_keys.clear();
  return s;
}

void add_container(PatchSchema& s, const std::string& p) {
  s.set_list(schema_child(p, "ports"), port_list("containerPort"));
  s.set_list(schema_child(p, "env"), ListStrategy::merge_by("name"));
  s.set_list(schema_child(p, "volumeMounts"), ListStrategy::merge_by("mountPath"));
  s.set_list(schema_child(p, "volumeDevices"), ListStrategy::merge_by("devicePath"));
  ListStrategy claims;  // ResourceRequirements.claims: +listType=map +listMapKey=name, no patch tags
  claims.ssa = ListStrategy::Ssa::Map;
  claims.map_keys = {"name"};
  s.set_list(schema_child(p, "resources.claims"), claims);
}

void add_pod_status(PatchSchema& s, const std::string& p) {
  s.set_list(schema_child(p, "conditions"), ListStrategy::merge_by("type"));
  s.set_list(schema_child(p, "podIPs"), ListStrategy::merge_by("ip"));
  s.set_list(schema_child(p, "hostIPs"), ListStrategy::merge_by("ip"));
  s.set_list(schema_child(p, "resourceClaimStatuses"), ListStrategy::merge_by("name"));
}

void add_pod_template(PatchSchema& s, const std::string& p) {
  s.add_object_meta(schema_child(p, "metadata"));
  s.add_pod_spec(schema_child(p, "spec"));
}

void add_conditions(PatchSchema& s, const std::string& p) {
  s.set_list(schema_child(p, "conditions"), ListStrategy::merge_by("type"));
}

}  // namespace

void PatchSchema::add_object_meta(const std::string& prefix) {
  set_list(schema_child(prefix, "finalizers"), ListStrategy::set());
  set_list(schema_child(prefix, "ownerReferences"), ListStrategy::merge_by("uid"));
}

void PatchSchema::add_pod_spec(const std::string& prefix) {
  for (const char* f : {"containers", "initContainers", "ephemeralContainers"}) {
    std::string p = schema_child(prefix, f);
    set_list(p, ListStrategy::merge_by("name"));
    add_container(*this, schema_elem(p));
  }
  set_list(schema_child(prefix, "volumes"), ListStrategy::merge_by("name"));
  set_list(schema_child(prefix, "imagePullSecrets"), ListStrategy::merge_by("name"));
  set_list(schema_child(prefix, "hostAliases"), ListStrategy::merge_by("ip"));
  ListStrategy tsc = ListStrategy::merge_by("topologyKey");
  tsc.map_keys = {"topologyKey", "whenUnsatisfiable"};
  set_list(schema_child(prefix, "topologySpreadConstraints"), tsc);
  set_list(schema_child(prefix, "schedulingGates"), ListStrategy::merge_by("name"));
  set_list(schema_child(prefix, "resourceClaims"), ListStrategy::merge_by("name"));
}

PatchSchema PatchSchema::for_kind(std::string_view group, std::string_view kind) {
  (void)group;  // built-in kind names do not collide across the groups we serve
  PatchSchema s;
  s.add_object_meta("metadata");
  if (kind == "Pod") {
    s.add_pod_spec("spec");
    add_pod_status(s, "status");
  } else if (kind == "PodTemplate") {
    add_pod_template(s, "template");
  } else if (kind == "ReplicationController" || kind == "Deployment" || kind == "ReplicaSet" ||
             kind == "DaemonSet") {
    add_pod_template(s, "spec.template");
    add_conditions(s, "status");
  } else if (kind == "StatefulSet") {
    add_pod_template(s, "spec.template");
    add_conditions(s, "status");
  } else if (kind == "Job") {
    add_pod_template(s, "spec.template");
    s.set_list("status.conditions", merge_by_smp_only("type"));
  } else if (kind == "CronJob") {
    s.add_object_meta("spec.jobTemplate.metadata");
    add_pod_template(s, "spec.jobTemplate.spec.template");
  } else if (kind == "Service") {
    s.set_list("spec.ports", port_list("port"));
    add_conditions(s, "status");
  } else if (kind == "Node") {
    s.set_list("spec.podCIDRs", ListStrategy::set());
    add_conditions(s, "status");
    s.set_list("status.addresses", merge_by_smp_only("type"));
  } else if (kind == "Namespace" || kind == "PersistentVolumeClaim") {
    add_conditions(s, "status");
  } else if (kind == "ServiceAccount") {
    s.set_list("secrets", ListStrategy::merge_by("name"));
  }
  return s;
}

}  // namespace orch::apimachinery
