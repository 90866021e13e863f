#include "kube/apiserver/custom_resource.h"

#include "apimachinery/json_patch.h"
#include "apimachinery/json_util.h"
#include "apimachinery/status.h"
#include "apimachinery/structural_schema.h"
#include "kube/apiserver/registry.h"

namespace orch::kube {
namespace json = boost::json;

namespace {
int64_t generation(const json::object& obj) {
  const json::value* g = apimachinery::json::find_path(obj, "metadata.generation");
  return g && g->is_int64() ? g->get_int64() : 0;
}

// The spec as generation counts it: everything but metadata (and status when it has its own
// subresource).
bool spec_changed(const Resource& r, const json::object& a, const json::object& b) {
  auto strip = [&](json::object o) {
    o.erase("metadata");
    if (r.custom->status) o.erase("status");
    return json::value(std::move(o));
  };
  return !apimachinery::json::equal(strip(a), strip(b));
}

void prune_and_validate(const Resource& r, json::object& obj) {
  json::value whole = std::move(obj);
  apimachinery::schema::prune(whole, r.custom->schema);
  apimachinery::schema::default_values(whole, r.custom->schema);
  auto errs = apimachinery::schema::validate(whole, r.custom->schema);
  obj = std::move(whole.as_object());
  if (errs.empty()) return;
  const json::value* name = apimachinery::json::find_path(obj, "metadata.name");
  throw ApiError{apimachinery::status::invalid({r.group, r.kind}, name && name->is_string() ? std::string(name->as_string()) : "", errs), {}};
}

// A JSONPath of the simple shapes printer columns and scale paths use, as segments.
struct Step {
  std::string member;                       // .name
  std::optional<size_t> index;              // [N]
  std::string filter_key, filter_value;     // [?(@.key=="value")]
};

std::vector<Step> parse_path(std::string_view p) {
  if (p.starts_with("{") && p.ends_with("}")) p = p.substr(1, p.size() - 2);
  std::vector<Step> steps;
  size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '.') {
      size_t end = p.find_first_of(".[", i + 1);
      if (end == std::string_view::npos) end = p.size();
      steps.push_back({std::string(p.substr(i + 1, end - i - 1)), {}, {}, {}});
      i = end;
    } else if (p[i] == '[') {
      size_t end = p.find(']', i);
      if (end == std::string_view::npos) return {};
      std::string_view inner = p.substr(i + 1, end - i - 1);
      if (inner.starts_with("?(@.") && inner.ends_with(")")) {
        std::string_view cond = inner.substr(4, inner.size() - 5);
        size_t eq = cond.find("==");
        if (eq == std::string_view::npos) return {};
        std::string_view value = cond.substr(eq + 2);
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) value = value.substr(1, value.size() - 2);
        steps.push_back({{}, {}, std::string(cond.substr(0, eq)), std::string(value)});
      } else {
        try {
          steps.push_back({{}, std::stoul(std::string(inner)), {}, {}});
        } catch (const std::exception&) {
          return {};
        }
      }
      i = end + 1;
    } else {
      return {};
    }
  }
  return steps;
}
}  // namespace

void prepare_custom_create(const Resource& r, json::object& obj) {
  if (r.custom->terminating)
    throw api_error(405, "MethodNotAllowed", "create not allowed while custom resource definition is terminating");
  if (r.custom->status) obj.erase("status");
  obj["metadata"].as_object()["generation"] = 1;
  prune_and_validate(r, obj);
}

void prepare_custom_update(const Resource& r, const json::object& current, json::object& obj, std::string_view subresource) {
  if (subresource == "status") {
    // Only the status changes through /status (managedFields record who changed it).
    json::value status = obj.contains("status") ? obj["status"] : json::value();
    const json::value* managed = apimachinery::json::find_path(obj, "metadata.managedFields");
    json::value keep_managed = managed ? *managed : json::value();
    obj = current;
    if (status.is_null()) obj.erase("status");
    else obj["status"] = std::move(status);
    if (!keep_managed.is_null()) obj["metadata"].as_object()["managedFields"] = std::move(keep_managed);
  } else if (r.custom->status) {
    if (current.contains("status")) obj["status"] = current.at("status");
    else obj.erase("status");
  }
  int64_t gen = std::max<int64_t>(generation(current), 1);
  obj["metadata"].as_object()["generation"] = spec_changed(r, current, obj) ? gen + 1 : gen;
  obj["metadata"].as_object().erase("resourceVersion");
  prune_and_validate(r, obj);
}

