#include "kube/apiserver/watch_options.h"

#include "apimachinery/field_errors.h"
#include "apimachinery/status.h"
#include "kube/apiserver/registry.h"

namespace orch::kube {
namespace am = apimachinery;

namespace {
std::string param(const Query& q, const char* name) {
  auto it = q.find(name);
  return it == q.end() ? std::string() : it->second;
}

// validateWatchOptions of k8s.io/apimachinery (meta/internalversion/validation), with the
// WatchList feature on.
am::FieldErrorList validate(const WatchOptions& o, const std::string& match, const std::string& cont) {
  am::FieldErrorList errs;
  const am::FieldPath path("resourceVersionMatch");
  if (o.send_initial_events && match != "NotOlderThan")
    errs.push_back(am::forbidden(path, "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
  if (!match.empty()) {
    if (!o.send_initial_events)
      errs.push_back(am::forbidden(path, "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
    if (match != "NotOlderThan") errs.push_back(am::not_supported(path, boost::json::value(match), {"NotOlderThan"}));
    if (!cont.empty()) errs.push_back(am::forbidden(path, "resourceVersionMatch is forbidden when continue is provided"));
  }
  return errs;
}
}  // namespace

WatchOptions watch_options(const Query& q) {
  WatchOptions o;
  o.label_selector = param(q, "labelSelector");
  o.field_selector = param(q, "fieldSelector");
  o.resource_version = int_param(q, "resourceVersion").value_or(0);
  if (o.resource_version < 0) throw api_error(400, "BadRequest", "invalid resourceVersion: " + param(q, "resourceVersion"));
  o.send_initial_events = bool_param(q, "sendInitialEvents");
  o.allow_bookmarks = bool_param(q, "allowWatchBookmarks").value_or(false);
  o.timeout_seconds = int_param(q, "timeoutSeconds").value_or(0);
  auto errs = validate(o, param(q, "resourceVersionMatch"), param(q, "continue"));
  if (!errs.empty()) throw ApiError{am::status::invalid({"meta.k8s.io", "ListOptions"}, "", errs), {}};
  return o;
}

}  // namespace orch::kube
