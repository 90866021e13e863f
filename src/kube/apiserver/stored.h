// Stored objects are parsed with the same depth limit as request bodies (100, as apimachinery
// checks patches), not Boost.JSON's default of 32: an object accepted once must stay readable.
#pragma once
#include <boost/json.hpp>

#include <string_view>

namespace orch::kube {

inline boost::json::value parse_stored(std::string_view text) {
  boost::json::parse_options opts;
  opts.max_depth = 100;
  return boost::json::parse(text, {}, opts);
}

}  // namespace orch::kube
