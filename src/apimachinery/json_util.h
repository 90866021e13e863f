// Small JSON helpers shared by the patch and field-management code.
#pragma once
#include <boost/json/value.hpp>
#include <cstddef>
#include <string_view>

namespace orch::apimachinery::json {

// Patches, applied configurations and live objects nested deeper than this are refused: the
// algorithms recurse, and no Kubernetes object needs anywhere near this depth.
inline constexpr size_t kMaxDepth = 100;

// True when v nests arrays/objects more than max_depth levels (a scalar has depth 0, {} and []
// depth 1). Iterative, so it is safe on any input.
bool exceeds_depth(const boost::json::value& v, size_t max_depth = kMaxDepth);

// JSON equality: numbers compare by value whatever their representation (1, 1.0 and 1u are
// equal), objects ignore member order, arrays compare element-wise.
bool equal(const boost::json::value& a, const boost::json::value& b);

// Member lookup that tolerates non-objects: nullptr when v is not an object or lacks key.
const boost::json::value* find(const boost::json::value& v, std::string_view key);
boost::json::value* find(boost::json::value& v, std::string_view key);

// The string at a dotted path of object members ("metadata.name"), or nullptr.
const boost::json::value* find_path(const boost::json::value& v, std::string_view dotted);

}  // namespace orch::apimachinery::json
