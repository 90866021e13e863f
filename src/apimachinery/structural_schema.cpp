#include "apimachinery/structural_schema.h"

#include <boost/json.hpp>
#include <cmath>
#include <regex>

#include "apimachinery/gofmt.h"

namespace orch::apimachinery::schema {
namespace bj = boost::json;

namespace {
const bj::object* as_schema(const bj::value* v) { return v && v->is_object() ? &v->as_object() : nullptr; }
const bj::object* member_schema(const bj::object& s, std::string_view k) { return as_schema(s.if_contains(k)); }

bool flag(const bj::object& s, std::string_view k) {
  const bj::value* v = s.if_contains(k);
  return v && v->is_bool() && v->get_bool();
}

std::string type_of(const bj::object& s) {
  const bj::value* t = s.if_contains("type");
  return t && t->is_string() ? std::string(t->as_string()) : std::string();
}

std::string child_path(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}
std::string index_path(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

// ---- pruning ----
void prune_node(bj::value& v, const bj::object& s, const std::string& path, std::vector<std::string>& out) {
  if (v.is_array()) {
    if (const bj::object* items = member_schema(s, "items"))
      for (size_t i = 0; i < v.as_array().size(); ++i) prune_node(v.as_array()[i], *items, index_path(path, i), out);
    return;
  }
  if (!v.is_object()) return;
  bj::object& o = v.as_object();
  const bj::object* props = member_schema(s, "properties");
  const bj::object* additional = member_schema(s, "additionalProperties");
  bool preserve = flag(s, "x-kubernetes-preserve-unknown-fields");
  std::vector<std::string> drop;
  for (auto& [k, child] : o) {
    // The root's apiVersion, kind and metadata are the generic machinery's, whatever the schema says.
    if (path.empty() && (k == "apiVersion" || k == "kind" || k == "metadata")) continue;
    std::string p = child_path(path, k);
    if (const bj::object* ps = props ? member_schema(*props, k) : nullptr) prune_node(child, *ps, p, out);
    else if (additional) prune_node(child, *additional, p, out);
    else if (!preserve) {
      drop.emplace_back(k);
      out.push_back(std::move(p));  // in document order
    }
  }
  for (const auto& k : drop) o.erase(k);
}

// ---- validation ----
// The type go-openapi reports for a decoded JSON value (integers are int64, other numbers float64).
std::string json_type(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null: return "null";
    case bj::kind::bool_: return "boolean";
    case bj::kind::int64:
    case bj::kind::uint64: return "integer";
    case bj::kind::double_: return "number";
    case bj::kind::string: return "string";
    case bj::kind::array: return "array";
    case bj::kind::object: return "object";
  }
  return "";
}

bool has_type(const bj::value& v, const std::string& t) {
  std::string actual = json_type(v);
  return actual == t || (t == "number" && actual == "integer");
}

double number(const bj::value& v) { return v.is_double() ? v.get_double() : v.is_int64() ? double(v.get_int64()) : double(v.get_uint64()); }

// %v of a schema bound (a float64 in go-openapi): 10, 1.5.
std::string bound_text(const bj::value& v) { return gofmt::float64(number(v)); }

FieldError error(FieldErrorType type, const std::string& path, bj::value value, std::string detail) {
  return FieldError{type, path, std::move(value), false, std::move(detail)};
}

class Validator {
 public:
  FieldErrorList errs;

  void node(const bj::value& v, const bj::object& s, const std::string& path) {
    if (v.is_null()) {
      if (flag(s, "nullable")) return;
      if (std::string t = type_of(s); !t.empty()) type_error(path, v, t);
      return;
    }
    if (flag(s, "x-kubernetes-int-or-string")) {
      if (!v.is_string() && !v.is_int64() && !v.is_uint64()) return type_error(path, v, "integer,string");
    } else if (std::string t = type_of(s); !t.empty() && !has_type(v, t)) {
      return type_error(path, v, t);
    }
    if (const bj::value* e = s.if_contains("enum"); e && e->is_array()) enum_check(v, e->as_array(), path);
    if (v.is_number()) numeric(v, s, path);
    if (v.is_string()) text(v.get_string(), s, path);
    if (v.is_array()) list(v.as_array(), s, path);
    if (v.is_object()) object(v.as_object(), s, path);
  }

