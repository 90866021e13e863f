// How identity records are written and read as JSON (Boost.Describe). Reading merges the stored
// members over the type's defaults: a member added by a newer release is absent from older
// records and takes its default, and a member this release does not know is ignored — so
// upgrades and downgrades never fail to load a record or a session token.
#pragma once
#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace orch::identity {

template <class T>
std::string encode_record(const T& v) {
  return boost::json::serialize(boost::json::value_from(v));
}

template <class T>
T decode_record(std::string_view text) {
  boost::json::value merged = boost::json::value_from(T{});
  const boost::json::value stored = boost::json::parse(text);
  for (const auto& [k, v] : stored.as_object())
    if (auto* slot = merged.as_object().if_contains(k)) *slot = v;
  return boost::json::value_to<T>(merged);
}

}  // namespace orch::identity
