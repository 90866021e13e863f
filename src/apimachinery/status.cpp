#include "apimachinery/status.h"

#include <boost/json.hpp>

#include "apimachinery/gofmt.h"

namespace orch::apimachinery::status {
namespace bj = boost::json;

namespace {

bj::object details_json(const Details& d) {
  bj::object o;
  if (!d.name.empty()) o["name"] = d.name;
  if (!d.group.empty()) o["group"] = d.group;
  if (!d.kind.empty()) o["kind"] = d.kind;
  if (!d.uid.empty()) o["uid"] = d.uid;
  if (!d.causes.empty()) {
    bj::array causes;
    for (const auto& c : d.causes) {
      bj::object co;
      if (!c.reason.empty()) co["reason"] = c.reason;
      if (!c.message.empty()) co["message"] = c.message;
      if (!c.field.empty()) co["field"] = c.field;
      causes.push_back(std::move(co));
    }
    o["causes"] = std::move(causes);
  }
  if (d.retry_after_seconds != 0) o["retryAfterSeconds"] = d.retry_after_seconds;
  return o;
}

Details resource_details(const GroupResource& gr, std::string_view name) {
  Details d;
  d.name = name;
  d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

}  // namespace

bj::object make(int code, std::string_view reason, std::string_view message, const Details* details) {
  bj::object o;
  o["kind"] = "Status";
  o["apiVersion"] = "v1";
  o["metadata"] = bj::object();
  o["status"] = code >= 200 && code < 300 ? "Success" : "Failure";
  if (!message.empty()) o["message"] = message;
  if (!reason.empty()) o["reason"] = reason;
  if (details) o["details"] = details_json(*details);
  o["code"] = code;
  return o;
}

bj::object success(const Details* details) { return make(200, "", "", details); }

bj::object not_found(const GroupResource& gr, std::string_view name) {
  auto d = resource_details(gr, name);
  return make(404, "NotFound", gr.str() + " " + gofmt::quote(name) + " not found", &d);
}

bj::object already_exists(const GroupResource& gr, std::string_view name) {
  auto d = resource_details(gr, name);
  return make(409, "AlreadyExists", gr.str() + " " + gofmt::quote(name) + " already exists", &d);
}

bj::object generate_name_conflict(const GroupResource& gr, std::string_view name, int retry) {
  auto d = resource_details(gr, name);
  d.retry_after_seconds = retry;
  return make(409, "AlreadyExists",
              gr.str() + " " + gofmt::quote(name) +
                  " already exists, the server was not able to generate a unique name for the object",
              &d);
}

bj::object conflict(const GroupResource& gr, std::string_view name, std::string_view err) {
  auto d = resource_details(gr, name);
  return make(409, "Conflict",
              "Operation cannot be fulfilled on " + gr.str() + " " + gofmt::quote(name) + ": " + std::string(err), &d);
}

bj::object conflict_modified(const GroupResource& gr, std::string_view name) {
  return conflict(gr, name, kOptimisticLockErrorMsg);
}

bj::object apply_conflict(const std::vector<Cause>& causes, std::string_view message) {
  Details d;
  d.causes = causes;
  return make(409, "Conflict", message, &d);
}

bj::object invalid(const GroupKind& gk, std::string_view name, const FieldErrorList& errs) {
  Details d;
  d.name = name;
  d.group = gk.group;
  d.kind = gk.kind;
  for (const auto& e : errs) d.causes.push_back({std::string(cause_type(e.type)), e.body(), e.field});
  std::string msg = gk.str() + " " + gofmt::quote(name) + " is invalid";
  if (!errs.empty()) msg += ": " + aggregate_message(errs);
  return make(422, "Invalid", msg, &d);
}

bj::object bad_request(std::string_view message) { return make(400, "BadRequest", message); }

bj::object unauthorized(std::string_view message) {
  return make(401, "Unauthorized", message.empty() ? "not authorized" : message);
}

bj::object forbidden(const GroupResource& gr, std::string_view name, std::string_view err) {
  std::string msg;
  if (gr.group.empty() && gr.resource.empty())
    msg = "forbidden: " + std::string(err);
  else if (name.empty())
    msg = gr.str() + " is forbidden: " + std::string(err);
  else
    msg = gr.str() + " " + gofmt::quote(name) + " is forbidden: " + std::string(err);
  auto d = resource_details(gr, name);
  return make(403, "Forbidden", msg, &d);
}

namespace {
// The authorizer message is HTML-sanitized by the server (& < > escaped) before use.
std::string sanitize(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}
std::string with_reason(std::string msg, std::string_view reason) {
  msg = sanitize(msg);
  if (!reason.empty()) msg += ": " + std::string(reason);
  return msg;
}
}  // namespace

std::string forbidden_reason(std::string_view user, std::string_view verb, std::string_view group,
                             std::string_view resource, std::string_view subresource, std::string_view ns,
                             std::string_view reason) {
  std::string res(resource);
  if (!subresource.empty()) res += "/" + std::string(subresource);
  std::string msg = "User " + gofmt::quote(user) + " cannot " + std::string(verb) + " resource " +
                    gofmt::quote(res) + " in API group " + gofmt::quote(group);
  msg += ns.empty() ? " at the cluster scope" : " in the namespace " + gofmt::quote(ns);
  return with_reason(msg, reason);
}

std::string forbidden_path_reason(std::string_view user, std::string_view verb, std::string_view path,
                                  std::string_view reason) {
  return with_reason("User " + gofmt::quote(user) + " cannot " + std::string(verb) + " path " + gofmt::quote(path),
                     reason);
}

bj::object method_not_supported(const GroupResource& gr, std::string_view action) {
  Details d;
  d.group = gr.group;
  d.kind = gr.resource;
  return make(405, "MethodNotAllowed",
              std::string(action) + " is not supported on resources of kind " + gofmt::quote(gr.str()), &d);
}

bj::object gone(std::string_view message) { return make(410, "Gone", message); }
bj::object expired(std::string_view message) { return make(410, "Expired", message); }

bj::object too_old_resource_version(int64_t requested, int64_t oldest) {
  return expired("too old resource version: " + std::to_string(requested) + " (" + std::to_string(oldest) + ")");
}

bj::object unsupported_media_type(const std::vector<std::string>& accepted) {
  return make(415, "UnsupportedMediaType",
              "the body of the request was in an unknown format - accepted media types include: " + join(accepted));
}

bj::object not_acceptable(const std::vector<std::string>& accepted) {
  return make(406, "NotAcceptable", "only the following media types are accepted: " + join(accepted));
}

bj::object request_entity_too_large(std::string_view message) {
  return make(413, "RequestEntityTooLarge", "Request entity too large: " + std::string(message));
}

bj::object request_body_too_large(int64_t limit) {
  return request_entity_too_large("limit is " + std::to_string(limit));
}

bj::object too_many_requests(std::string_view message, int retry_after_seconds) {
  Details d;
  d.retry_after_seconds = retry_after_seconds;
  return make(429, "TooManyRequests", message, &d);
}

bj::object internal_error(std::string_view err) {
  Details d;
  d.causes.push_back({"", std::string(err), ""});
  return make(500, "InternalError", "Internal error occurred: " + std::string(err), &d);
}

bj::object timeout(std::string_view message, int retry_after_seconds) {
  Details d;
  d.retry_after_seconds = retry_after_seconds;
  return make(504, "Timeout", "Timeout: " + std::string(message), &d);
}

bj::object server_timeout(const GroupResource& gr, std::string_view operation, int retry_after_seconds) {
  Details d;
  d.group = gr.group;
  d.kind = gr.resource;
  d.name = operation;
  d.retry_after_seconds = retry_after_seconds;
  return make(500, "ServerTimeout",
              "The " + std::string(operation) + " operation against " + gr.str() +
                  " could not be completed at this time, please try again.",
              &d);
}

bj::object service_unavailable(std::string_view message) { return make(503, "ServiceUnavailable", message); }

bj::object unprocessable() {
  Details d;
  return make(422, "Invalid", "the server rejected our request due to an error in our request", &d);
}

int code_of(const bj::object& s) {
  auto it = s.find("code");
  if (it == s.end()) return 0;
  if (it->value().is_int64()) return static_cast<int>(it->value().get_int64());
  if (it->value().is_uint64()) return static_cast<int>(it->value().get_uint64());
  return 0;
}

std::string reason_of(const bj::object& s) {
  auto it = s.find("reason");
  return it != s.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

std::string message_of(const bj::object& s) {
  auto it = s.find("message");
  return it != s.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

}  // namespace orch::apimachinery::status