 private:
  void type_error(const std::string& path, const bj::value& v, const std::string& want) {
    std::string actual = json_type(v);
    errs.push_back(error(FieldErrorType::TypeInvalid, path, bj::string(actual),
                         path + " in body must be of type " + want + ": " + gofmt::quote(actual)));
  }

  void enum_check(const bj::value& v, const bj::array& allowed, const std::string& path) {
    for (const auto& a : allowed)
      if (a == v || (a.is_number() && v.is_number() && number(a) == number(v))) return;
    std::vector<std::string> values;
    for (const auto& a : allowed) values.push_back(a.is_string() ? std::string(a.get_string()) : gofmt::json_marshal(a));
    errs.push_back(not_supported(FieldPath(path), v, values));
  }

  void numeric(const bj::value& v, const bj::object& s, const std::string& path) {
    double d = number(v);
    if (const bj::value* m = s.if_contains("maximum"); m && m->is_number()) {
      bool exclusive = flag(s, "exclusiveMaximum");
      if (exclusive ? d >= number(*m) : d > number(*m))
        errs.push_back(error(FieldErrorType::Invalid, path, v, path + " in body should be less than " +
                                                                   (exclusive ? "" : "or equal to ") + bound_text(*m)));
    }
    if (const bj::value* m = s.if_contains("minimum"); m && m->is_number()) {
      bool exclusive = flag(s, "exclusiveMinimum");
      if (exclusive ? d <= number(*m) : d < number(*m))
        errs.push_back(error(FieldErrorType::Invalid, path, v, path + " in body should be greater than " +
                                                                   (exclusive ? "" : "or equal to ") + bound_text(*m)));
    }
    if (const bj::value* m = s.if_contains("multipleOf"); m && m->is_number() && number(*m) > 0) {
      double q = d / number(*m);
      if (std::fabs(q - std::round(q)) > 1e-9)
        errs.push_back(error(FieldErrorType::Invalid, path, v, path + " in body should be a multiple of " + bound_text(*m)));
    }
  }

  void text(const bj::string& str, const bj::object& s, const std::string& path) {
    // Lengths count characters (runes), not bytes, as go-openapi does.
    size_t runes = 0;
    for (unsigned char c : str) runes += (c & 0xC0) != 0x80;
    if (const bj::value* m = s.if_contains("maxLength"); m && m->is_int64() && int64_t(runes) > m->get_int64())
      errs.push_back(error(FieldErrorType::TooLong, path, bj::string(str),
                           "may not be longer than " + std::to_string(m->get_int64())));
    if (const bj::value* m = s.if_contains("minLength"); m && m->is_int64() && int64_t(runes) < m->get_int64())
      errs.push_back(error(FieldErrorType::Invalid, path, bj::string(str),
                           path + " in body should be at least " + std::to_string(m->get_int64()) + " chars long"));
    if (const bj::value* p = s.if_contains("pattern"); p && p->is_string()) {
      bool ok = false;
      try {
        ok = std::regex_search(std::string(str), std::regex(std::string(p->get_string()), std::regex::ECMAScript));
      } catch (const std::regex_error&) {
        ok = true;  // a pattern the CRD check let through but this engine cannot compile
      }
      if (!ok)
        errs.push_back(error(FieldErrorType::Invalid, path, bj::string(str),
                             path + " in body should match '" + std::string(p->get_string()) + "'"));
    }
  }

  void list(const bj::array& a, const bj::object& s, const std::string& path) {
    if (const bj::value* m = s.if_contains("maxItems"); m && m->is_int64() && int64_t(a.size()) > m->get_int64())
      errs.push_back(too_many(FieldPath(path), int(a.size()), int(m->get_int64())));
    if (const bj::value* m = s.if_contains("minItems"); m && m->is_int64() && int64_t(a.size()) < m->get_int64())
      errs.push_back(error(FieldErrorType::Invalid, path, bj::value(int64_t(a.size())),
                           path + " in body should have at least " + std::to_string(m->get_int64()) + " items"));
    if (const bj::object* items = member_schema(s, "items"))
      for (size_t i = 0; i < a.size(); ++i) node(a[i], *items, index_path(path, i));
  }

