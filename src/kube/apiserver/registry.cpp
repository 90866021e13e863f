#include "kube/apiserver/registry.h"
#include "kube/apiserver/crd.h"
#include "kube/apiserver/custom_resource.h"
#include "kube/apiserver/deletion.h"
#include "kube/apiserver/pod_strategy.h"
#include "kube/apiserver/stored.h"

#include "apimachinery/fields.h"
#include "apimachinery/json_patch.h"
#include "apimachinery/labels.h"
#include "apimachinery/strategic_merge.h"
#include "apimachinery/validation.h"

#include "base/clock.h"
#include "base/crypto.h"
#include "base/ids.h"

#include <set>

namespace orch::kube {
namespace json = boost::json;

namespace {
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

}  // namespace

namespace st = apimachinery::status;

ApiError api_error(int code, std::string_view reason, std::string_view message) {
  return ApiError{st::make(code, reason, message), {}};
}

st::GroupResource group_resource(const Resource& r) { return {r.group, r.resource}; }

namespace {
// Namespaces are DNS labels, RBAC objects path segments, the rest DNS subdomains.
apimachinery::validation::NameFunc name_rule(const Resource& r) {
  if (r.resource == "namespaces") return apimachinery::validation::name_is_dns_label;
  if (r.group == "rbac.authorization.k8s.io")
    return [](std::string_view n, bool prefix) { return apimachinery::validation::path_segment_name(n, prefix); };
  return apimachinery::validation::name_is_dns_subdomain;
}

bool has_finalizers(const json::object& obj) {
  const auto* md = obj.if_contains("metadata");
  const auto* f = md && md->is_object() ? md->as_object().if_contains("finalizers") : nullptr;
  return f && f->is_array() && !f->as_array().empty();
}

std::string string_member(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}
}  // namespace

std::string Registry::encode(const Resource& r, const std::string& key, const json::object& obj) const {
  // A custom resource is stored as its storage version, whichever version it was written in.
  if (r.custom && r.version != r.custom->storage_version) {
    json::object stored = obj;
    stored["apiVersion"] = r.group + "/" + r.custom->storage_version;
    return json::serialize(stored);
  }
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
      throw ApiError{st::internal_error("a stored " + r.kind + " cannot be decrypted with this data directory's key"), {}};
  }
  json::object o = parse_stored(text).as_object();
  o["metadata"].as_object()["resourceVersion"] = std::to_string(kv.mod_revision);
  if (r.custom) o["apiVersion"] = r.group_version();  // served as the version asked for
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
  if (r.resource == "pods") {
    default_pod_spec(obj);
    pending_pod_status(obj, now);
  }
  if (r.resource == "secrets") fold_string_data(obj);
  if (r.resource == "namespaces") {
    obj["spec"] = json::object{{"finalizers", json::array{"kubernetes"}}};
    obj["status"] = json::object{{"phase", "Active"}};
  }
  if (is_crd(r)) prepare_crd_create(obj, now);
  if (r.custom) prepare_custom_create(r, obj);
  json::object& md = obj["metadata"].as_object();
  if (r.namespaced && md.contains("namespace") && md.at("namespace") != json::value(ns))
    throw api_error(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
  if (!r.namespaced) md.erase("namespace");
  else md["namespace"] = ns;
  // ObjectMeta as the API server validates it on create (name or generateName, labels, ...).
  auto errs = apimachinery::validation::validate_object_meta(md, r.namespaced, name_rule(r));
  std::string name = string_member(md, "name");
  if (!errs.empty()) throw ApiError{st::invalid({r.group, r.kind}, name, errs), {}};
  if (name.empty()) name = apimachinery::validation::generate_name(string_member(md, "generateName"));
  md["name"] = name;
  md["uid"] = ids::uuid4();
  md.erase("deletionTimestamp");
  md.erase("deletionGracePeriodSeconds");
  md["creationTimestamp"] = clock::iso8601(now);
  md.erase("resourceVersion");
  if (r.resource == "namespaces") {
    if (!md["labels"].is_object()) md["labels"].emplace_object();
    md["labels"].as_object()["kubernetes.io/metadata.name"] = name;
  }
  std::string k = key(r, cluster, ns, name);
  const std::string value = encode(r, k, obj);
  for (;;) {
    std::vector<store::Op> ops{store::Op::create(k, value)};
    // The namespace as found open is a precondition of the commit: deleting a namespace first
    // marks it (a new version), and its contents are removed only after that, so a create
    // racing the namespace's end either commits before the mark (and is removed with the rest)
    // or fails here; it can never outlive its namespace.
    if (r.namespaced) ops.push_back(store::Op::check(namespace_key(cluster, ns), open_namespace(r, cluster, ns, name)));
    auto result = store_.commit(ops);
    if (result.ok) {
      md["resourceVersion"] = std::to_string(result.revision);
      return obj;
    }
    if (result.failed_key == k) throw ApiError{st::already_exists(group_resource(r), name), {}};
    // The namespace changed since it was read: read it again (it may have begun terminating).
  }
}

std::string Registry::namespace_key(const std::string& cluster, const std::string& ns) const {
  static const Resource* namespaces = find_resource("", "v1", "namespaces");
  return key(*namespaces, cluster, "", ns);
}

int64_t Registry::open_namespace(const Resource& r, const std::string& cluster, const std::string& ns,
                                 const std::string& name) const {
  static const Resource* namespaces = find_resource("", "v1", "namespaces");
  auto ns_kv = store_.get(namespace_key(cluster, ns));
  if (!ns_kv) throw ApiError{st::not_found(group_resource(*namespaces), ns), {}};
  if (decode(*namespaces, *ns_kv).at("metadata").as_object().contains("deletionTimestamp"))
    throw ApiError{st::forbidden(group_resource(r), name, "unable to create new content in namespace " + ns +
                                                           " because it is being terminated"), {}};
  return ns_kv->mod_revision;
}

json::object Registry::get(const Resource& r, const std::string& cluster, const std::string& ns, const std::string& name) const {
  auto kv = store_.get(key(r, cluster, ns, name));
  if (!kv) throw ApiError{st::not_found(group_resource(r), name), {}};
  return decode(r, *kv);
}

namespace {
// A list's or watch's selectors, parsed once; bad selectors are 400 BadRequest.
struct Filter {
  apimachinery::labels::Selector labels;
  apimachinery::fields::Selector fields;
  bool matches(const json::object& o) const {
    if (!labels.empty()) {
      const json::value* lv = o.at("metadata").as_object().if_contains("labels");
      if (!labels.matches(apimachinery::labels::set_from_json(lv ? *lv : json::value()))) return false;
    }
    if (fields.empty()) return true;  // most lists and watches: no copy of the object below
    json::value whole = o;  // field_value reads a json::value
    return fields.matches([&](std::string_view f) { return apimachinery::fields::field_value(whole, f); });
  }
};

Filter make_filter(const Resource& r, const std::string& label_selector, const std::string& field_selector) {
  auto labels = apimachinery::labels::parse(label_selector);
  if (!labels) throw ApiError{st::bad_request(labels.error()), {}};
  auto fields = apimachinery::fields::parse(field_selector);
  if (fields) fields = apimachinery::fields::convert(std::move(*fields), apimachinery::fields::selectable_fields(r.group, r.kind));
  if (!fields) throw ApiError{st::bad_request(fields.error()), {}};
  return Filter{std::move(*labels), std::move(*fields)};
}

std::string list_prefix(const Resource& r, const std::string& cluster, const std::string& ns) {
  return r.prefix(cluster) + (r.namespaced && !ns.empty() ? ns + "/" : "");
}
}  // namespace

void Registry::check_selectors(const Resource& r, const std::string& label_selector, const std::string& field_selector) {
  make_filter(r, label_selector, field_selector);
}

namespace {
// A continue token: the revision of the first page and the last key read, as base64url JSON.
std::string continue_token(int64_t revision, const std::string& key) {
  return crypto::base64url_encode(json::serialize(json::object{{"rv", revision}, {"start", key}}));
}

std::pair<int64_t, std::string> parse_continue(const std::string& token, const std::string& prefix) {
  std::string text;
  boost::system::error_code ec;
  json::value v;
  if (crypto::base64url_decode(token, text)) v = json::parse(text, ec);
  const json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
  const json::value* rv = o ? o->if_contains("rv") : nullptr;
  const json::value* start = o ? o->if_contains("start") : nullptr;
  if (!rv || !rv->is_int64() || !start || !start->is_string() || !std::string_view(start->as_string()).starts_with(prefix))
    throw ApiError{st::bad_request("continue key is not valid: invalid continue token"), {}};
  return {rv->as_int64(), std::string(start->as_string())};
}
}  // namespace

json::object Registry::list(const Resource& r, const std::string& cluster, const std::string& ns,
                            const std::string& label_selector, const std::string& field_selector, int64_t limit,
                            const std::string& continue_from) const {
  Filter filter = make_filter(r, label_selector, field_selector);
  const std::string prefix = list_prefix(r, cluster, ns);
  std::string after;
  int64_t revision = 0;
  if (!continue_from.empty()) {
    std::tie(revision, after) = parse_continue(continue_from, prefix);
    if (revision < store_.compacted_revision())
      throw ApiError{st::expired("The provided continue parameter is too old to display a consistent list result. "
                                 "You can start a new list without the continue parameter, or use the continue token "
                                 "in this response to retrieve the remainder of the results."),
                     {}};
  }
  // Reads in chunks until the page is full (a selector may skip many), remembering the last key
  // read so that the next page starts after it.
  json::array items;
  bool more = false;
  for (;;) {
    size_t want = limit > 0 ? static_cast<size_t>(limit) - items.size() : 0;
    auto listed = store_.list(prefix, after, want);
    if (revision == 0) revision = listed.revision;
    for (const auto& kv : listed.items) {
      after = kv.key;
      json::object o = decode(r, kv);
      if (filter.matches(o)) items.push_back(std::move(o));
    }
    more = listed.more;
    if (!more || (limit > 0 && items.size() >= static_cast<size_t>(limit))) break;
  }
  json::object md{{"resourceVersion", std::to_string(revision)}};
  if (more) md["continue"] = continue_token(revision, after);
  return {{"kind", r.kind + "List"}, {"apiVersion", r.group_version()}, {"metadata", std::move(md)}, {"items", std::move(items)}};
}

namespace {
// A BOOKMARK: the kind with nothing but the revision the stream has reached (kube-apiserver's
// bookmark objects are empty objects of the watched kind).
json::object bookmark(const Resource& r, int64_t revision, bool initial_events_end) {
  json::object md{{"resourceVersion", std::to_string(revision)}};
  if (initial_events_end) md["annotations"] = json::object{{"k8s.io/initial-events-end", "true"}};
  return {{"type", "BOOKMARK"}, {"object", json::object{{"kind", r.kind}, {"apiVersion", r.group_version()}, {"metadata", std::move(md)}}}};
}

json::object error_event(json::object status) { return {{"type", "ERROR"}, {"object", std::move(status)}}; }

// The cacher's answer to a streaming list that asks for a state newer than there is.
json::object too_large_resource_version(int64_t requested, int64_t current) {
  st::Details d;
  d.causes.push_back({"ResourceVersionTooLarge", "Too large resource version", ""});
  d.retry_after_seconds = 1;
  return st::make(504, "Timeout", "Timeout: Too large resource version: " + std::to_string(requested) +
                                      ", current: " + std::to_string(current), &d);
}
}  // namespace

std::unique_ptr<store::Watch> Registry::watch(const Resource& r, const std::string& cluster, const std::string& ns,
                                              const WatchOptions& options, std::function<void(json::object)> emit) const {
  Filter filter = make_filter(r, options.label_selector, options.field_selector);
  std::string prefix = list_prefix(r, cluster, ns);
  int64_t after = options.resource_version;
  if (options.initial_events()) {
    auto listed = store_.list(prefix);
    // sendInitialEvents with resourceVersionMatch=NotOlderThan: the state must be at least that new.
    if (options.resource_version > listed.revision) {
      emit(error_event(too_large_resource_version(options.resource_version, listed.revision)));
      return nullptr;
    }
    for (const auto& kv : listed.items) {
      json::object o = decode(r, kv);
      if (filter.matches(o)) emit(json::object{{"type", "ADDED"}, {"object", std::move(o)}});
    }
    after = listed.revision;
    if (options.initial_events_end()) emit(bookmark(r, after, true));
  } else if (after == 0) {
    after = store_.current_revision();  // no initial events, and changes from now on
  }
  try {
    // The callback outlives this Registry (a per-request value): it keeps its own copy, whose
    // references (store, key) live as long as the server.
    return store_.watch(prefix, after, [self = *this, r, filter = std::move(filter), emit,
                                        bookmarks = options.allow_bookmarks](const store::Event& e) {
      try {
        json::object o;
        const char* type;
        if (e.type == store::Event::Type::Progress) {
          // Every event up to e.revision has been sent: the revision a client may resume from.
          if (bookmarks) emit(bookmark(r, e.revision, false));
          return;
        }
        if (e.type == store::Event::Type::Delete) {
          if (!e.prev) return;
          store::KeyValue last = *e.prev;
          last.mod_revision = e.revision;  // the deletion's version, as Kubernetes reports it
          o = self.decode(r, last);
          type = "DELETED";
        } else {
          o = self.decode(r, e.kv);
          type = e.kv.create_revision == e.revision ? "ADDED" : "MODIFIED";
        }
        if (filter.matches(o)) emit(json::object{{"type", type}, {"object", std::move(o)}});
      } catch (const std::exception&) {
        // An undecodable value is skipped rather than ending every watcher.
      }
    });
  } catch (const store::CompactedError&) {
    emit(error_event(st::expired("too old resource version: " + std::to_string(after))));
    return nullptr;
  }
}

json::object Registry::update(const Resource& r, const std::string& cluster, const std::string& ns,
                              const std::string& name, json::object obj, std::string_view subresource) {
  auto kv = store_.get(key(r, cluster, ns, name));
  if (!kv) throw ApiError{st::not_found(group_resource(r), name), {}};
  json::object current = decode(r, *kv);
  obj["apiVersion"] = r.group_version();
  obj["kind"] = r.kind;
  if (r.resource == "pods") {
    default_pod_spec(obj);
    if (current.contains("status")) obj["status"] = current.at("status");
  }
  if (r.resource == "secrets") fold_string_data(obj);
  if (!obj["metadata"].is_object()) obj["metadata"].emplace_object();
  json::object& md = obj["metadata"].as_object();
  if (md.contains("name") && md.at("name") != json::value(name))
    throw api_error(400, "BadRequest", "the name of the object does not match the name on the URL (" + name + ")");
  auto conflict = [&] { return ApiError{st::conflict_modified(group_resource(r), name), {}}; };
  // A resourceVersion in the body is a precondition (optimistic concurrency).
  if (auto* rv = md.if_contains("resourceVersion"); rv && rv->is_string() && !rv->as_string().empty())
    if (rv->as_string() != std::to_string(kv->mod_revision)) throw conflict();
  // Identity and bookkeeping fields stay as the server set them.
  const json::object& cur_md = current.at("metadata").as_object();
  for (const char* f : {"uid", "creationTimestamp", "namespace", "name", "deletionTimestamp", "deletionGracePeriodSeconds"}) {
    if (cur_md.contains(f)) md[f] = cur_md.at(f);
    else md.erase(f);
  }
  md.erase("resourceVersion");
  // The kind's strategy may rebuild the object (a /status update keeps all but the status).
  if (is_crd(r)) prepare_crd_update(current, obj, subresource, clock::now_seconds());
  if (r.custom) prepare_custom_update(r, current, obj, subresource);
  // An object being deleted goes once its last finalizer is removed (and no grace period runs).
  // A namespace goes only through finalize_namespaces, which takes its contents along.
  if (r.resource != "namespaces" && erase_on_update(obj)) {
    erase(r, cluster, ns, *kv, "Background");
    return obj;
  }
  auto result = store_.commit({store::Op::put(kv->key, encode(r, kv->key, obj), kv->mod_revision)});
  if (!result.ok) throw conflict();
  obj["metadata"].as_object()["resourceVersion"] = std::to_string(result.revision);
  return obj;
}

json::object Registry::patch(const Resource& r, const std::string& cluster, const std::string& ns,
                             const std::string& name, const std::string& content_type, const std::string& body,
                             const std::function<void(const json::object&)>& check, std::string_view subresource) {
  auto kv = store_.get(key(r, cluster, ns, name));
  if (!kv) throw ApiError{st::not_found(group_resource(r), name), {}};
  json::object current = decode(r, *kv);
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 100;
  json::value doc = json::parse(body, ec, {}, opts);
  if (ec) throw ApiError{st::bad_request(std::string("error decoding patch: ") + ec.message()), {}};
  std::string type = content_type.substr(0, content_type.find(';'));
  auto apply = [&]() -> apimachinery::Result<json::value, ApiError> {
    if (type == "application/merge-patch+json") return apimachinery::apply_merge_patch(current, doc);
    // Custom resources have no patch strategies to merge by: kube refuses strategic merge for them.
    if (type == "application/strategic-merge-patch+json" && r.custom)
      throw ApiError{st::unsupported_media_type({"application/json-patch+json", "application/merge-patch+json",
                                                 "application/apply-patch+yaml"}), {}};
    if (type == "application/strategic-merge-patch+json")
      return apimachinery::apply_strategic_merge_patch(current, doc, apimachinery::PatchSchema::for_kind(r.group, r.kind));
    if (type == "application/json-patch+json") return apimachinery::apply_json_patch(current, doc);
    throw ApiError{st::unsupported_media_type({"application/json-patch+json", "application/merge-patch+json",
                                               "application/strategic-merge-patch+json"}), {}};
  };
  auto patched = apply();
  if (!patched) throw patched.error();
  if (!patched->is_object()) throw api_error(422, "Invalid", "the patch did not produce an object");
  // Written as an update whose precondition is the version the patch was applied to.
  json::object next = std::move(patched->as_object());
  if (check) check(next);
  next["metadata"].as_object()["resourceVersion"] = std::to_string(kv->mod_revision);
  return update(r, cluster, ns, name, std::move(next), subresource);
}

json::object Registry::remove(const Resource& r, const std::string& cluster, const std::string& ns,
                              const std::string& name, const DeleteOptions& options, int64_t now) {
  auto kv = store_.get(key(r, cluster, ns, name));
  if (!kv) throw ApiError{st::not_found(group_resource(r), name), {}};
  json::object current = decode(r, *kv);
  check_preconditions({r.group, r.kind}, current, options);
  // Pods are deleted gracefully (pod_strategy.h). Finalizers hold any object; a namespace always
  // goes through Terminating: its contents are removed by finalize_namespaces.
  bool namespace_ = r.resource == "namespaces";
  std::optional<int64_t> graceful;
  if (r.resource == "pods") graceful = pod_grace_period(current, options.grace_period_seconds);
  Deletion plan = plan_deletion(current.at("metadata").as_object(), graceful, options.grace_period_seconds,
                                namespace_ || has_finalizers(current), now);
  if (plan.action == Deletion::Action::Erase) {
    erase(r, cluster, ns, *kv, options.propagation_policy.empty() ? "Background" : options.propagation_policy);
  } else if (plan.action == Deletion::Action::Mark) {
    if (namespace_) current["status"] = json::object{{"phase", "Terminating"}};
    json::object& md = current["metadata"].as_object();
    md["deletionTimestamp"] = clock::iso8601(plan.deletion_time);
    md["deletionGracePeriodSeconds"] = plan.grace_period;
    md.erase("resourceVersion");
    auto result = store_.commit({store::Op::put(kv->key, encode(r, kv->key, current), kv->mod_revision)});
    if (!result.ok) throw ApiError{st::conflict_modified(group_resource(r), name), {}};
    md["resourceVersion"] = std::to_string(result.revision);
  }
  return current;
}

size_t Registry::finalize_namespaces(const std::string& cluster) {
  static const Resource* namespaces = find_resource("", "v1", "namespaces");
  size_t done = 0;
  for (const auto& kv : store_.list(namespaces->prefix(cluster)).items) {
    if (!decode(*namespaces, kv).at("metadata").as_object().contains("deletionTimestamp")) continue;
    try {
      erase(*namespaces, cluster, "", kv, "Background");
      ++done;
    } catch (const ApiError&) {
      // Changed meanwhile (an object was written in it): the next round tries again.
    }
  }
  return done;
}

void Registry::erase(const Resource& r, const std::string& cluster, const std::string& ns, const store::KeyValue& stored,
                     const std::string& propagation) {
  const store::KeyValue* kv = &stored;
  const std::string name(std::string_view(kv->key).substr(kv->key.rfind('/') + 1));
  std::vector<store::Op> ops{store::Op::del(kv->key, kv->mod_revision)};
  // A namespace takes everything in it along, in the same transaction: nothing is left behind
  // half-deleted.
  const std::vector<Resource> kinds = served_resources(store_, cluster);
  if (r.resource == "namespaces") {
    std::set<std::string> swept;  // a custom kind's versions share one prefix
    for (const auto& res : kinds)
      if (res.namespaced && swept.insert(res.prefix(cluster)).second)
        for (const auto& item : store_.list(res.prefix(cluster) + name + "/").items) ops.push_back(store::Op::del(item.key));
  }
  // Garbage collection: objects of the same namespace whose ownerReferences name a deleted
  // object go with it (Background and Foreground alike — nothing here runs on after the
  // request, so both finish before it returns), transitively; Orphan instead strips the
  // reference. All in the same transaction as the owner's deletion.
  if (r.namespaced) {
    std::vector<std::string> owners{string_member(decode(r, *kv).at("metadata").as_object(), "uid")};
    std::set<std::string> seen{kv->key};
    while (!owners.empty()) {
      std::string owner = owners.back();
      owners.pop_back();
      for (const auto& res : kinds) {
        if (!res.namespaced || res.verbs.size() == 1) continue;
        for (const auto& item : store_.list(res.prefix(cluster) + ns + "/").items) {
          if (seen.count(item.key)) continue;
          json::object o = decode(res, item);
          json::object& md = o["metadata"].as_object();
          auto* refs = md.if_contains("ownerReferences");
          if (!refs || !refs->is_array()) continue;
          bool owned = false;
          for (const auto& ref : refs->as_array())
            owned = owned || (ref.is_object() && string_member(ref.as_object(), "uid") == owner);
          if (!owned) continue;
          seen.insert(item.key);
          if (propagation == "Orphan") {
            json::array kept;
            for (const auto& ref : refs->as_array())
              if (!(ref.is_object() && string_member(ref.as_object(), "uid") == owner)) kept.push_back(ref);
            if (kept.empty()) md.erase("ownerReferences");
            else md["ownerReferences"] = std::move(kept);
            md.erase("resourceVersion");
            ops.push_back(store::Op::put(item.key, encode(res, item.key, o), item.mod_revision));
          } else {
            ops.push_back(store::Op::del(item.key, item.mod_revision));
            owners.push_back(string_member(md, "uid"));
          }
        }
      }
    }
  }
  auto result = store_.commit(ops);
  if (!result.ok) throw ApiError{st::conflict_modified(group_resource(r), name), {}};
}

}  // namespace orch::kube
