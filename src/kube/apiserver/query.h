// Query parameters as kube-apiserver's parameter codec reads them into its options structs
// (ListOptions, DeleteOptions): integers as strconv.ParseInt, booleans as strconv.ParseBool. A
// malformed value is a 400 BadRequest naming the parameter, before anything is done.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace orch::kube {

using Query = std::map<std::string, std::string>;

// nullopt when the parameter is absent or empty.
std::optional<int64_t> int_param(const Query& q, const std::string& name);
// nullopt when absent or empty; 1, t, T, TRUE, true, True and their false counterparts otherwise.
std::optional<bool> bool_param(const Query& q, const std::string& name);

}  // namespace orch::kube
