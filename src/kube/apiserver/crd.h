// CustomResourceDefinitions (apiextensions.k8s.io/v1), the strategy of the kind itself:
// defaults (singular, listKind), validation with the apiextensions-apiserver's messages (names,
// group, scope, versions with exactly one storage version, structural schemas, printer
// columns), and the status the apiextensions controllers would write — names accepted and the
// kind Established at once (nothing here needs time to start serving), acceptedNames and
// storedVersions. A CRD carries the cleanup finalizer: deleting it first removes its custom
// resources (crd_finalizer.h).
#pragma once
#include <boost/json/object.hpp>

#include <cstdint>
#include <string_view>

#include "kube/apiserver/resources.h"

namespace orch::kube {

inline constexpr std::string_view kApiExtensionsGroup = "apiextensions.k8s.io";
inline constexpr std::string_view kCrdCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

bool is_crd(const Resource& r);

// On create: defaults, validation (422 Invalid), the cleanup finalizer, the initial status.
void prepare_crd_create(boost::json::object& crd, int64_t now);
// On update of the main resource (the stored status is kept, the spec validated, group and scope
// immutable) or of /status (only the status changes).
void prepare_crd_update(const boost::json::object& current, boost::json::object& next, std::string_view subresource,
                        int64_t now);

// Whether a stored CRD's kind is served: Established and not being deleted.
bool crd_established(const boost::json::object& crd);

}  // namespace orch::kube
