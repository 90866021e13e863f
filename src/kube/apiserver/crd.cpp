#include "kube/apiserver/crd.h"

#include <algorithm>
#include <set>

#include "apimachinery/status.h"
#include "apimachinery/structural_schema.h"
#include "apimachinery/validation.h"
#include "base/clock.h"
#include "kube/apiserver/registry.h"

namespace orch::kube {
namespace json = boost::json;
using apimachinery::FieldErrorList;
using apimachinery::FieldPath;
namespace v = apimachinery::validation;

namespace {
std::string str(const json::object& o, std::string_view k) {
  auto* x = o.if_contains(k);
  return x && x->is_string() ? std::string(x->as_string()) : std::string();
}
json::object& obj_member(json::object& o, std::string_view k) {
  if (!o[k].is_object()) o[k].emplace_object();
  return o[k].as_object();
}
const json::object* obj_at(const json::object& o, std::string_view k) {
  auto* x = o.if_contains(k);
  return x && x->is_object() ? &x->as_object() : nullptr;
}
std::string join(const v::Problems& p) {
  std::string s;
  for (const auto& x : p) s += (s.empty() ? "" : ",") + x;
  return s;
}

// spec.names defaults as the apiextensions defaulting does: singular = lowercase kind,
// listKind = kind + "List".
void default_names(json::object& names) {
  std::string kind = str(names, "kind");
  if (str(names, "singular").empty() && !kind.empty()) {
    std::string lower = kind;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    names["singular"] = lower;
  }
  if (str(names, "listKind").empty() && !kind.empty()) names["listKind"] = kind + "List";
}

void validate_names(const json::object& names, const FieldPath& p, FieldErrorList& errs) {
  auto dns1035 = [&](const std::string& value, const FieldPath& at, const char* prefix = "") {
    if (auto problems = v::dns1035_label(value); !problems.empty())
      errs.push_back(apimachinery::invalid(at, json::string(value), prefix + join(problems)));
  };
  for (const char* k : {"plural", "kind", "listKind"})
    if (str(names, k).empty()) errs.push_back(apimachinery::required(p.child(k)));
  if (auto plural = str(names, "plural"); !plural.empty()) dns1035(plural, p.child("plural"));
  if (auto singular = str(names, "singular"); !singular.empty()) dns1035(singular, p.child("singular"));
  for (const char* k : {"kind", "listKind"}) {
    std::string value = str(names, k), lower = value;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (!value.empty())
      if (auto problems = v::dns1035_label(lower); !problems.empty())
        errs.push_back(apimachinery::invalid(p.child(k), json::string(value),
                                             "may have mixed case, but should otherwise match: " + join(problems)));
  }
  if (!str(names, "kind").empty() && str(names, "kind") == str(names, "listKind"))
    errs.push_back(apimachinery::invalid(p.child("listKind"), json::string(str(names, "listKind")),
                                         "kind and listKind cannot be the same"));
  for (const char* list : {"shortNames", "categories"})
    if (auto* a = names.if_contains(list); a && a->is_array())
      for (size_t i = 0; i < a->as_array().size(); ++i) {
        const auto& item = a->as_array()[i];
        if (item.is_string()) dns1035(std::string(item.as_string()), p.child(list).index(i));
      }
}

void validate_columns(const json::value* cols, const FieldPath& p, FieldErrorList& errs) {
  if (!cols || !cols->is_array()) return;
  static const std::vector<std::string> kTypes{"integer", "number", "string", "boolean", "date"};
  for (size_t i = 0; i < cols->as_array().size(); ++i) {
    if (!cols->as_array()[i].is_object()) continue;
    const json::object& c = cols->as_array()[i].as_object();
    FieldPath at = p.index(i);
    if (str(c, "name").empty()) errs.push_back(apimachinery::required(at.child("name")));
    std::string type = str(c, "type");
    if (type.empty()) errs.push_back(apimachinery::required(at.child("type")));
    else if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end())
      errs.push_back(apimachinery::not_supported(at.child("type"), json::string(type), kTypes));
    if (str(c, "jsonPath").empty()) errs.push_back(apimachinery::required(at.child("jsonPath")));
  }
}

void validate_versions(const json::object& spec, const FieldPath& p, FieldErrorList& errs) {
  const json::value* versions = spec.if_contains("versions");
  if (!versions || !versions->is_array() || versions->as_array().empty()) {
    errs.push_back(apimachinery::required(p, "must have exactly one version marked as storage version"));
    return;
  }
  std::set<std::string> seen;
  int storage = 0, served = 0;
  for (size_t i = 0; i < versions->as_array().size(); ++i) {
    FieldPath at = p.index(i);
    if (!versions->as_array()[i].is_object()) {
      errs.push_back(apimachinery::invalid(at, versions->as_array()[i], "must be an object"));
      continue;
    }
    const json::object& ver = versions->as_array()[i].as_object();
    std::string name = str(ver, "name");
    if (name.empty()) errs.push_back(apimachinery::required(at.child("name")));
    else if (auto problems = v::dns1035_label(name); !problems.empty())
      errs.push_back(apimachinery::invalid(at.child("name"), json::string(name), join(problems)));
    else if (!seen.insert(name).second)
      errs.push_back(apimachinery::invalid(p, json::string(name), "must contain unique version names"));
    auto boolean = [&](const char* k) { auto* b = ver.if_contains(k); return b && b->is_bool() && b->get_bool(); };
    storage += boolean("storage");
    served += boolean("served");
    const json::object* schema = obj_at(ver, "schema");
    const json::value* openapi = schema ? schema->if_contains("openAPIV3Schema") : nullptr;
    FieldPath schema_path = at.child("schema").child("openAPIV3Schema");
    if (!openapi || !openapi->is_object()) errs.push_back(apimachinery::required(schema_path, "schemas are required"));
    else
      for (auto& e : apimachinery::schema::structural_errors(*openapi, schema_path)) errs.push_back(std::move(e));
    validate_columns(ver.if_contains("additionalPrinterColumns"), at.child("additionalPrinterColumns"), errs);
  }
  if (storage != 1) {
    apimachinery::FieldError e = apimachinery::invalid(p, nullptr, "must have exactly one version marked as storage version");
    e.omit_value = true;
    errs.push_back(std::move(e));
  }
  if (served == 0) {
    apimachinery::FieldError e = apimachinery::invalid(p, nullptr, "must have at least one version marked as served");
    e.omit_value = true;
    errs.push_back(std::move(e));
  }
}

FieldErrorList validate(const json::object& crd) {
  FieldErrorList errs;
  const json::object* spec = obj_at(crd, "spec");
  if (!spec) return {apimachinery::required(FieldPath("spec"))};
  FieldPath sp("spec");
  std::string group = str(*spec, "group");
  if (group.empty()) errs.push_back(apimachinery::required(sp.child("group")));
  else if (group.find('.') == std::string::npos)
    errs.push_back(apimachinery::invalid(sp.child("group"), json::string(group), "should be a domain with at least one dot"));
  else if (auto problems = v::dns1123_subdomain(group); !problems.empty())
    errs.push_back(apimachinery::invalid(sp.child("group"), json::string(group), join(problems)));
  std::string scope = str(*spec, "scope");
  if (scope.empty()) errs.push_back(apimachinery::required(sp.child("scope")));
  else if (scope != "Namespaced" && scope != "Cluster")
    errs.push_back(apimachinery::not_supported(sp.child("scope"), json::string(scope), {"Cluster", "Namespaced"}));
  const json::object* names = obj_at(*spec, "names");
  if (!names) errs.push_back(apimachinery::required(sp.child("names")));
  else validate_names(*names, sp.child("names"), errs);
  validate_versions(*spec, sp.child("versions"), errs);
  std::string name = str(crd.at("metadata").as_object(), "name");
  if (names && !group.empty() && name != str(*names, "plural") + "." + group)
    errs.push_back(apimachinery::invalid(FieldPath("metadata").child("name"), json::string(name),
                                         "must be spec.names.plural+\".\"+spec.group"));
  return errs;
}

std::string storage_version(const json::object& spec) {
  if (auto* vs = spec.if_contains("versions"); vs && vs->is_array())
    for (const auto& ver : vs->as_array())
      if (ver.is_object())
        if (auto* s = ver.as_object().if_contains("storage"); s && s->is_bool() && s->get_bool()) return str(ver.as_object(), "name");
  return {};
}

json::object condition(const char* type, const char* reason, const char* message, int64_t now) {
  return {{"type", type}, {"status", "True"}, {"lastTransitionTime", clock::iso8601(now)}, {"reason", reason}, {"message", message}};
}

// What the naming and establishing controllers would record: the names are the spec's (no two
// CRDs share a metadata.name, which is plural.group), the kind is served, and the storage
// version joins storedVersions.
void accept(json::object& crd, json::array stored, int64_t now) {
  json::object& spec = crd["spec"].as_object();
  json::object& status = obj_member(crd, "status");
  status["acceptedNames"] = spec["names"];
  std::string storage = storage_version(spec);
  if (std::find(stored.begin(), stored.end(), json::value(storage)) == stored.end()) stored.push_back(json::string(storage));
  status["storedVersions"] = std::move(stored);
  if (!status["conditions"].is_array() || status["conditions"].as_array().empty())
    status["conditions"] = json::array{condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
                                       condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now)};
}

