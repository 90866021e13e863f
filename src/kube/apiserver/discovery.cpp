#include "kube/apiserver/discovery.h"

#include <set>

#include "kube/apiserver/resources.h"

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

json::object discovery_resource(const Resource& r) {
  json::object o{{"resource", r.resource},
                 {"responseKind", json::object{{"group", r.group}, {"version", r.version}, {"kind", r.kind}}},
                 {"scope", r.namespaced ? "Namespaced" : "Cluster"},
                 {"singularResource", r.singular},
                 {"verbs", json::value_from(r.verbs)}};
  if (!r.short_names.empty()) o["shortNames"] = json::value_from(r.short_names);
  json::array subs;
  for (const auto& s : r.subresources)
    subs.push_back(json::object{{"subresource", s},
                                {"responseKind", json::object{{"group", s == "log" ? "" : r.group},
                                                              {"version", r.version},
                                                              {"kind", s == "log" ? "" : r.kind}}},
                                {"verbs", s == "log" ? json::array{"get"} : json::array{"get", "patch", "update"}}});
  if (!subs.empty()) o["subresources"] = std::move(subs);
  return o;
}

std::vector<std::string> groups() {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& r : resources())
    if (!r.group.empty() && seen.insert(r.group).second) out.push_back(r.group);
  return out;
}
}  // namespace

json::object version_info() {
  return {{"major", "1"},           {"minor", "32"},        {"gitVersion", "v1.32.0-orchestera"},
          {"gitCommit", ""},        {"gitTreeState", "clean"}, {"buildDate", "2026-12-01T00:00:00Z"},
          {"goVersion", "go1.23"},  {"compiler", "gc"},        {"platform", "linux/amd64"}};
}

http::Response discovery_root(bool core, const std::string& accept) {
  if (std::string version = aggregated_version(accept); !version.empty()) {
    json::array items;
    for (const std::string& g : core ? std::vector<std::string>{""} : groups()) {
      json::array res;
      for (const auto& r : resources())
        if (r.group == g) res.push_back(discovery_resource(r));
      items.push_back(json::object{{"metadata", json::object{{"name", g}}},
                                   {"versions", json::array{json::object{{"version", "v1"}, {"resources", std::move(res)},
                                                                         {"freshness", "Current"}}}}});
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
    for (const auto& g : groups()) {
      json::object v{{"groupVersion", g + "/v1"}, {"version", "v1"}};
      list.push_back(json::object{{"name", g}, {"versions", json::array{v}}, {"preferredVersion", v}});
    }
    body = {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", std::move(list)}};
  }
  return http::Response{200, {{"Content-Type", "application/json"}}, json::serialize(body)};
}

json::object resource_list(const std::string& group, const std::string& version) {
  json::array res;
  for (const auto& r : resources()) {
    if (r.group != group || r.version != version) continue;
    json::object o{{"name", r.resource}, {"singularName", r.singular}, {"namespaced", r.namespaced},
                   {"kind", r.kind}, {"verbs", json::value_from(r.verbs)}};
    if (!r.short_names.empty()) o["shortNames"] = json::value_from(r.short_names);
    res.push_back(std::move(o));
    for (const auto& s : r.subresources)
      res.push_back(json::object{{"name", r.resource + "/" + s}, {"singularName", ""}, {"namespaced", r.namespaced},
                                 {"kind", s == "log" ? "Pod" : r.kind}, {"verbs", json::array{"get"}}});
  }
  return {{"kind", "APIResourceList"}, {"apiVersion", "v1"},
          {"groupVersion", group.empty() ? version : group + "/" + version}, {"resources", std::move(res)}};
}

json::object openapi_root() {
  json::object paths;
  paths["api/v1"] = json::object{{"serverRelativeURL", "/openapi/v3/api/v1"}};
  for (const auto& g : groups()) paths["apis/" + g + "/v1"] = json::object{{"serverRelativeURL", "/openapi/v3/apis/" + g + "/v1"}};
  return {{"paths", std::move(paths)}};
}

std::optional<json::object> openapi_document(std::string_view gv) {
  std::string group;
  if (gv == "api/v1") group = "";
  else if (gv.starts_with("apis/") && gv.ends_with("/v1")) group = std::string(gv.substr(5, gv.size() - 8));
  else return std::nullopt;
  json::object paths;
  for (const auto& r : resources()) {
    if (r.group != group || r.verbs.size() == 1) continue;
    std::string base = group.empty() ? "/api/v1" : "/apis/" + group + "/v1";
    std::string path = base + (r.namespaced ? "/namespaces/{namespace}/" : "/") + r.resource + "/{name}";
    json::object op{{"x-kubernetes-group-version-kind", json::object{{"group", r.group}, {"version", r.version}, {"kind", r.kind}}},
                    {"parameters", json::array{json::object{{"name", "fieldValidation"}, {"in", "query"},
                                                            {"schema", json::object{{"type", "string"}}}}}}};
    paths[path] = json::object{{"patch", std::move(op)}};
  }
  if (paths.empty()) return std::nullopt;
  return json::object{{"openapi", "3.0.0"}, {"info", json::object{{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
                      {"paths", std::move(paths)}};
}

}  // namespace orch::kube
