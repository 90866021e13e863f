// Table output (`kubectl get` asks for it with Accept: application/json;as=Table;...): the
// columns kubectl users know for each kind, computed on the server as kube-apiserver does.
#pragma once
#include <boost/json.hpp>

#include <cstdint>
#include <string>

#include "kube/apiserver/resources.h"

namespace orch::kube {

bool wants_table(const std::string& accept);
// A meta.k8s.io/v1 Table of `items` (objects of `r`), each row carrying the object's metadata.
boost::json::object to_table(const Resource& r, const boost::json::array& items, const std::string& resource_version,
                             int64_t now, bool with_columns = true);

}  // namespace orch::kube
