// Discovery documents built from the resource table: /version, aggregated discovery
// (apidiscovery.k8s.io/v2, with the exact Content-Type kubectl requires) and the legacy forms.
#pragma once
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "base/http/server.h"

namespace orch::kube {

boost::json::object version_info();
// /api (core = true) or /apis, aggregated when the Accept header asks for it.
http::Response discovery_root(bool core, const std::string& accept);
// APIResourceList of one group version ("" group = core); empty resources if none served.
boost::json::object resource_list(const std::string& group, const std::string& version);

// OpenAPI v3: the root lists one document per group version; each document declares, for every
// kind, the patch operation with its group-version-kind and the fieldValidation parameter —
// what kubectl looks for to leave validation to the server (fieldValidation=Strict).
boost::json::object openapi_root();
std::optional<boost::json::object> openapi_document(std::string_view group_version_path);  // "api/v1", "apis/g/v1"

}  // namespace orch::kube
