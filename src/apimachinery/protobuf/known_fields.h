// Strict field validation from the same schema that drives the protobuf transcoder: the JSON
// members of an object that its kind does not declare, as kube-apiserver's strict decoding
// reports them (fieldValidation=Strict rejects them, Warn reports them).
#pragma once
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace orch::kubeproto {

// Paths such as "spec.containers[0].foo" of members the kind's schema does not declare, in
// document order; empty for an unknown kind (nothing to check against).
std::vector<std::string> unknown_fields(std::string_view api_version, std::string_view kind,
                                        const boost::json::object& object);

}  // namespace orch::kubeproto
