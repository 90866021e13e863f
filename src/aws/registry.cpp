#include "aws/api.h"

namespace orch::aws {

void Registry::add(Operation op) {
  auto key = std::make_pair(op.service, op.name);
  ops_.emplace(std::move(key), std::move(op));
}

const Operation* Registry::find(std::string_view service, std::string_view name) const {
  auto it = ops_.find(std::make_pair(std::string(service), std::string(name)));
  return it == ops_.end() ? nullptr : &it->second;
}

boost::json::value map_value(boost::json::object entries) {
  boost::json::object o;
  o["__map"] = std::move(entries);
  return o;
}

}  // namespace orch::aws
