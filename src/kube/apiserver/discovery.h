// Discovery documents built from the resource table: /version, aggregated discovery
// (apidiscovery.k8s.io/v2, with the exact Content-Type kubectl requires) and the legacy forms.
#pragma once
#include <boost/json.hpp>

#include <string>

#include "base/http/server.h"

namespace orch::kube {

boost::json::object version_info();
// /api (core = true) or /apis, aggregated when the Accept header asks for it.
http::Response discovery_root(bool core, const std::string& accept);
// APIResourceList of one group version ("" group = core); empty resources if none served.
boost::json::object resource_list(const std::string& group, const std::string& version);

}  // namespace orch::kube
