#include "kube/apiserver/registry.h"

#include "base/clock.h"
#include "base/crypto.h"
#include "base/ids.h"

namespace orch::kube {
namespace json = boost::json;

namespace {
std::string qualified(const Resource& r) { return r.group.empty() ? r.resource : r.resource + "." + r.group; }

ApiError invalid(const Resource& r, const std::string& name, const std::string& field, const std::string& detail) {
  return {422, "Invalid", r.kind + " \"" + name + "\" is invalid: " + field + ": " + detail,
          json::object{{"name", name}, {"kind", r.resource}}};
}

bool dns1123_label(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return s.front() != '-' && s.back() != '-';
}

bool dns1123_subdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string label = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!dns1123_label(label)) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// RBAC names are path segments; everything else here is a DNS subdomain (namespaces a label).
std::string name_problem(const Resource& r, const std::string& name) {
  if (r.group == "rbac.authorization.k8s.io") {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos || name.find('%') != std::string::npos)
      return "Invalid value: \"" + name + "\": may not contain '/' or '%' and may not be '.' or '..'";
    return {};
  }
  if (r.resource == "namespaces" ? dns1123_label(name) : dns1123_subdomain(name)) return {};
  return r.resource == "namespaces"
             ? "Invalid value: \"" + name + "\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
             : "Invalid value: \"" + name + "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
}

constexpr std::string_view kSealedPrefix = "sealed:v1:";

// Secrets: stringData is write-only, merged into data as base64, as the API server does.
void fold_string_data(json::object& obj) {
  auto* sd = obj.if_contains("stringData");
  if (!sd || !sd->is_object()) return;
  if (!obj["data"].is_object()) obj["data"].emplace_object();
  json::object& data = obj["data"].as_object();
  for (const auto& [k, v] : sd->as_object())
    if (v.is_string()) data[k] = crypto::base64_encode(std::string(v.as_string()));
  obj.erase("stringData");
}

std::string random_suffix() {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (unsigned char c : crypto::random_bytes(5)) out += kAlphabet[c % 27];
  return out;
}

// Pods have no node to run on yet: they are accepted, and say so in their status.
void pod_defaults(json::object& obj, int64_t now) {
  json::object& status = obj["status"].emplace_object();
  status["phase"] = "Pending";
  status["conditions"] = json::array{json::object{{"type", "PodScheduled"},
                                                  {"status", "False"},
                                                  {"lastProbeTime", nullptr},
                                                  {"lastTransitionTime", clock::iso8601(now)},
                                                  {"reason", "Unschedulable"},
                                                  {"message", "no nodes available to schedule pods"}}};
  status["qosClass"] = "BestEffort";
}

bool matches_labels(const json::object& obj, const std::string& selector) {
  if (selector.empty()) return true;
  const json::object* labels = nullptr;
  if (auto* md = obj.if_contains("metadata"); md && md->is_object())
    if (auto* l = md->as_object().if_contains("labels"); l && l->is_object()) labels = &l->as_object();
  size_t start = 0;
  while (start <= selector.size()) {
    size_t comma = selector.find(',', start);
    std::string term = selector.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? selector.size() + 1 : comma + 1;
    if (term.empty()) continue;
    bool negate = false;
    size_t eq = term.find("!=");
    if (eq != std::string::npos) negate = true;
    else eq = term.find('=');
    if (eq == std::string::npos) {  // existence: "key" or "!key"
      bool absent = term[0] == '!';
      std::string key = absent ? term.substr(1) : term;
      bool has = labels && labels->contains(key);
      if (has == absent) return false;
      continue;
    }
    std::string key = term.substr(0, eq);
    std::string value = term.substr(eq + (negate ? 2 : (term.compare(eq, 2, "==") == 0 ? 2 : 1)));
    const json::value* v = labels ? labels->if_contains(key) : nullptr;
    bool equal = v && v->is_string() && v->as_string() == value;
    if (equal == negate) return false;
  }
  return true;
}

