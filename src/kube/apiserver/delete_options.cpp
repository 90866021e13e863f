#include "kube/apiserver/delete_options.h"

#include "apimachinery/field_errors.h"
#include "apimachinery/status.h"
#include "kube/apiserver/registry.h"

namespace orch::kube {
namespace json = boost::json;
namespace am = apimachinery;

namespace {
// Members of a DeleteOptions body, typed as the Go struct decodes them: a wrong type is the
// decoder's 400, not a validation error.
[[noreturn]] void wrong_type(std::string_view field, std::string_view want) {
  throw api_error(400, "BadRequest", "DeleteOptions." + std::string(field) + " must be " + std::string(want));
}

const json::value* member(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  return v && !v->is_null() ? v : nullptr;
}

std::optional<int64_t> int_member(const json::object& o, std::string_view field) {
  const json::value* v = member(o, field);
  if (!v) return std::nullopt;
  if (!v->is_int64()) wrong_type(field, "an integer");
  return v->as_int64();
}

std::optional<bool> bool_member(const json::object& o, std::string_view field) {
  const json::value* v = member(o, field);
  if (!v) return std::nullopt;
  if (!v->is_bool()) wrong_type(field, "a boolean");
  return v->as_bool();
}

// path: how the field is named in the message (preconditions.uid).
std::optional<std::string> string_member(const json::object& o, std::string_view field, std::string_view path) {
  const json::value* v = member(o, field);
  if (!v) return std::nullopt;
  if (!v->is_string()) wrong_type(path, "a string");
  return std::string(v->as_string());
}

void refuse_dry_run() { throw api_error(400, "BadRequest", "dryRun is not supported yet"); }
}  // namespace

DeleteOptions delete_options(const json::object* body, const Query& q) {
  DeleteOptions o;
  std::optional<std::string> propagation;
  std::optional<bool> orphan;
  if (body) {
    o.grace_period_seconds = int_member(*body, "gracePeriodSeconds");
    propagation = string_member(*body, "propagationPolicy", "propagationPolicy");
    orphan = bool_member(*body, "orphanDependents");
    if (const json::value* p = member(*body, "preconditions")) {
      if (!p->is_object()) wrong_type("preconditions", "an object");
      o.uid = string_member(p->as_object(), "uid", "preconditions.uid");
      o.resource_version = string_member(p->as_object(), "resourceVersion", "preconditions.resourceVersion");
    }
    if (const json::value* d = member(*body, "dryRun"); d && !(d->is_array() && d->as_array().empty())) refuse_dry_run();
  } else {
    o.grace_period_seconds = int_param(q, "gracePeriodSeconds");
    if (auto it = q.find("propagationPolicy"); it != q.end() && !it->second.empty()) propagation = it->second;
    orphan = bool_param(q, "orphanDependents");
    if (auto it = q.find("dryRun"); it != q.end() && !it->second.empty()) refuse_dry_run();
  }
  // ValidateDeleteOptions.
  am::FieldErrorList errs;
  if (orphan && propagation)
    errs.push_back(am::invalid(am::FieldPath("propagationPolicy"), json::value(*propagation),
                               "orphanDependents and deletionPropagation cannot be both set"));
  if (propagation && *propagation != "Foreground" && *propagation != "Background" && *propagation != "Orphan")
    errs.push_back(am::not_supported(am::FieldPath("propagationPolicy"), json::value(*propagation),
                                     {"Foreground", "Background", "Orphan", "nil"}));
  if (!errs.empty()) throw ApiError{am::status::invalid({"meta.k8s.io", "DeleteOptions"}, "", errs), {}};
  if (propagation) o.propagation_policy = *propagation;
  else if (orphan) o.propagation_policy = *orphan ? "Orphan" : "Background";
  // rest.BeforeDelete: "Negative values will be treated as the value `1s` on the delete path."
  if (o.grace_period_seconds && *o.grace_period_seconds < 0) o.grace_period_seconds = 1;
  return o;
}

}  // namespace orch::kube
