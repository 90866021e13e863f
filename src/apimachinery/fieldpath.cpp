#include "apimachinery/fieldpath.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

#include "apimachinery/gofmt.h"
#include "apimachinery/json_util.h"

namespace orch::apimachinery::fieldpath {
namespace bj = boost::json;

namespace {

int value_rank(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::int64:
    case bj::kind::uint64:
    case bj::kind::double_: return 0;
    case bj::kind::string: return 1;
    case bj::kind::bool_: return 2;
    case bj::kind::array: return 3;
    case bj::kind::object: return 4;
    case bj::kind::null: return 5;
  }
  return 5;
}

double as_double(const bj::value& v) {
  return v.is_double() ? v.get_double() : v.is_int64() ? static_cast<double>(v.get_int64())
                                                       : static_cast<double>(v.get_uint64());
}

int compare_values(const bj::value& a, const bj::value& b);

std::vector<const bj::key_value_pair*> sorted(const bj::object& o) {
  std::vector<const bj::key_value_pair*> v;
  for (const auto& kv : o) v.push_back(&kv);
  std::sort(v.begin(), v.end(), [](auto* x, auto* y) { return x->key() < y->key(); });
  return v;
}

int compare_objects(const bj::object& a, const bj::object& b) {
  auto x = sorted(a), y = sorted(b);
  for (size_t i = 0;; ++i) {
    if (i >= x.size() && i >= y.size()) return 0;
    if (i >= x.size()) return -1;
    if (i >= y.size()) return 1;
    if (int c = x[i]->key().compare(y[i]->key())) return c < 0 ? -1 : 1;
    if (int c = compare_values(x[i]->value(), y[i]->value())) return c;
  }
}

int compare_values(const bj::value& a, const bj::value& b) {
  int ra = value_rank(a), rb = value_rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0: {
      if (a.is_int64() && b.is_int64()) return a.get_int64() < b.get_int64() ? -1 : a.get_int64() > b.get_int64();
      double x = as_double(a), y = as_double(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 1: {
      int c = a.get_string().subview().compare(b.get_string().subview());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case 2: return a.get_bool() == b.get_bool() ? 0 : a.get_bool() ? 1 : -1;
    case 3: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      for (size_t i = 0;; ++i) {
        if (i >= x.size() && i >= y.size()) return 0;
        if (i >= x.size()) return -1;
        if (i >= y.size()) return 1;
        if (int c = compare_values(x[i], y[i])) return c;
      }
    }
    case 4: return compare_objects(a.get_object(), b.get_object());
    default: return 0;
  }
}

// value.ToString: strings quoted Go-style, numbers and booleans plain.
std::string value_string(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null: return "null";
    case bj::kind::string: return gofmt::quote(v.get_string());
    case bj::kind::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ",";
        first = false;
        out += value_string(e);
      }
      return out + "]";
    }
    case bj::kind::object: {
      std::string out;
      for (auto* kv : sorted(v.get_object())) out += std::string(kv->key()) + "=" + value_string(kv->value());
      return out;
    }
    default: return gofmt::sprint(v);
  }
}

}  // namespace

PathElement PathElement::of_field(std::string name) {
  PathElement e;
  e.type = Type::Field;
  e.field = std::move(name);
  return e;
}
PathElement PathElement::of_key(bj::object key) {
  PathElement e;
  e.type = Type::Key;
  e.key = std::move(key);
  return e;
}
PathElement PathElement::of_value(bj::value v) {
  PathElement e;
  e.type = Type::Value;
  e.value = std::move(v);
  return e;
}
PathElement PathElement::of_index(int64_t i) {
  PathElement e;
  e.type = Type::Index;
  e.index = i;
  return e;
}

std::string PathElement::str() const {
  switch (type) {
    case Type::Field: return "." + field;
    case Type::Key: {
      std::string out = "[";
      bool first = true;
      for (auto* kv : sorted(key)) {
        if (!first) out += ",";
        first = false;
        out += std::string(kv->key()) + "=" + value_string(kv->value());
      }
      return out + "]";
    }
    case Type::Value: return "[=" + value_string(value) + "]";
    case Type::Index: return "[" + std::to_string(index) + "]";
  }
  return {};
}

std::string PathElement::serialize() const {
  switch (type) {
    case Type::Field: return "f:" + field;
    case Type::Key: return "k:" + gofmt::json_marshal(key);
    case Type::Value: return "v:" + gofmt::json_marshal(value);
    case Type::Index: return "i:" + std::to_string(index);
  }
  return {};
}