void check(const json::object& crd, FieldErrorList errs) {
  if (!errs.empty())
    throw ApiError{apimachinery::status::invalid({std::string(kApiExtensionsGroup), "CustomResourceDefinition"},
                                                 str(crd.at("metadata").as_object(), "name"), errs),
                   {}};
}
}  // namespace

bool is_crd(const Resource& r) { return r.group == kApiExtensionsGroup && r.resource == "customresourcedefinitions"; }

void prepare_crd_create(json::object& crd, int64_t now) {
  json::object& spec = obj_member(crd, "spec");
  if (spec["names"].is_object()) default_names(spec["names"].as_object());
  crd.erase("status");
  check(crd, validate(crd));
  json::object& md = obj_member(crd, "metadata");
  if (!md["finalizers"].is_array()) md["finalizers"].emplace_array();
  json::array& fin = md["finalizers"].as_array();
  if (std::find(fin.begin(), fin.end(), json::value(kCrdCleanupFinalizer)) == fin.end()) fin.push_back(json::string(kCrdCleanupFinalizer));
  accept(crd, {}, now);
}

void prepare_crd_update(const json::object& current, json::object& next, std::string_view subresource, int64_t now) {
  const json::value* old_status = current.if_contains("status");
  if (subresource == "status") {
    // Only the status changes through /status.
    json::value status = next.contains("status") ? next["status"] : json::value();
    json::object md = next["metadata"].as_object();
    next = current;
    next["metadata"] = std::move(md);
    if (status.is_null()) next.erase("status");
    else next["status"] = std::move(status);
    return;
  }
  json::object& spec = obj_member(next, "spec");
  if (spec["names"].is_object()) default_names(spec["names"].as_object());
  FieldErrorList errs = validate(next);
  const json::object* old_spec = obj_at(current, "spec");
  for (const char* k : {"group", "scope"})
    if (old_spec && str(*old_spec, k) != str(spec, k))
      errs.push_back(apimachinery::invalid(FieldPath("spec").child(k), json::string(str(spec, k)), "field is immutable"));
  check(next, std::move(errs));
  json::array stored;
  if (old_status && old_status->is_object()) {
    next["status"] = *old_status;
    if (auto* s = old_status->as_object().if_contains("storedVersions"); s && s->is_array()) stored = s->as_array();
  }
  accept(next, std::move(stored), now);
}

bool crd_established(const json::object& crd) {
  const json::object* status = obj_at(crd, "status");
  const json::value* conds = status ? status->if_contains("conditions") : nullptr;
  if (!conds || !conds->is_array()) return false;
  for (const auto& c : conds->as_array())
    if (c.is_object() && str(c.as_object(), "type") == "Established") return str(c.as_object(), "status") == "True";
  return false;
}

}  // namespace orch::kube