bool matches_fields(const json::object& obj, const std::string& selector) {
  if (selector.empty()) return true;
  const json::object& md = obj.at("metadata").as_object();
  size_t start = 0;
  while (start <= selector.size()) {
    size_t comma = selector.find(',', start);
    std::string term = selector.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? selector.size() + 1 : comma + 1;
    if (term.empty()) continue;
    bool negate = term.find("!=") != std::string::npos;
    size_t eq = term.find(negate ? "!=" : "=");
    std::string field = term.substr(0, eq);
    std::string value = term.substr(eq + (negate ? 2 : (term.compare(eq, 2, "==") == 0 ? 2 : 1)));
    std::string actual;
    if (field == "metadata.name") actual = md.contains("name") ? std::string(md.at("name").as_string()) : "";
    else if (field == "metadata.namespace") actual = md.contains("namespace") ? std::string(md.at("namespace").as_string()) : "";
    else throw ApiError{400, "BadRequest", "field label not supported: " + field, {}};
    if ((actual == value) == negate) return false;
  }
  return true;
}
}  // namespace

ApiError not_found(const Resource& r, const std::string& name) {
  return {404, "NotFound", qualified(r) + " \"" + name + "\" not found",
          json::object{{"name", name}, {"group", r.group}, {"kind", r.resource}}};
}

std::string Registry::encode(const Resource& r, const std::string& key, const json::object& obj) const {
  std::string text = json::serialize(obj);
  if (!r.sealed) return text;
  // The key is the additional data: a sealed value cannot be moved to another object's key.
  return std::string(kSealedPrefix) + crypto::base64_encode(box_.seal(text, key));
}

json::object Registry::decode(const Resource& r, const store::KeyValue& kv) const {
  std::string text = kv.value;
  if (r.sealed) {
    std::string sealed;
    if (!std::string_view(kv.value).starts_with(kSealedPrefix) ||
        !crypto::base64_decode(std::string_view(kv.value).substr(kSealedPrefix.size()), sealed) ||
        !box_.open(sealed, text, kv.key))
      throw ApiError{500, "InternalError", "a stored " + r.kind + " cannot be decrypted with this data directory's key", {}};
  }
  json::object o = json::parse(text).as_object();
  o["metadata"].as_object()["resourceVersion"] = std::to_string(kv.mod_revision);
  return o;
}

std::string Registry::key(const Resource& r, const std::string& cluster, const std::string& ns,
                          const std::string& name) const {
  return r.prefix(cluster) + (r.namespaced ? ns + "/" : "") + name;
}

bool Registry::exists(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name) const {
  return store_.get(key(r, cluster, ns, name)).has_value();
}

