// What deleting a CustomResourceDefinition does, as the apiextensions-apiserver's finalizer
// controller does it: the CRD is marked (its cleanup finalizer holds it, and its kind takes no
// new objects), every custom resource of the kind is deleted (each as a DELETE would: objects
// with finalizers of their own wait for them, and the CRD says so in a Terminating condition),
// then the finalizer goes and the CRD with it — its kind is no longer served.
#pragma once
#include <cstdint>
#include <string>

#include "kube/apiserver/registry.h"

namespace orch::kube {

// Advances every CRD of the cluster that is being deleted; returns how many went. Run after a
// CRD's DELETE and by the server's loop (to finish those whose objects were held).
size_t finalize_crds(Registry& reg, store::Store& store, const std::string& cluster, int64_t now);

}  // namespace orch::kube
