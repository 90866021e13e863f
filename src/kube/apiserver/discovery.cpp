#include "kube/apiserver/discovery.h"

#include <algorithm>

#include "kube/apiserver/custom_kinds.h"

namespace orch::kube {
namespace json = boost::json;

namespace {
// Aggregated discovery in the newest version the client accepts: kubectl 1.30+ asks for v2 (and
// v2beta1), 1.28-1.29 only for v2beta1; the body is the same in both.
std::string aggregated_version(const std::string& accept) {
  if (accept.find("v=v2;as=APIGroupDiscoveryList") != std::string::npos) return "v2";
  if (accept.find("v=v2beta1;as=APIGroupDiscoveryList") != std::string::npos) return "v2beta1";
  return {};
}

// A subresource's kind: the object's own, a Scale, or none for a log stream.
json::object subresource_kind(const Resource& r, const std::string& sub) {
  if (sub == "scale") return {{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}};
  if (sub == "log") return {{"group", ""}, {"version", r.version}, {"kind", ""}};
  return {{"group", r.group}, {"version", r.version}, {"kind", r.kind}};
}

json::object discovery_resource(const Resource& r) {
  json::object o{{"resource", r.resource},
                 {"responseKind", json::object{{"group", r.group}, {"version", r.version}, {"kind", r.kind}}},
                 {"scope", r.namespaced ? "Namespaced" : "Cluster"},
                 {"singularResource", r.singular},
                 {"verbs", json::value_from(r.verbs)}};
  if (!r.short_names.empty()) o["shortNames"] = json::value_from(r.short_names);
  if (r.custom && !r.custom->categories.empty()) o["categories"] = json::value_from(r.custom->categories);
  json::array subs;
  for (const auto& s : r.subresources)
    subs.push_back(json::object{{"subresource", s},
                                {"responseKind", subresource_kind(r, s)},
                                {"verbs", s == "log" ? json::array{"get"} : json::array{"get", "patch", "update"}}});
  if (!subs.empty()) o["subresources"] = std::move(subs);
  return o;
}

struct GroupVersions {
  std::string group;
  std::vector<std::string> versions;  // preferred first
};

// The groups in the order of the table (custom ones after the built-in ones), each with its
// versions in the order met (custom resources come sorted by version priority).
std::vector<GroupVersions> groups(const std::vector<Resource>& all, bool core) {
  std::vector<GroupVersions> out;
  for (const auto& r : all) {
    if (r.group.empty() != core) continue;
    auto g = std::find_if(out.begin(), out.end(), [&](const GroupVersions& x) { return x.group == r.group; });
    if (g == out.end()) g = out.insert(out.end(), GroupVersions{r.group, {}});
    if (std::find(g->versions.begin(), g->versions.end(), r.version) == g->versions.end()) g->versions.push_back(r.version);
  }
  return out;
}

// Where a group version's OpenAPI document and APIs are: "api/v1", "apis/<group>/<version>".
std::string gv_path(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

// The name kube gives a custom kind's schema: the group reversed, then version and kind
// (io.k8s.sparkoperator.v1beta2.SparkApplication).
std::string schema_name(const Resource& r) {
  std::string reversed;
  std::string_view g = r.group;
  while (!g.empty()) {
    size_t dot = g.rfind('.');
    std::string_view label = dot == std::string_view::npos ? g : g.substr(dot + 1);
    reversed += (reversed.empty() ? "" : ".") + std::string(label);
    g = dot == std::string_view::npos ? std::string_view() : g.substr(0, dot);
  }
  return reversed + "." + r.version + "." + r.kind;
}

// A custom kind's schema as kube publishes it: the CRD's, with the standard members described.
json::object published_schema(const Resource& r) {
  json::object schema = r.custom->schema.is_object() ? r.custom->schema.as_object() : json::object{{"type", "object"}};
  if (!schema["properties"].is_object()) schema["properties"].emplace_object();
  json::object& props = schema["properties"].as_object();
  props["apiVersion"] = json::object{{"type", "string"}, {"description",
      "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized "
      "schemas to the latest internal value, and may reject unrecognized values."}};
  props["kind"] = json::object{{"type", "string"}, {"description",
      "Kind is a string value representing the REST resource this object represents. Servers may infer this from the "
      "endpoint the client submits requests to. Cannot be updated. In CamelCase."}};
  props["metadata"] = json::object{{"type", "object"}, {"description",
      "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"}};
  schema["x-kubernetes-group-version-kind"] =
      json::array{json::object{{"group", r.group}, {"kind", r.kind}, {"version", r.version}}};
  return schema;
}
}  // namespace

json::object version_info() {
  return {{"major", "1"},           {"minor", "32"},        {"gitVersion", "v1.32.0-orchestera"},
          {"gitCommit", ""},        {"gitTreeState", "clean"}, {"buildDate", "2026-12-01T00:00:00Z"},
          {"goVersion", "go1.23"},  {"compiler", "gc"},        {"platform", "linux/amd64"}};
}

http::Response discovery_root(bool core, const std::string& accept, const std::vector<Resource>& all) {
  if (std::string version = aggregated_version(accept); !version.empty()) {
    json::array items;
    for (const auto& g : groups(all, core)) {
      json::array versions;
      for (const auto& v : g.versions) {
        json::array res;
        for (const auto& r : all)
          if (r.group == g.group && r.version == v) res.push_back(discovery_resource(r));
        versions.push_back(json::object{{"version", v}, {"resources", std::move(res)}, {"freshness", "Current"}});
      }
      items.push_back(json::object{{"metadata", json::object{{"name", g.group}}}, {"versions", std::move(versions)}});
    }
    json::object body{{"kind", "APIGroupDiscoveryList"}, {"apiVersion", "apidiscovery.k8s.io/" + version},
                      {"metadata", json::object{}}, {"items", std::move(items)}};
    std::string type = "application/json;g=apidiscovery.k8s.io;v=" + version + ";as=APIGroupDiscoveryList";
    return http::Response{200, {{"Content-Type", type}}, json::serialize(body)};
  }
  json::object body;
  if (core) {
    body = {{"kind", "APIVersions"}, {"versions", json::array{"v1"}}};
  } else {
    json::array list;
    for (const auto& g : groups(all, false)) {
      json::array versions;
      for (const auto& v : g.versions) versions.push_back(json::object{{"groupVersion", g.group + "/" + v}, {"version", v}});
      json::value preferred = versions.front();
      list.push_back(json::object{{"name", g.group}, {"versions", std::move(versions)}, {"preferredVersion", std::move(preferred)}});
    }
    body = {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", std::move(list)}};
  }
  return http::Response{200, {{"Content-Type", "application/json"}}, json::serialize(body)};
}

json::object resource_list(const std::string& group, const std::string& version, const std::vector<Resource>& all) {
  json::array res;
  for (const auto& r : all) {
    if (r.group != group || r.version != version) continue;
    json::object o{{"name", r.resource}, {"singularName", r.singular}, {"namespaced", r.namespaced},
                   {"kind", r.kind}, {"verbs", json::value_from(r.verbs)}};
    if (!r.short_names.empty()) o["shortNames"] = json::value_from(r.short_names);
    if (r.custom && !r.custom->categories.empty()) o["categories"] = json::value_from(r.custom->categories);
    res.push_back(std::move(o));
    for (const auto& s : r.subresources) {
      json::object sub{{"name", r.resource + "/" + s}, {"singularName", ""}, {"namespaced", r.namespaced},
                       {"kind", s == "log" ? "Pod" : s == "scale" ? "Scale" : r.kind}, {"verbs", json::array{"get"}}};
      if (s == "scale") sub["group"] = "autoscaling", sub["version"] = "v1";
      res.push_back(std::move(sub));
    }
  }
  return {{"kind", "APIResourceList"}, {"apiVersion", "v1"},
          {"groupVersion", group.empty() ? version : group + "/" + version}, {"resources", std::move(res)}};
}

json::object openapi_root(const std::vector<Resource>& all) {
  json::object paths;
  for (bool core : {true, false})
    for (const auto& g : groups(all, core))
      for (const auto& v : g.versions)
        paths[gv_path(g.group, v)] = json::object{{"serverRelativeURL", "/openapi/v3/" + gv_path(g.group, v)}};
  return {{"paths", std::move(paths)}};
}

std::optional<json::object> openapi_document(std::string_view gv, const std::vector<Resource>& all) {
  json::object paths, schemas;
  for (const auto& r : all) {
    if (gv_path(r.group, r.version) != gv || r.verbs.size() == 1) continue;
    std::string path = "/" + std::string(gv) + (r.namespaced ? "/namespaces/{namespace}/" : "/") + r.resource + "/{name}";
    json::object op{{"x-kubernetes-group-version-kind", json::object{{"group", r.group}, {"version", r.version}, {"kind", r.kind}}},
                    {"parameters", json::array{json::object{{"name", "fieldValidation"}, {"in", "query"},
                                                            {"schema", json::object{{"type", "string"}}}}}}};
    paths[path] = json::object{{"patch", std::move(op)}};
    if (r.custom) schemas[schema_name(r)] = published_schema(r);
  }
  if (paths.empty()) return std::nullopt;
  json::object doc{{"openapi", "3.0.0"}, {"info", json::object{{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
                   {"paths", std::move(paths)}};
  if (!schemas.empty()) doc["components"] = json::object{{"schemas", std::move(schemas)}};
  return doc;
}

}  // namespace orch::kube