json::object Registry::create(const Resource& r, const std::string& cluster, const std::string& ns, json::object obj,
                              int64_t now) {
  // Every top-level member is in place before references into the object are taken: inserting
  // into a json::object may move its elements.
  obj["apiVersion"] = r.group_version();
  obj["kind"] = r.kind;
  if (!obj["metadata"].is_object()) obj["metadata"].emplace_object();
  if (r.resource == "pods") pod_defaults(obj, now);
  if (r.resource == "secrets") fold_string_data(obj);
  if (r.resource == "namespaces") {
    obj["spec"] = json::object{{"finalizers", json::array{"kubernetes"}}};
    obj["status"] = json::object{{"phase", "Active"}};
  }
  json::object& md = obj["metadata"].as_object();
  std::string name = md.contains("name") && md.at("name").is_string() ? std::string(md.at("name").as_string()) : "";
  if (name.empty() && md.contains("generateName") && md.at("generateName").is_string())
    name = std::string(md.at("generateName").as_string()) + random_suffix();
  if (name.empty())
    throw ApiError{422, "Invalid", r.kind + " \"\" is invalid: metadata.name: Required value: name or generateName is required",
                   json::object{{"kind", r.resource}}};
  if (std::string problem = name_problem(r, name); !problem.empty()) throw invalid(r, name, "metadata.name", problem);
  if (r.namespaced) {
    if (md.contains("namespace") && md.at("namespace").is_string() && md.at("namespace").as_string() != ns)
      throw ApiError{400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request", {}};
    static const Resource* namespaces = find_resource("", "v1", "namespaces");
    if (!exists(*namespaces, cluster, "", ns)) throw not_found(*namespaces, ns);
    md["namespace"] = ns;
  } else {
    md.erase("namespace");
  }
  md["name"] = name;
  md["uid"] = ids::uuid4();
  md["creationTimestamp"] = clock::iso8601(now);
  md.erase("resourceVersion");
  if (r.resource == "namespaces") {
    if (!md["labels"].is_object()) md["labels"].emplace_object();
    md["labels"].as_object()["kubernetes.io/metadata.name"] = name;
  }
  std::string k = key(r, cluster, ns, name);
  auto result = store_.commit({store::Op::create(k, encode(r, k, obj))});
  if (!result.ok)
    throw ApiError{409, "AlreadyExists", qualified(r) + " \"" + name + "\" already exists",
                   json::object{{"name", name}, {"group", r.group}, {"kind", r.resource}}};
  md["resourceVersion"] = std::to_string(result.revision);
  return obj;
}

json::object Registry::get(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name) const {
  auto kv = store_.get(key(r, cluster, ns, name));
  if (!kv) throw not_found(r, name);
  return decode(r, *kv);
}

json::object Registry::list(const Resource& r, const std::string& cluster, const std::string& ns,
                            const std::string& label_selector, const std::string& field_selector) const {
  std::string prefix = r.prefix(cluster) + (r.namespaced && !ns.empty() ? ns + "/" : "");
  auto listed = store_.list(prefix);
  json::array items;
  for (const auto& kv : listed.items) {
    json::object o = decode(r, kv);
    if (matches_labels(o, label_selector) && matches_fields(o, field_selector)) items.push_back(std::move(o));
  }
  return {{"kind", r.kind + "List"},
          {"apiVersion", r.group_version()},
          {"metadata", json::object{{"resourceVersion", std::to_string(listed.revision)}}},
          {"items", std::move(items)}};
}

json::object Registry::update(const Resource& r, const std::string& cluster, const std::string& ns,
                              const std::string& name, json::object obj) {
  auto kv = store_.get(key(r, cluster, ns, name));
  if (!kv) throw not_found(r, name);
  json::object current = decode(r, *kv);
  obj["apiVersion"] = r.group_version();
  obj["kind"] = r.kind;
  if (r.resource == "pods" && current.contains("status")) obj["status"] = current.at("status");
  if (r.resource == "secrets") fold_string_data(obj);
  if (!obj["metadata"].is_object()) obj["metadata"].emplace_object();
  json::object& md = obj["metadata"].as_object();
  if (md.contains("name") && md.at("name") != json::value(name))
    throw ApiError{400, "BadRequest", "the name of the object (" + std::string(md.at("name").as_string()) +
                                          ") does not match the name on the URL (" + name + ")", {}};
  auto conflict = [&] {
    return ApiError{409, "Conflict",
                    "Operation cannot be fulfilled on " + qualified(r) + " \"" + name +
                        "\": the object has been modified; please apply your changes to the latest version and try again",
                    json::object{{"name", name}, {"group", r.group}, {"kind", r.resource}}};
  };
  // A resourceVersion in the body is a precondition (optimistic concurrency).
  if (auto* rv = md.if_contains("resourceVersion"); rv && rv->is_string() && !rv->as_string().empty())
    if (rv->as_string() != std::to_string(kv->mod_revision)) throw conflict();
  // Identity and bookkeeping fields stay as the server set them.
  const json::object& cur_md = current.at("metadata").as_object();
  for (const char* f : {"uid", "creationTimestamp", "namespace", "name"})
    if (cur_md.contains(f)) md[f] = cur_md.at(f);
  md.erase("resourceVersion");
  auto result = store_.commit({store::Op::put(kv->key, encode(r, kv->key, obj), kv->mod_revision)});
  if (!result.ok) throw conflict();
  md["resourceVersion"] = std::to_string(result.revision);
  return obj;
}

json::object Registry::remove(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name) {
  auto kv = store_.get(key(r, cluster, ns, name));
  if (!kv) throw not_found(r, name);
  std::vector<store::Op> ops{store::Op::del(kv->key, kv->mod_revision)};
  // A namespace takes everything in it along, in the same transaction: nothing is left behind
  // half-deleted.
  if (r.resource == "namespaces")
    for (const auto& res : resources())
      if (res.namespaced)
        for (const auto& item : store_.list(res.prefix(cluster) + name + "/").items) ops.push_back(store::Op::del(item.key));
  auto result = store_.commit(ops);
  if (!result.ok) throw ApiError{409, "Conflict", "the object changed while it was being deleted; try again", {}};
  return decode(r, *kv);
}

}  // namespace orch::kube