std::optional<PathElement> PathElement::parse(std::string_view s) {
  if (s.size() < 2 || s[1] != ':') return std::nullopt;
  std::string_view rest = s.substr(2);
  switch (s[0]) {
    case 'f': return of_field(std::string(rest));
    case 'k':
    case 'v': {
      bj::error_code ec;
      bj::parse_options opts;
      opts.max_depth = 32;
      bj::value v = bj::parse(rest, ec, {}, opts);
      if (ec) return std::nullopt;
      if (s[0] == 'v') return of_value(std::move(v));
      if (!v.is_object()) return std::nullopt;
      return of_key(std::move(v.get_object()));
    }
    case 'i': {
      int64_t i = 0;
      auto r = std::from_chars(rest.data(), rest.data() + rest.size(), i);
      if (r.ec != std::errc() || r.ptr != rest.data() + rest.size()) return std::nullopt;
      return of_index(i);
    }
    default: return std::nullopt;
  }
}

int compare(const PathElement& a, const PathElement& b) {
  if (a.type != b.type) return a.type < b.type ? -1 : 1;
  switch (a.type) {
    case PathElement::Type::Field: {
      int c = a.field.compare(b.field);
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case PathElement::Type::Key: return compare_objects(a.key, b.key);
    case PathElement::Type::Value: return compare_values(a.value, b.value);
    case PathElement::Type::Index: return a.index < b.index ? -1 : a.index > b.index ? 1 : 0;
  }
  return 0;
}

std::string to_string(const Path& p) {
  std::string out;
  for (const auto& e : p) out += e.str();
  return out;
}

void Set::insert(const Path& p) {
  Node* n = &root_;
  for (const auto& e : p) n = &n->children[e];
  if (!p.empty()) n->member = true;
}

bool Set::has(const Path& p) const {
  const Node* n = &root_;
  for (const auto& e : p) {
    auto it = n->children.find(e);
    if (it == n->children.end()) return false;
    n = &it->second;
  }
  return !p.empty() && n->member;
}

bool Set::has_prefix(const Path& p) const {
  const Node* n = &root_;
  for (const auto& e : p) {
    auto it = n->children.find(e);
    if (it == n->children.end()) return false;
    n = &it->second;
  }
  return n->member || !n->children.empty();
}

bool Set::empty() const { return root_.children.empty(); }

size_t Set::size() const { return paths().size(); }

bool Set::prune(Node& n) {
  for (auto it = n.children.begin(); it != n.children.end();) {
    if (prune(it->second))
      it = n.children.erase(it);
    else
      ++it;
  }
  return !n.member && n.children.empty();
}

Set Set::union_with(const Set& o) const {
  Set out = *this;
  for (const auto& p : o.paths()) out.insert(p);
  return out;
}

Set Set::difference(const Set& o) const {
  Set out;
  for (const auto& p : paths())
    if (!o.has(p)) out.insert(p);
  return out;
}

Set Set::intersection(const Set& o) const {
  Set out;
  for (const auto& p : paths())
    if (o.has(p)) out.insert(p);
  return out;
}

void Set::collect(const Node& n, Path& prefix, std::vector<Path>& out) {
  for (const auto& [e, child] : n.children) {
    if (!child.member) continue;
    prefix.push_back(e);
    out.push_back(prefix);
    prefix.pop_back();
  }
  for (const auto& [e, child] : n.children) {
    if (child.children.empty()) continue;
    prefix.push_back(e);
    collect(child, prefix, out);
    prefix.pop_back();
  }
}

std::vector<Path> Set::paths() const {
  std::vector<Path> out;
  Path prefix;
  collect(root_, prefix, out);
  return out;
}

bj::object Set::emit(const Node& n) {
  bj::object o;
  for (const auto& [e, child] : n.children) {
    if (child.children.empty()) {
      if (child.member) o[e.serialize()] = bj::object();
      continue;
    }
    bj::object sub;
    if (child.member) sub["."] = bj::object();
    for (auto& kv : emit(child)) sub[kv.key()] = std::move(kv.value());
    o[e.serialize()] = std::move(sub);
  }
  return o;
}

bj::object Set::to_fields_v1() const { return emit(root_); }

bool Set::parse_into(const bj::object& o, Node& n, int depth) {
  if (depth > static_cast<int>(json::kMaxDepth)) return false;
  for (const auto& kv : o) {
    if (kv.key() == ".") {
      n.member = true;
      continue;
    }
    auto e = PathElement::parse(kv.key());
    if (!e || !kv.value().is_object()) return false;
    Node& child = n.children[*e];
    if (kv.value().get_object().empty())
      child.member = true;
    else if (!parse_into(kv.value().get_object(), child, depth + 1))
      return false;
  }
  return true;
}

std::optional<Set> Set::from_fields_v1(const bj::value& v) {
  if (v.is_null()) return Set();
  if (!v.is_object()) return std::nullopt;
  Set s;
  if (!parse_into(v.get_object(), s.root_, 0)) return std::nullopt;
  s.root_.member = false;
  prune(s.root_);
  return s;
}

}  // namespace orch::apimachinery::fieldpath
