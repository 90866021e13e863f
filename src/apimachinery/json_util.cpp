#include "apimachinery/json_util.h"

#include <boost/json.hpp>
#include <utility>
#include <vector>

namespace orch::apimachinery::json {
namespace bj = boost::json;

bool exceeds_depth(const bj::value& v, size_t max_depth) {
  // Explicit stack of (value, depth): recursion here would be the very overflow we guard against.
  std::vector<std::pair<const bj::value*, size_t>> stack{{&v, 0}};
  while (!stack.empty()) {
    auto [cur, depth] = stack.back();
    stack.pop_back();
    if (cur->is_array()) {
      if (depth + 1 > max_depth) return true;
      for (const auto& e : cur->get_array()) stack.emplace_back(&e, depth + 1);
    } else if (cur->is_object()) {
      if (depth + 1 > max_depth) return true;
      for (const auto& kv : cur->get_object()) stack.emplace_back(&kv.value(), depth + 1);
    }
  }
  return false;
}

namespace {
bool is_number(const bj::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

bool number_equal(const bj::value& a, const bj::value& b) {
  if (a.is_double() || b.is_double()) {
    auto d = [](const bj::value& x) {
      return x.is_double()  ? x.get_double()
             : x.is_int64() ? static_cast<double>(x.get_int64())
                            : static_cast<double>(x.get_uint64());
    };
    return d(a) == d(b);
  }
  if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
  if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
  const bj::value& s = a.is_int64() ? a : b;  // one int64, one uint64
  const bj::value& u = a.is_int64() ? b : a;
  return s.get_int64() >= 0 && static_cast<uint64_t>(s.get_int64()) == u.get_uint64();
}
}  // namespace

bool equal(const bj::value& a, const bj::value& b) {
  if (is_number(a) && is_number(b)) return number_equal(a, b);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case bj::kind::array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!equal(x[i], y[i])) return false;
      return true;
    }
    case bj::kind::object: {
      const auto& x = a.get_object();
      const auto& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& kv : x) {
        auto it = y.find(kv.key());
        if (it == y.end() || !equal(kv.value(), it->value())) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

const bj::value* find(const bj::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  auto it = v.get_object().find(key);
  return it == v.get_object().end() ? nullptr : &it->value();
}

bj::value* find(bj::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  auto it = v.get_object().find(key);
  return it == v.get_object().end() ? nullptr : &it->value();
}

const bj::value* find_path(const bj::value& v, std::string_view dotted) {
  const bj::value* cur = &v;
  while (cur) {
    auto dot = dotted.find('.');
    cur = find(*cur, dotted.substr(0, dot));
    if (dot == std::string_view::npos) return cur;
    dotted.remove_prefix(dot + 1);
  }
  return nullptr;
}

}  // namespace orch::apimachinery::json
