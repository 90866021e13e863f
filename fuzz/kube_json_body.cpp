// Kubernetes JSON request bodies, decoded and validated as the cluster plane does for a create
// of the body's kind (kube/apiserver: read_body, check_fields, Registry::create and the kind's
// strategy, RBAC objects into the authorizer, DeleteOptions bodies), plus the managedFields
// bookkeeping every write does. Input: the JSON body; its apiVersion/kind pick the resource
// (unknown kinds take one from the table, so every strategy is reached).
#include <boost/json.hpp>

#include <functional>

#include "apimachinery/fields.h"
#include "apimachinery/known_fields.h"
#include "apimachinery/labels.h"
#include "apimachinery/managed_fields.h"
#include "apimachinery/patch_schema.h"
#include "apimachinery/protobuf/known_fields.h"
#include "apimachinery/status.h"
#include "apimachinery/validation.h"
#include "fuzz/fuzz_input.h"
#include "kube/apiserver/delete_options.h"
#include "kube/apiserver/pod_strategy.h"
#include "kube/apiserver/resources.h"
#include "rbac/rbac.h"

namespace {
namespace json = boost::json;
namespace am = orch::apimachinery;
using orch::kube::Resource;

const Resource& resource_for(const json::object& obj, size_t fallback) {
  auto str = [&](const char* k) {
    const auto* v = obj.if_contains(k);
    return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
  };
  std::string_view api_version = str("apiVersion");
  size_t slash = api_version.find('/');
  std::string_view group = slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
  if (const Resource* r = orch::kube::find_kind(group, str("kind"))) return *r;
  const auto& all = orch::kube::resources();
  return all[fallback % all.size()];
}

// The ObjectMeta checks of a create, under each of the name rules the registry applies
// (namespaces: DNS labels, RBAC objects: path segments, others: DNS subdomains).
void validate_metadata(const Resource& r, const json::value& md) {
  using namespace am::validation;
  const NameFunc rules[] = {name_is_dns_subdomain, name_is_dns_label, name_is_dns1035_label,
                            [](std::string_view n, bool prefix) { return path_segment_name(n, prefix); }};
  for (const auto& rule : rules) (void)validate_object_meta(md, r.namespaced, rule);
  if (md.is_object())
    if (const auto* labels = md.as_object().if_contains("labels")) {
      auto set = am::labels::set_from_json(*labels);
      (void)am::labels::Selector::everything().matches(set);
    }
}

void check_selector(const json::object& obj) {
  const auto* spec = obj.if_contains("spec");
  const auto* sel = spec && spec->is_object() ? spec->as_object().if_contains("selector") : nullptr;
  if (!sel) return;
  (void)am::labels::validate_label_selector(*sel, am::FieldPath("spec").child("selector"));
  (void)am::labels::from_label_selector(*sel);
}

// RBAC objects become the authorizer's index; ask it one question so the index is used.
void check_rbac(const json::object& obj) {
  json::object defaulted = obj;
  orch::rbac::apply_defaults(defaulted);
  (void)orch::rbac::parse_object(defaulted);
  orch::rbac::PolicySet set;
  if (!set.apply(defaulted).empty()) return;
  auto az = set.build();
  orch::rbac::Attributes a{{"alice", "", {"system:authenticated"}, {}}, "get", true, "default", "", "v1", "pods", "",
                           "p", ""};
  (void)az->authorize(a);
  (void)az->rules_for("alice", {"system:authenticated"}, "default");
}

void check_pod(json::object obj) {
  orch::kube::default_pod_spec(obj);
  orch::kube::pending_pod_status(obj, 1'700'000'000);
  (void)orch::kube::pod_grace_period(obj, std::nullopt);
  (void)orch::kube::pod_grace_period(obj, -5);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = orch::fuzz::view(data, size);
  (void)am::known::duplicate_fields(text);
  auto parsed = orch::fuzz::parse_json(text);
  if (!parsed || !parsed->is_object()) return 0;
  const json::object& obj = parsed->as_object();
  const Resource& r = resource_for(obj, size);

  (void)orch::kubeproto::unknown_fields(r.group_version(), r.kind, obj);
  if (const auto* md = obj.if_contains("metadata")) validate_metadata(r, *md);
  check_selector(obj);
  if (r.group == "rbac.authorization.k8s.io") check_rbac(obj);
  if (r.resource == "pods") check_pod(obj);
  for (const auto& field : am::fields::selectable_fields(r.group, r.kind).labels)
    (void)am::fields::field_value(*parsed, field);
  try {
    (void)orch::kube::delete_options(&obj, {});
  } catch (const am::ApiError&) {
  }

  // The managedFields of a create by "kubectl-create", and of an update of it by "other".
  am::PatchSchema schema = am::PatchSchema::for_kind(r.group, r.kind);
  am::managed::Options o;
  o.manager = "kubectl-create";
  o.api_version = r.group_version();
  o.kind = r.kind;
  o.now = "2024-05-01T10:00:00Z";
  o.schema = &schema;
  o.ignored = {"status"};
  (void)am::managed::decode(*parsed);
  json::value created = am::managed::update(nullptr, *parsed, o);
  o.manager = "other";
  (void)am::managed::update(&created, *parsed, o);
  return 0;
}
