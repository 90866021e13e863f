#include "kube/apiserver/custom_kinds.h"

#include <algorithm>
#include <regex>

#include "kube/apiserver/crd.h"
#include "kube/apiserver/stored.h"

namespace orch::kube {
namespace json = boost::json;

namespace {
std::string str(const json::object& o, std::string_view k) {
  auto* x = o.if_contains(k);
  return x && x->is_string() ? std::string(x->as_string()) : std::string();
}
std::vector<std::string> strings(const json::object& o, std::string_view k) {
  std::vector<std::string> out;
  if (auto* a = o.if_contains(k); a && a->is_array())
    for (const auto& s : a->as_array())
      if (s.is_string()) out.emplace_back(s.as_string());
  return out;
}
const json::object* obj_at(const json::object& o, std::string_view k) {
  auto* x = o.if_contains(k);
  return x && x->is_object() ? &x->as_object() : nullptr;
}

std::vector<PrinterColumn> columns(const json::object& ver) {
  std::vector<PrinterColumn> out;
  if (auto* cols = ver.if_contains("additionalPrinterColumns"); cols && cols->is_array())
    for (const auto& c : cols->as_array()) {
      if (!c.is_object()) continue;
      const json::object& o = c.as_object();
      auto* p = o.if_contains("priority");
      out.push_back({str(o, "name"), str(o, "type"), str(o, "format"), str(o, "description"), str(o, "jsonPath"),
                     p && p->is_int64() ? int(p->get_int64()) : 0});
    }
  return out;
}

// One Resource per served version of a stored CRD.
void add_kinds(const json::object& crd, std::vector<Resource>& out) {
  static const std::vector<std::string> kVerbs{"delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"};
  const json::object* spec = obj_at(crd, "spec");
  const json::object* names = spec ? obj_at(*spec, "names") : nullptr;
  const json::value* versions = spec ? spec->if_contains("versions") : nullptr;
  if (!names || !versions || !versions->is_array()) return;
  std::string storage;
  for (const auto& v : versions->as_array())
    if (v.is_object() && v.as_object().if_contains("storage") && v.as_object().at("storage") == json::value(true))
      storage = str(v.as_object(), "name");
  bool terminating = obj_at(crd, "metadata") && crd.at("metadata").as_object().contains("deletionTimestamp");
  for (const auto& v : versions->as_array()) {
    if (!v.is_object() || v.as_object().if_contains("served") == nullptr || v.as_object().at("served") != json::value(true))
      continue;
    const json::object& ver = v.as_object();
    auto kind = std::make_shared<CustomKind>();
    kind->crd_name = str(crd.at("metadata").as_object(), "name");
    kind->storage_version = storage;
    if (const json::object* s = obj_at(ver, "schema"); s && s->contains("openAPIV3Schema")) kind->schema = s->at("openAPIV3Schema");
    kind->columns = columns(ver);
    kind->categories = strings(*names, "categories");
    kind->terminating = terminating;
    std::vector<std::string> subs;
    if (const json::object* sub = obj_at(ver, "subresources")) {
      kind->status = sub->contains("status");
      if (const json::object* scale = obj_at(*sub, "scale")) {
        kind->spec_replicas_path = str(*scale, "specReplicasPath");
        kind->status_replicas_path = str(*scale, "statusReplicasPath");
        if (scale->contains("labelSelectorPath")) kind->label_selector_path = str(*scale, "labelSelectorPath");
      }
    }
    if (kind->status) subs.push_back("status");
    if (kind->spec_replicas_path) subs.push_back("scale");
    Resource r{str(*spec, "group"), str(ver, "name"), str(*names, "plural"), str(*names, "singular"), str(*names, "kind"),
               str(*spec, "scope") == "Namespaced", strings(*names, "shortNames"), kVerbs, std::move(subs)};
    r.custom = std::move(kind);
    out.push_back(std::move(r));
  }
}
}  // namespace

bool version_before(std::string_view a, std::string_view b) {
  // v<major>[(alpha|beta)<minor>]: GA before beta before alpha, higher numbers first; versions
  // of another shape after all of these, alphabetically.
  static const std::regex kVersion("^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$");
  auto rank = [](std::string_view v) {
    std::cmatch m;
    std::string s(v);
    if (!std::regex_match(s.c_str(), m, kVersion)) return std::tuple<int, long, long>{3, 0, 0};
    int level = !m[2].matched ? 0 : m[2] == "beta" ? 1 : 2;
    return std::tuple<int, long, long>{level, -std::stol(m[1]), m[3].matched ? -std::stol(m[3]) : 0};
  };
  auto ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb;
  return a < b;
}

std::vector<Resource> custom_resources(store::Store& store, const std::string& cluster) {
  static const Resource* crds = find_resource(kApiExtensionsGroup, "v1", "customresourcedefinitions");
  std::vector<Resource> out;
  for (const auto& kv : store.list(crds->prefix(cluster)).items) {
    json::value crd = parse_stored(kv.value);
    if (crd.is_object() && crd_established(crd.as_object())) add_kinds(crd.as_object(), out);
  }
  std::stable_sort(out.begin(), out.end(), [](const Resource& a, const Resource& b) {
    if (a.group != b.group) return a.group < b.group;
    return a.version != b.version && version_before(a.version, b.version);
  });
  return out;
}

std::vector<Resource> served_resources(store::Store& store, const std::string& cluster) {
  std::vector<Resource> all = resources();
  for (auto& r : custom_resources(store, cluster)) all.push_back(std::move(r));
  return all;
}

std::optional<Resource> find_custom_resource(store::Store& store, const std::string& cluster, std::string_view group,
                                             std::string_view version, std::string_view plural) {
  for (auto& r : custom_resources(store, cluster))
    if (r.group == group && r.version == version && r.resource == plural) return std::move(r);
  return std::nullopt;
}

}  // namespace orch::kube