  void object(const bj::object& o, const bj::object& s, const std::string& path) {
    if (const bj::value* req = s.if_contains("required"); req && req->is_array())
      for (const auto& r : req->as_array())
        if (r.is_string() && !o.contains(r.get_string()))
          errs.push_back(required(FieldPath(child_path(path, r.get_string()))));
    const bj::object* props = member_schema(s, "properties");
    const bj::object* additional = member_schema(s, "additionalProperties");
    for (const auto& [k, child] : o) {
      if (path.empty() && (k == "apiVersion" || k == "kind" || k == "metadata")) continue;  // the generic checks' part
      if (const bj::object* ps = props ? member_schema(*props, k) : nullptr) node(child, *ps, child_path(path, k));
      else if (additional) node(child, *additional, child_path(path, k));
    }
  }
};

// ---- structural checks ----
void structural(const bj::object& s, const FieldPath& path, bool root, const char* what, FieldErrorList& errs) {
  std::string t = type_of(s);
  bool typeless_ok = flag(s, "x-kubernetes-int-or-string") || flag(s, "x-kubernetes-preserve-unknown-fields");
  if (root && t != "object") {
    if (t.empty()) errs.push_back(required(path.child("type"), "must not be empty at the root"));
    else errs.push_back(invalid(path.child("type"), bj::string(t), "must be object at the root"));
  } else if (!root && t.empty() && !typeless_ok) {
    errs.push_back(required(path.child("type"), std::string("must not be empty for specified ") + what));
  }
  if (const bj::object* props = member_schema(s, "properties"))
    for (const auto& [k, child] : *props)
      if (child.is_object()) structural(child.as_object(), path.child("properties").key(k), false, "object fields", errs);
  if (const bj::object* items = member_schema(s, "items")) structural(*items, path.child("items"), false, "array items", errs);
  if (const bj::object* add = member_schema(s, "additionalProperties"))
    structural(*add, path.child("additionalProperties"), false, "object fields", errs);
  if (member_schema(s, "properties") && member_schema(s, "additionalProperties"))
    errs.push_back(forbidden(path.child("additionalProperties"), "additionalProperties and properties are mutual exclusive"));
}
// Structural defaulting below one schema node (see default_values()).
void fill_defaults(bj::value& v, const bj::object& node) {
  if (v.is_object()) {
    bj::object& o = v.as_object();
    if (const bj::value* props = node.if_contains("properties"); props && props->is_object())
      for (const auto& [name, sub] : props->as_object()) {
        if (!sub.is_object()) continue;
        const bj::object& child = sub.as_object();
        bj::value* have = o.if_contains(name);
        // A missing member, or null where null is not allowed, takes the default.
        bool nullable = child.if_contains("nullable") && child.at("nullable") == true;
        if (const bj::value* d = child.if_contains("default"); d && (!have || (have->is_null() && !nullable))) {
          o[name] = *d;
          have = o.if_contains(name);
        }
        if (have) fill_defaults(*have, child);
      }
    if (const bj::value* more = node.if_contains("additionalProperties"); more && more->is_object())
      for (auto& kv : o)
        if (!node.if_contains("properties") || !node.at("properties").as_object().contains(kv.key()))
          fill_defaults(kv.value(), more->as_object());
  } else if (v.is_array()) {
    if (const bj::value* items = node.if_contains("items"); items && items->is_object())
      for (auto& e : v.as_array()) fill_defaults(e, items->as_object());
  }
}
}  // namespace

void default_values(bj::value& object, const bj::value& schema) {
  if (schema.is_object()) fill_defaults(object, schema.as_object());
}

std::vector<std::string> prune(bj::value& object, const bj::value& schema) {
  std::vector<std::string> out;
  if (const bj::object* s = as_schema(&schema)) prune_node(object, *s, "", out);
  return out;
}

FieldErrorList validate(const bj::value& object, const bj::value& schema) {
  Validator v;
  if (const bj::object* s = as_schema(&schema)) v.node(object, *s, "");
  return v.errs;
}

FieldErrorList structural_errors(const bj::value& schema, const FieldPath& path) {
  FieldErrorList errs;
  if (const bj::object* s = as_schema(&schema)) structural(*s, path, true, "", errs);
  return errs;
}

}  // namespace orch::apimachinery::schema
