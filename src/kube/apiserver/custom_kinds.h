// The kinds a cluster's CustomResourceDefinitions define, as Resources (resources.h) of that
// cluster: one per served version of every Established CRD, all stored under the same key prefix
// (/registry/<cluster>/<plural>.<group>/) as the storage version — conversion strategy None:
// only apiVersion differs between versions, rewritten on the way in and out (registry.cpp).
// They are read from the store on each use, so a CRD's change is seen by the next request.
#pragma once
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

#include "kube/apiserver/resources.h"
#include "store/store.h"

namespace orch::kube {

struct PrinterColumn {
  std::string name, type, format, description, json_path;
  int priority = 0;
};

// What a CRD says about one served version of its kind.
struct CustomKind {
  std::string crd_name;
  std::string storage_version;
  boost::json::value schema;          // the version's openAPIV3Schema
  std::vector<PrinterColumn> columns;  // additionalPrinterColumns; empty: the default Age column
  bool status = false;                 // subresources.status
  std::optional<std::string> spec_replicas_path, status_replicas_path, label_selector_path;  // subresources.scale
  std::vector<std::string> categories;
  bool terminating = false;  // the CRD is being deleted: its objects are served but none created
};

// The cluster's custom resources, ordered by group then version priority (v2 > v1 > v1beta1 >
// v1alpha1 > other versions).
std::vector<Resource> custom_resources(store::Store& store, const std::string& cluster);
// Built-in resources followed by the custom ones: what discovery lists and deletions sweep.
std::vector<Resource> served_resources(store::Store& store, const std::string& cluster);
std::optional<Resource> find_custom_resource(store::Store& store, const std::string& cluster, std::string_view group,
                                             std::string_view version, std::string_view plural);

// Kubernetes' version priority: true when a sorts before b.
bool version_before(std::string_view a, std::string_view b);

}  // namespace orch::kube
