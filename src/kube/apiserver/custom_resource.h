// The strategy of custom resources (the apiextensions-apiserver's customresource package):
// members the version's schema does not declare are pruned, the rest validated against it (422
// Invalid in kube's words); with the status subresource the main resource ignores status and
// /status ignores everything else; metadata.generation starts at 1 and grows with each change
// of the spec (everything but metadata and, with the subresource, status).
#pragma once
#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "kube/apiserver/custom_kinds.h"

namespace orch::kube {

void prepare_custom_create(const Resource& r, boost::json::object& obj);
void prepare_custom_update(const Resource& r, const boost::json::object& current, boost::json::object& obj,
                           std::string_view subresource);
// The members pruning would drop (on a copy), as fieldValidation reports them.
std::vector<std::string> custom_unknown_fields(const Resource& r, const boost::json::object& obj);

// The value an additionalPrinterColumn's JSONPath selects (".spec.replicas", ".items[0].x",
// ".status.conditions[?(@.type==\"Ready\")].status", with or without {}), or null.
boost::json::value json_path_value(const boost::json::value& obj, std::string_view path);

class Registry;
// The scale subresource: GET answers the autoscaling/v1 Scale of the object; PUT (a Scale) and
// PATCH (merge or JSON patch of the Scale) write its spec.replicas at specReplicasPath, with
// the Scale's resourceVersion as precondition, and answer the new Scale.
boost::json::object scale_subresource(Registry& reg, const Resource& r, const std::string& cluster, const std::string& ns,
                                      const std::string& name, const std::string& verb, const std::string& content_type,
                                      const std::string& body);

}  // namespace orch::kube