std::vector<std::string> custom_unknown_fields(const Resource& r, const json::object& obj) {
  json::value copy = obj;
  return apimachinery::schema::prune(copy, r.custom->schema);
}

json::value json_path_value(const json::value& obj, std::string_view path) {
  auto steps = parse_path(path);
  if (steps.empty()) return nullptr;
  const json::value* cur = &obj;
  for (const auto& s : steps) {
    if (!s.member.empty()) {
      cur = apimachinery::json::find(*cur, s.member);
    } else if (s.index) {
      cur = cur->is_array() && *s.index < cur->as_array().size() ? &cur->as_array()[*s.index] : nullptr;
    } else {
      const json::value* found = nullptr;
      if (cur->is_array())
        for (const auto& e : cur->as_array())
          if (const json::value* k = apimachinery::json::find(e, s.filter_key); k && k->is_string() && k->as_string() == s.filter_value) {
            found = &e;
            break;
          }
      cur = found;
    }
    if (!cur) return nullptr;
  }
  return *cur;
}

namespace {
json::object to_scale(const Resource& r, const json::object& obj) {
  const CustomKind& k = *r.custom;
  json::value whole = obj;
  json::object spec, status;
  json::value replicas = json_path_value(whole, *k.spec_replicas_path);
  spec["replicas"] = replicas.is_int64() ? replicas : json::value(0);
  json::value current = k.status_replicas_path->empty() ? json::value() : json_path_value(whole, *k.status_replicas_path);
  status["replicas"] = current.is_int64() ? current : json::value(0);
  if (k.label_selector_path)
    if (json::value sel = json_path_value(whole, *k.label_selector_path); sel.is_string()) status["selector"] = sel;
  const json::object& md = obj.at("metadata").as_object();
  json::object scale_md;
  for (const char* f : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"})
    if (md.contains(f)) scale_md[f] = md.at(f);
  return {{"kind", "Scale"}, {"apiVersion", "autoscaling/v1"}, {"metadata", std::move(scale_md)},
          {"spec", std::move(spec)}, {"status", std::move(status)}};
}

void set_scale(const Resource& r, json::object& obj, const json::object& scale) {
  const json::value* replicas = apimachinery::json::find_path(scale, "spec.replicas");
  if (!replicas || !replicas->is_int64() || replicas->get_int64() < 0)
    throw ApiError{apimachinery::status::invalid({"autoscaling", "Scale"}, "", {apimachinery::invalid(
                       apimachinery::FieldPath("spec").child("replicas"), replicas ? *replicas : json::value(),
                       "must be greater than or equal to 0")}), {}};
  // specReplicasPath is a dotted path (".spec.replicas"); the members on the way are created.
  json::object* cur = &obj;
  auto steps = parse_path(*r.custom->spec_replicas_path);
  for (size_t i = 0; i + 1 < steps.size(); ++i) {
    json::value& next = (*cur)[steps[i].member];
    if (!next.is_object()) next.emplace_object();
    cur = &next.as_object();
  }
  if (!steps.empty()) (*cur)[steps.back().member] = *replicas;
  if (const json::value* rv = apimachinery::json::find_path(scale, "metadata.resourceVersion"); rv && rv->is_string())
    obj["metadata"].as_object()["resourceVersion"] = *rv;
}

}  // namespace

json::object scale_subresource(Registry& reg, const Resource& r, const std::string& cluster, const std::string& ns,
                               const std::string& name, const std::string& verb, const std::string& content_type,
                               const std::string& body) {
  json::object obj = reg.get(r, cluster, ns, name);
  if (verb == "get") return to_scale(r, obj);
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) throw ApiError{apimachinery::status::bad_request("the request body is not valid JSON"), {}};
  json::value scale = doc;
  if (verb == "patch") {
    std::string type = content_type.substr(0, content_type.find(';'));
    json::value current = to_scale(r, obj);
    apimachinery::Result<json::value, ApiError> patched =
        type == "application/merge-patch+json" ? apimachinery::apply_merge_patch(current, doc)
        : type == "application/json-patch+json"
            ? apimachinery::apply_json_patch(current, doc)
            : throw ApiError{apimachinery::status::unsupported_media_type({"application/json-patch+json",
                                                                          "application/merge-patch+json"}), {}};
    if (!patched) throw patched.error();
    scale = std::move(*patched);
  }
  if (!scale.is_object()) throw ApiError{apimachinery::status::bad_request("the body is not a Scale object"), {}};
  set_scale(r, obj, scale.as_object());
  return to_scale(r, reg.update(r, cluster, ns, name, std::move(obj)));
}

}  // namespace orch::kube
