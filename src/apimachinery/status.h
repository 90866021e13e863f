// metav1.Status error bodies as kube-apiserver forms them (k8s.io/apimachinery/pkg/api/errors and
// the apiserver's handlers), serialized in the server's member order:
//   {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":...,
//    "reason":...,"details":{...},"code":N}
// kubectl prints them as `Error from server (<reason>): <message>`, so the messages matter.
#pragma once
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "apimachinery/field_errors.h"

namespace orch::apimachinery::status {

// A resource as messages name it: "pods", or "deployments.apps" for a group.
struct GroupResource {
  std::string group;
  std::string resource;
  std::string str() const { return group.empty() ? resource : resource + "." + group; }
};

// A kind as Invalid messages name it: "Pod", or "Deployment.apps".
struct GroupKind {
  std::string group;
  std::string kind;
  std::string str() const { return group.empty() ? kind : kind + "." + group; }
};

struct Cause {
  std::string reason;  // CauseType, e.g. FieldValueRequired, FieldManagerConflict
  std::string message;
  std::string field;
};

// Details as the server fills them; empty members are left out, and details are left out
// altogether unless the builder of the Status uses them (has_details).
struct Details {
  std::string name;
  std::string group;
  std::string kind;
  std::string uid;
  std::vector<Cause> causes;
  int32_t retry_after_seconds = 0;
};

// A complete Status for any code/reason (reason may be empty: "Unknown", for plain errors,
// which kubectl prints as `Error from server: <message>`).
boost::json::object make(int code, std::string_view reason, std::string_view message,
                         const Details* details = nullptr);
// {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{...}} as a DELETE
// may answer, with code 200.
boost::json::object success(const Details* details = nullptr);

// 404 `pods "x" not found`, details {name, group, kind: resource}.
boost::json::object not_found(const GroupResource& gr, std::string_view name);
// 409 AlreadyExists `pods "x" already exists`.
boost::json::object already_exists(const GroupResource& gr, std::string_view name);
// 409 AlreadyExists when generateName kept colliding:
// `pods "x-abcde" already exists, the server was not able to generate a unique name for the object`.
boost::json::object generate_name_conflict(const GroupResource& gr, std::string_view name,
                                           int retry_after_seconds);
// 409 Conflict `Operation cannot be fulfilled on pods "x": <err>`.
boost::json::object conflict(const GroupResource& gr, std::string_view name, std::string_view err);
// The optimistic-lock failure: err = "the object has been modified; please apply your changes to
// the latest version and try again".
boost::json::object conflict_modified(const GroupResource& gr, std::string_view name);
inline constexpr std::string_view kOptimisticLockErrorMsg =
    "the object has been modified; please apply your changes to the latest version and try again";
// 409 Conflict from server-side apply, causes of type FieldManagerConflict (message supplied).
boost::json::object apply_conflict(const std::vector<Cause>& causes, std::string_view message);
// 422 Invalid `Pod "x" is invalid: [spec.containers: Required value, ...]`, one cause per error
// {reason: FieldValue*, message: body, field}; `Pod "x" is invalid` when the list is empty.
boost::json::object invalid(const GroupKind& gk, std::string_view name, const FieldErrorList& errs);
// 400 BadRequest with the message as given.
boost::json::object bad_request(std::string_view message);
// 401 Unauthorized; the default message is "Unauthorized" as kube-apiserver's authentication
// filter sends (NewUnauthorized itself would say "not authorized" for an empty reason).
boost::json::object unauthorized(std::string_view message = "Unauthorized");
// 403 Forbidden `pods "x" is forbidden: <err>` (`pods is forbidden: ...` without a name,
// `forbidden: ...` without a resource).
boost::json::object forbidden(const GroupResource& gr, std::string_view name, std::string_view err);
// The authorizer's wording for err, e.g.
//   User "alice" cannot list resource "pods" in API group "" in the namespace "ds"
//   User "alice" cannot get resource "nodes" in API group "" at the cluster scope
//   User "alice" cannot get path "/healthz"
// with ": <reason>" appended when the authorizer gave one.
std::string forbidden_reason(std::string_view user, std::string_view verb, std::string_view group,
                             std::string_view resource, std::string_view subresource,
                             std::string_view ns, std::string_view reason = {});
std::string forbidden_path_reason(std::string_view user, std::string_view verb, std::string_view path,
                                  std::string_view reason = {});
// 405 MethodNotAllowed `<action> is not supported on resources of kind "pods"`.
boost::json::object method_not_supported(const GroupResource& gr, std::string_view action);
// 410 Gone with the message as given.
boost::json::object gone(std::string_view message);
// 410 Expired with the message as given.
boost::json::object expired(std::string_view message);
// 410 Expired `too old resource version: <requested> (<oldest available>)` as a watch or a
// list with resourceVersion answers when the history no longer reaches back.
boost::json::object too_old_resource_version(int64_t requested, int64_t oldest);
// 415 UnsupportedMediaType `the body of the request was in an unknown format - accepted media
// types include: application/json, ...`.
boost::json::object unsupported_media_type(const std::vector<std::string>& accepted);
// 406 NotAcceptable `only the following media types are accepted: ...`.
boost::json::object not_acceptable(const std::vector<std::string>& accepted);
// 413 RequestEntityTooLarge `Request entity too large: <message>`.
boost::json::object request_entity_too_large(std::string_view message);
// The body-size variant: `Request entity too large: limit is <bytes>`.
boost::json::object request_body_too_large(int64_t limit);
// 429 TooManyRequests with the message as given and details.retryAfterSeconds.
boost::json::object too_many_requests(std::string_view message, int retry_after_seconds);
// 500 InternalError `Internal error occurred: <err>`, details.causes [{message: err}].
boost::json::object internal_error(std::string_view err);
// 504 Timeout `Timeout: <message>`, details.retryAfterSeconds when given.
boost::json::object timeout(std::string_view message, int retry_after_seconds = 0);
// 500 ServerTimeout `The <op> operation against <resource> could not be completed at this time,
// please try again.`
boost::json::object server_timeout(const GroupResource& gr, std::string_view operation, int retry_after_seconds);
// 503 ServiceUnavailable with the message as given.
boost::json::object service_unavailable(std::string_view message);
// 422 Invalid for requests the server rejects without naming a field (a JSON patch that does not
// apply): `the server rejected our request due to an error in our request`, details {}.
boost::json::object unprocessable();

// Readers for any Status object.
int code_of(const boost::json::object& status);
std::string reason_of(const boost::json::object& status);
std::string message_of(const boost::json::object& status);

}  // namespace orch::apimachinery::status

namespace orch::apimachinery {

// An API error on its way to the client: a complete Status and the HTTP code to send with it.
struct ApiError {
  boost::json::object status;
  int code() const { return status::code_of(status); }
  std::string reason() const { return status::reason_of(status); }
  std::string message() const { return status::message_of(status); }
  // What went wrong in detail when the Status deliberately hides it (JSON patch failures are
  // reported with a generic message, as kube-apiserver does); for logs and tests.
  std::string detail;
};

}  // namespace orch::apimachinery
