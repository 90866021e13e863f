// Decoding RBAC objects from their JSON, defaulting and validating them with kube-apiserver's
// field errors (pkg/apis/rbac/validation, ObjectMeta and label selector validation).
#include <boost/json.hpp>

#include "rbac/internal.h"
#include "rbac/rbac.h"

namespace orch::rbac {
namespace bj = boost::json;
namespace {

std::string child(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}
std::string index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string json_text(const bj::value& v) {
  return v.is_string() ? go_quote(std::string_view(v.as_string())) : bj::serialize(v);
}

// Reads fields, recording a TypeInvalid error for a value of the wrong JSON type (kube-apiserver
// fails decoding such objects). Absent and null fields read as empty, as Go's decoder does.
class Reader {
 public:
  FieldErrors errs;

  void type_error(const std::string& path, const bj::value& v, std::string_view expected) {
    errs.push_back(
        {ErrorType::TypeInvalid, path, json_text(v), "must be of type " + std::string(expected)});
  }

  const bj::value* field(const bj::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return nullptr;
    return &it->value();
  }

  const bj::object* object(const bj::object& o, std::string_view key, const std::string& path) {
    const bj::value* v = field(o, key);
    if (!v) return nullptr;
    if (!v->is_object()) {
      type_error(path, *v, "object");
      return nullptr;
    }
    return &v->as_object();
  }

  const bj::array* array(const bj::object& o, std::string_view key, const std::string& path) {
    const bj::value* v = field(o, key);
    if (!v) return nullptr;
    if (!v->is_array()) {
      type_error(path, *v, "array");
      return nullptr;
    }
    return &v->as_array();
  }

  std::string string(const bj::object& o, std::string_view key, const std::string& path) {
    const bj::value* v = field(o, key);
    if (!v) return {};
    if (!v->is_string()) {
      type_error(path, *v, "string");
      return {};
    }
    return std::string(v->as_string());
  }

  std::vector<std::string> strings(const bj::object& o, std::string_view key,
                                   const std::string& path) {
    std::vector<std::string> out;
    const bj::array* a = array(o, key, path);
    if (!a) return out;
    for (size_t i = 0; i < a->size(); ++i) {
      const bj::value& e = (*a)[i];
      if (e.is_string()) out.emplace_back(e.as_string());
      else type_error(index(path, i), e, "string");
    }
    return out;
  }

