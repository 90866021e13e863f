// Discovery documents built from the resources a cluster serves (the built-in table and its
// custom resources): /version, aggregated discovery (apidiscovery.k8s.io/v2, with the exact
// Content-Type kubectl requires) and the legacy forms. A group's versions are listed preferred
// first. kubectl caches discovery; a kind it does not find there (a new CRD's) makes it fetch
// discovery again, so nothing needs invalidating here.
#pragma once
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "base/http/server.h"
#include "kube/apiserver/resources.h"

namespace orch::kube {

boost::json::object version_info();
// /api (core = true) or /apis, aggregated when the Accept header asks for it.
http::Response discovery_root(bool core, const std::string& accept, const std::vector<Resource>& all);
// APIResourceList of one group version ("" group = core); empty resources if none served.
boost::json::object resource_list(const std::string& group, const std::string& version, const std::vector<Resource>& all);

// OpenAPI v3: the root lists one document per group version; each document declares, for every
// kind, the patch operation with its group-version-kind and the fieldValidation parameter —
// what kubectl looks for to leave validation to the server (fieldValidation=Strict). A custom
// kind's document also carries its schema under components (what `kubectl explain` reads).
boost::json::object openapi_root(const std::vector<Resource>& all);
// "api/v1", "apis/g/v1"
std::optional<boost::json::object> openapi_document(std::string_view group_version_path, const std::vector<Resource>& all);

}  // namespace orch::kube
