// How identity records are written and read as JSON (Boost.Describe). Reading is tolerant at
// every depth: a member absent from the stored JSON keeps its default (records written before a
// member was added, e.g. an access entry's principal_id inside a cluster), and a stored member
// this release does not know is ignored — so upgrades and downgrades never fail to load a record
// or a session token.
#pragma once
#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <boost/mp11.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace orch::identity {

template <class T>
std::string encode_record(const T& v) {
  return boost::json::serialize(boost::json::value_from(v));
}

namespace record_detail {
template <class T>
void read(const boost::json::value& v, T& out);

template <class T>
void read(const boost::json::value& v, std::optional<T>& out) {
  if (v.is_null()) {
    out.reset();
    return;
  }
  T value{};
  read(v, value);
  out = std::move(value);
}

template <class T>
void read(const boost::json::value& v, std::vector<T>& out) {
  out.clear();
  if (!v.is_array()) return;
  for (const auto& item : v.as_array()) {
    T value{};
    read(item, value);
    out.push_back(std::move(value));
  }
}

template <class T>
void read(const boost::json::value& v, T& out) {
  if constexpr (boost::describe::has_describe_members<T>::value) {
    if (!v.is_object()) return;
    const auto& obj = v.as_object();
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>([&](auto member) {
      if (const auto* field = obj.if_contains(member.name)) read(*field, out.*member.pointer);
    });
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (v.is_string()) out = std::string(v.as_string());
  } else if constexpr (std::is_same_v<T, bool>) {
    if (v.is_bool()) out = v.as_bool();
  } else if constexpr (std::is_integral_v<T>) {
    if (v.is_number()) out = v.to_number<T>();
  } else {
    static_assert(sizeof(T) == 0, "a record member of a type decode_record does not read");
  }
}
}  // namespace record_detail

template <class T>
T decode_record(std::string_view text) {
  T out{};
  record_detail::read(boost::json::parse(text), out);
  return out;
}

}  // namespace orch::identity