  template <class Map>
  Map string_map(const bj::object& o, std::string_view key, const std::string& path) {
    Map out;
    const bj::object* m = object(o, key, path);
    if (!m) return out;
    for (const auto& kv : *m) {
      if (kv.value().is_string())
        out.emplace(std::string(kv.key()), std::string(kv.value().as_string()));
      else if (!kv.value().is_null()) type_error(child(path, kv.key()), kv.value(), "string");
    }
    return out;
  }
};

// The object itself, with apiVersion and kind checked when present.
const bj::object* top(Reader& r, const bj::value& v, std::string_view kind) {
  if (!v.is_object()) {
    r.type_error("", v, "object");
    return nullptr;
  }
  const bj::object& o = v.as_object();
  std::string api = r.string(o, "apiVersion", "apiVersion");
  if (!api.empty() && api != kApiVersion)
    r.errs.push_back({ErrorType::NotSupported, "apiVersion", go_quote(api),
                      "supported values: " + go_quote(kApiVersion)});
  std::string k = r.string(o, "kind", "kind");
  if (!k.empty() && k != kind)
    r.errs.push_back({ErrorType::NotSupported, "kind", go_quote(k),
                      "supported values: " + go_quote(kind)});
  return &o;
}

struct Meta {
  ObjectMeta m;
  std::string generate_name;
};

Meta read_meta(Reader& r, const bj::object& o) {
  Meta meta;
  const bj::object* m = r.object(o, "metadata", "metadata");
  if (!m) return meta;
  meta.m.name = r.string(*m, "name", "metadata.name");
  meta.generate_name = r.string(*m, "generateName", "metadata.generateName");
  meta.m.ns = r.string(*m, "namespace", "metadata.namespace");
  meta.m.labels = r.string_map<Labels>(*m, "labels", "metadata.labels");
  return meta;
}

PolicyRule read_rule(Reader& r, const bj::object& o, const std::string& path) {
  PolicyRule rule;
  rule.verbs = r.strings(o, "verbs", child(path, "verbs"));
  rule.api_groups = r.strings(o, "apiGroups", child(path, "apiGroups"));
  rule.resources = r.strings(o, "resources", child(path, "resources"));
  rule.resource_names = r.strings(o, "resourceNames", child(path, "resourceNames"));
  rule.non_resource_urls = r.strings(o, "nonResourceURLs", child(path, "nonResourceURLs"));
  return rule;
}

std::vector<PolicyRule> read_rules(Reader& r, const bj::object& o) {
  std::vector<PolicyRule> rules;
  const bj::array* a = r.array(o, "rules", "rules");
  if (!a) return rules;
  for (size_t i = 0; i < a->size(); ++i) {
    std::string path = index("rules", i);
    if (!(*a)[i].is_object()) {
      r.type_error(path, (*a)[i], "object");
      continue;
    }
    rules.push_back(read_rule(r, (*a)[i].as_object(), path));
  }
  return rules;
}

LabelSelector read_selector(Reader& r, const bj::object& o, const std::string& path) {
  LabelSelector s;
  s.match_labels = r.string_map<std::map<std::string, std::string, std::less<>>>(
      o, "matchLabels", child(path, "matchLabels"));
  if (const bj::array* a = r.array(o, "matchExpressions", child(path, "matchExpressions"))) {
    for (size_t i = 0; i < a->size(); ++i) {
      std::string p = index(child(path, "matchExpressions"), i);
      if (!(*a)[i].is_object()) {
        r.type_error(p, (*a)[i], "object");
        continue;
      }
      const bj::object& e = (*a)[i].as_object();
      s.match_expressions.push_back({r.string(e, "key", child(p, "key")),
                                     r.string(e, "operator", child(p, "operator")),
                                     r.strings(e, "values", child(p, "values"))});
    }
  }
  return s;
}

RoleRef read_role_ref(Reader& r, const bj::object& o) {
  RoleRef ref;
  if (const bj::object* m = r.object(o, "roleRef", "roleRef")) {
    ref.api_group = r.string(*m, "apiGroup", "roleRef.apiGroup");
    ref.kind = r.string(*m, "kind", "roleRef.kind");
    ref.name = r.string(*m, "name", "roleRef.name");
  }
  // SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding
  if (ref.api_group.empty()) ref.api_group = kGroupName;
  return ref;
}

std::vector<Subject> read_subjects(Reader& r, const bj::object& o) {
  std::vector<Subject> out;
  const bj::array* a = r.array(o, "subjects", "subjects");
  if (!a) return out;
  for (size_t i = 0; i < a->size(); ++i) {
    std::string p = index("subjects", i);
    if (!(*a)[i].is_object()) {
      r.type_error(p, (*a)[i], "object");
      continue;
    }
    const bj::object& e = (*a)[i].as_object();
    Subject s{r.string(e, "kind", child(p, "kind")), r.string(e, "apiGroup", child(p, "apiGroup")),
              r.string(e, "name", child(p, "name")), r.string(e, "namespace", child(p, "namespace"))};
    // SetDefaults_Subject
    if (s.api_group.empty() && (s.kind == "User" || s.kind == "Group")) s.api_group = kGroupName;
    out.push_back(std::move(s));
  }
  return out;
}

// ---- validation ----

void invalid(FieldErrors& errs, std::string path, std::string value, std::string detail) {
  errs.push_back({ErrorType::Invalid, std::move(path), std::move(value), std::move(detail)});
}
void required(FieldErrors& errs, std::string path, std::string detail) {
  errs.push_back({ErrorType::Required, std::move(path), {}, std::move(detail)});
}
void forbidden(FieldErrors& errs, std::string path, std::string detail) {
  errs.push_back({ErrorType::Forbidden, std::move(path), {}, std::move(detail)});
}
void not_supported(FieldErrors& errs, std::string path, std::string_view value,
                   std::vector<std::string_view> supported) {
  std::string d = "supported values: ";
  for (size_t i = 0; i < supported.size(); ++i) {
    if (i > 0) d += ", ";
    d += go_quote(supported[i]);
  }
  errs.push_back({ErrorType::NotSupported, std::move(path), go_quote(value), std::move(d)});
}

template <class Map>
void validate_labels(FieldErrors& errs, const Map& labels, const std::string& path) {
  for (const auto& [k, v] : labels) {
    for (auto& m : detail::label_key_errors(k)) invalid(errs, path, go_quote(k), m);
    for (auto& m : detail::label_value_errors(v)) invalid(errs, path, go_quote(v), m);
  }
}

// ValidateObjectMeta with RBAC's name rule (a valid path segment).
void validate_meta(FieldErrors& errs, const Meta& meta, bool namespaced) {
  if (!meta.generate_name.empty())
    for (auto& m : detail::path_segment_errors(meta.generate_name, true))
      invalid(errs, "metadata.generateName", go_quote(meta.generate_name), m);
  if (meta.m.name.empty()) {
    required(errs, "metadata.name", "name or generateName is required");
  } else {
    for (auto& m : detail::path_segment_errors(meta.m.name, false))
      invalid(errs, "metadata.name", go_quote(meta.m.name), m);
  }
  if (namespaced) {
    if (meta.m.ns.empty()) required(errs, "metadata.namespace", "");
    else
      for (auto& m : detail::dns1123_label_errors(meta.m.ns))
        invalid(errs, "metadata.namespace", go_quote(meta.m.ns), m);
  } else if (!meta.m.ns.empty()) {
    forbidden(errs, "metadata.namespace", "not allowed on this type");
  }
  validate_labels(errs, meta.m.labels, "metadata.labels");
}

void validate_rule(FieldErrors& errs, const PolicyRule& r, bool namespaced, const std::string& p) {
  if (r.verbs.empty()) required(errs, child(p, "verbs"), "verbs must contain at least one value");
  if (!r.non_resource_urls.empty()) {
    if (namespaced)
      invalid(errs, child(p, "nonResourceURLs"), detail::go_syntax(r.non_resource_urls),
              "namespaced rules cannot apply to non-resource URLs");
    if (!r.api_groups.empty() || !r.resources.empty() || !r.resource_names.empty())
      invalid(errs, child(p, "nonResourceURLs"), detail::go_syntax(r.non_resource_urls),
              "rules cannot apply to both regular resources and non-resource URLs");
    return;
  }
  if (r.api_groups.empty())
    required(errs, child(p, "apiGroups"), "resource rules must supply at least one api group");
  if (r.resources.empty())
    required(errs, child(p, "resources"), "resource rules must supply at least one resource");
}

void validate_rules(FieldErrors& errs, const std::vector<PolicyRule>& rules, bool namespaced) {
  for (size_t i = 0; i < rules.size(); ++i)
    validate_rule(errs, rules[i], namespaced, index("rules", i));
}

void validate_selector(FieldErrors& errs, const LabelSelector& s, const std::string& path) {
  size_t before = errs.size();
  validate_labels(errs, s.match_labels, child(path, "matchLabels"));
  for (size_t i = 0; i < s.match_expressions.size(); ++i) {
    const auto& e = s.match_expressions[i];
    std::string p = index(child(path, "matchExpressions"), i);
    if (e.op == "In" || e.op == "NotIn") {
      if (e.values.empty())
        required(errs, child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'");
    } else if (e.op == "Exists" || e.op == "DoesNotExist") {
      if (!e.values.empty())
        forbidden(errs, child(p, "values"),
                  "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    } else {
      invalid(errs, child(p, "operator"), go_quote(e.op), "not a valid selector operator");
    }
    for (auto& m : detail::label_key_errors(e.key)) invalid(errs, child(p, "key"), go_quote(e.key), m);
    for (size_t k = 0; k < e.values.size(); ++k)
      for (auto& m : detail::label_value_errors(e.values[k]))
        invalid(errs, index(child(p, "values"), k), go_quote(e.values[k]), m);
  }
  // ValidateClusterRole also converts the selector, which fails exactly when the checks above
  // did; kube then reports the (nil) converted selector as well.
  if (errs.size() != before) invalid(errs, path, "null", "invalid label selector.");
}

void validate_subject(FieldErrors& errs, const Subject& s, bool namespaced, const std::string& p) {
  if (s.name.empty()) required(errs, child(p, "name"), "");
  if (s.kind == "ServiceAccount") {
    if (!s.name.empty())
      for (auto& m : detail::dns1123_subdomain_errors(s.name))
        invalid(errs, child(p, "name"), go_quote(s.name), m);
    if (!s.api_group.empty()) not_supported(errs, child(p, "apiGroup"), s.api_group, {""});
    if (!namespaced && s.ns.empty()) required(errs, child(p, "namespace"), "");
  } else if (s.kind == "User" || s.kind == "Group") {
    if (s.api_group != kGroupName) not_supported(errs, child(p, "apiGroup"), s.api_group, {kGroupName});
  } else {
    not_supported(errs, child(p, "kind"), s.kind, {"ServiceAccount", "User", "Group"});
  }
}

void validate_binding(FieldErrors& errs, const RoleRef& ref, const std::vector<Subject>& subjects,
                      bool namespaced) {
  if (ref.api_group != kGroupName) not_supported(errs, "roleRef.apiGroup", ref.api_group, {kGroupName});
  if (namespaced) {
    if (ref.kind != "Role" && ref.kind != "ClusterRole")
      not_supported(errs, "roleRef.kind", ref.kind, {"Role", "ClusterRole"});
  } else if (ref.kind != "ClusterRole") {
    not_supported(errs, "roleRef.kind", ref.kind, {"ClusterRole"});
  }
  if (ref.name.empty()) {
    required(errs, "roleRef.name", "");
  } else {
    for (auto& m : detail::path_segment_errors(ref.name, false))
      invalid(errs, "roleRef.name", go_quote(ref.name), m);
  }
  for (size_t i = 0; i < subjects.size(); ++i)
    validate_subject(errs, subjects[i], namespaced, index("subjects", i));
}

template <class T>
Parsed<T> finish(Reader& r, T obj) {
  Parsed<T> p;
  p.object = std::move(obj);
  p.errors = std::move(r.errs);
  return p;
}

}  // namespace

Parsed<Role> parse_role(const bj::value& v) {
  Reader r;
  Role role;
  const bj::object* o = top(r, v, "Role");
  if (!o) return finish(r, std::move(role));
  Meta meta = read_meta(r, *o);
  role.metadata = meta.m;
  role.rules = read_rules(r, *o);
  if (!r.errs.empty()) return finish(r, std::move(role));  // undecodable: nothing to validate
  validate_meta(r.errs, meta, true);
  validate_rules(r.errs, role.rules, true);
  return finish(r, std::move(role));
}

Parsed<ClusterRole> parse_cluster_role(const bj::value& v) {
  Reader r;
  ClusterRole role;
  const bj::object* o = top(r, v, "ClusterRole");
  if (!o) return finish(r, std::move(role));
  Meta meta = read_meta(r, *o);
  role.metadata = meta.m;
  role.rules = read_rules(r, *o);
  if (const bj::object* agg = r.object(*o, "aggregationRule", "aggregationRule")) {
    AggregationRule rule;
    const std::string base = "aggregationRule.clusterRoleSelectors";
    if (const bj::array* a = r.array(*agg, "clusterRoleSelectors", base)) {
      for (size_t i = 0; i < a->size(); ++i) {
        if (!(*a)[i].is_object()) {
          r.type_error(index(base, i), (*a)[i], "object");
          continue;
        }
        rule.cluster_role_selectors.push_back(read_selector(r, (*a)[i].as_object(), index(base, i)));
      }
    }
    role.aggregation_rule = std::move(rule);
  }
  if (!r.errs.empty()) return finish(r, std::move(role));
  validate_meta(r.errs, meta, false);
  validate_rules(r.errs, role.rules, false);
  if (role.aggregation_rule) {
    const auto& sels = role.aggregation_rule->cluster_role_selectors;
    if (sels.empty())
      required(r.errs, "aggregationRule.clusterRoleSelectors",
               "at least one clusterRoleSelector required if aggregationRule is non-nil");
    for (size_t i = 0; i < sels.size(); ++i)
      validate_selector(r.errs, sels[i], index("aggregationRule.clusterRoleSelectors", i));
  }
  return finish(r, std::move(role));
}

Parsed<RoleBinding> parse_role_binding(const bj::value& v) {
  Reader r;
  RoleBinding b;
  const bj::object* o = top(r, v, "RoleBinding");
  if (!o) return finish(r, std::move(b));
  Meta meta = read_meta(r, *o);
  b.metadata = meta.m;
  b.role_ref = read_role_ref(r, *o);
  b.subjects = read_subjects(r, *o);
  if (!r.errs.empty()) return finish(r, std::move(b));
  validate_meta(r.errs, meta, true);
  validate_binding(r.errs, b.role_ref, b.subjects, true);
  return finish(r, std::move(b));
}

Parsed<ClusterRoleBinding> parse_cluster_role_binding(const bj::value& v) {
  Reader r;
  ClusterRoleBinding b;
  const bj::object* o = top(r, v, "ClusterRoleBinding");
  if (!o) return finish(r, std::move(b));
  Meta meta = read_meta(r, *o);
  b.metadata = meta.m;
  b.role_ref = read_role_ref(r, *o);
  b.subjects = read_subjects(r, *o);
  if (!r.errs.empty()) return finish(r, std::move(b));
  validate_meta(r.errs, meta, false);
  validate_binding(r.errs, b.role_ref, b.subjects, false);
  return finish(r, std::move(b));
}

Parsed<Object> parse_object(const bj::value& v) {
  auto lift = [](auto p) {
    Parsed<Object> out;
    out.object = std::move(p.object);
    out.errors = std::move(p.errors);
    return out;
  };
  std::string_view kind;
  if (v.is_object())
    if (auto it = v.as_object().find("kind"); it != v.as_object().end() && it->value().is_string())
      kind = it->value().as_string();
  if (kind == "Role") return lift(parse_role(v));
  if (kind == "ClusterRole") return lift(parse_cluster_role(v));
  if (kind == "RoleBinding") return lift(parse_role_binding(v));
  if (kind == "ClusterRoleBinding") return lift(parse_cluster_role_binding(v));
  Parsed<Object> out;
  not_supported(out.errors, "kind", kind, {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"});
  return out;
}

FieldErrors validate_role_ref_update(const RoleRef& old_ref, const RoleRef& new_ref) {
  FieldErrors errs;
  if (old_ref != new_ref)
    invalid(errs, "roleRef",
            "rbac.RoleRef{APIGroup:" + go_quote(new_ref.api_group) + ", Kind:" +
                go_quote(new_ref.kind) + ", Name:" + go_quote(new_ref.name) + "}",
            "cannot change roleRef");
  return errs;
}

void apply_defaults(bj::object& obj) {
  auto kind = obj.find("kind");
  if (kind == obj.end() || !kind->value().is_string()) return;
  std::string_view k = kind->value().as_string();
  if (k != "RoleBinding" && k != "ClusterRoleBinding") return;
  auto empty = [](const bj::object& o, std::string_view key) {
    auto it = o.find(key);
    return it == o.end() || it->value().is_null() ||
           (it->value().is_string() && it->value().as_string().empty());
  };
  if (auto ref = obj.find("roleRef"); ref != obj.end() && ref->value().is_object()) {
    bj::object& r = ref->value().as_object();
    if (empty(r, "apiGroup")) r["apiGroup"] = kGroupName;
  }
  if (auto subs = obj.find("subjects"); subs != obj.end() && subs->value().is_array()) {
    for (auto& s : subs->value().as_array()) {
      if (!s.is_object()) continue;
      bj::object& so = s.as_object();
      auto kd = so.find("kind");
      if (kd == so.end() || !kd->value().is_string()) continue;
      std::string_view sk = kd->value().as_string();
      if ((sk == "User" || sk == "Group") && empty(so, "apiGroup")) so["apiGroup"] = kGroupName;
    }
  }
}

namespace {
bj::array strings_json(const std::vector<std::string>& v) {
  bj::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}
}  // namespace

bj::object to_json(const PolicyRule& r) {
  // Field order and omitempty as rbac/v1 PolicyRule serializes.
  bj::object o;
  o["verbs"] = strings_json(r.verbs);
  if (!r.api_groups.empty()) o["apiGroups"] = strings_json(r.api_groups);
  if (!r.resources.empty()) o["resources"] = strings_json(r.resources);
  if (!r.resource_names.empty()) o["resourceNames"] = strings_json(r.resource_names);
  if (!r.non_resource_urls.empty()) o["nonResourceURLs"] = strings_json(r.non_resource_urls);
  return o;
}

bj::array to_json(const std::vector<PolicyRule>& rules) {
  bj::array a;
  for (const auto& r : rules) a.emplace_back(to_json(r));
  return a;
}

bj::object RulesReview::to_json() const {
  bj::object o;
  bj::array rr;
  for (const auto& r : resource_rules) {
    bj::object e;
    e["verbs"] = strings_json(r.verbs);
    if (!r.api_groups.empty()) e["apiGroups"] = strings_json(r.api_groups);
    if (!r.resources.empty()) e["resources"] = strings_json(r.resources);
    if (!r.resource_names.empty()) e["resourceNames"] = strings_json(r.resource_names);
    rr.emplace_back(std::move(e));
  }
  bj::array nr;
  for (const auto& r : non_resource_rules) {
    bj::object e;
    e["verbs"] = strings_json(r.verbs);
    if (!r.non_resource_urls.empty()) e["nonResourceURLs"] = strings_json(r.non_resource_urls);
    nr.emplace_back(std::move(e));
  }
  o["resourceRules"] = std::move(rr);
  o["nonResourceRules"] = std::move(nr);
  o["incomplete"] = incomplete;
  if (!evaluation_error.empty()) o["evaluationError"] = evaluation_error;
  return o;
}

}  // namespace orch::rbac
