#include "kube/apiserver/apiserver.h"

#include <spdlog/spdlog.h>

#include "apimachinery/managed_fields.h"
#include "apimachinery/patch_schema.h"
#include "apimachinery/protobuf/known_fields.h"
#include "apimachinery/protobuf/kubeproto.h"
#include "base/clock.h"
#include "identity/platform.h"
#include "kube/apiserver/crd.h"
#include "kube/apiserver/crd_finalizer.h"
#include "kube/apiserver/custom_resource.h"
#include "kube/apiserver/discovery.h"
#include "kube/authn/identity_mapping.h"
#include "kube/apiserver/registry.h"
#include "kube/apiserver/stored.h"
#include "kube/apiserver/table.h"

namespace orch::kube {
namespace json = boost::json;

struct ApiServer::Request {
  const http::Request& http;
  identity::Ref<identity::Cluster> cluster;
  std::string path;  // without the query
  std::map<std::string, std::string> query;
  User user;
  int64_t now = 0;
  audit::Event note = {};  // the audit trail's entry, filled in as the request is understood
};

namespace {
// Takes the object itself: going through json::value would deep-copy it first (a 1,000-pod list
// is ~2 MB).
http::Response json_response(int code, const json::object& body) {
  return http::Response{code, {{"Content-Type", "application/json"}}, json::serialize(body)};
}

// A Status error; one that says when to retry (429, 504) says it in Retry-After too, which is
// what client-go waits for before retrying.
http::Response status(const ApiError& e) {
  http::Response r = json_response(e.code(), e.status);
  if (const auto* d = e.status.if_contains("details"); d && d->is_object())
    if (const auto* after = d->as_object().if_contains("retryAfterSeconds"); after && after->is_int64())
      r.headers.emplace_back("Retry-After", std::to_string(after->as_int64()));
  return r;
}

namespace st = apimachinery::status;
const ApiError kUnauthorized{st::unauthorized(), {}};
const ApiError not_found_path() { return ApiError{st::make(404, "NotFound", "the server could not find the requested resource"), {}}; }

std::string percent_decode_simple(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    size_t eq = part.find('=');
    out[percent_decode_simple(part.substr(0, eq))] = eq == std::string_view::npos ? "" : percent_decode_simple(part.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.push_back(percent_decode_simple(path.substr(start, slash - start)));
    start = slash + 1;
  }
  return out;
}

// The request body as JSON: Kubernetes protobuf (k8s\0 envelope) or JSON.
json::object read_body(const http::Request& req) {
  const std::string* ct = req.header("Content-Type");
  if (ct && ct->starts_with(kubeproto::kMediaType)) {
    try {
      return kubeproto::decode(req.body).object;
    } catch (const kubeproto::Error& e) {
      int code = e.code() == kubeproto::Error::Code::Malformed ? 400 : 415;
      throw code == 400 ? ApiError{st::bad_request(e.what()), {}} : ApiError{st::unsupported_media_type({"application/json", std::string(kubeproto::kMediaType)}), {}};
    }
  }
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 100;
  json::value v = json::parse(req.body, ec, {}, opts);
  if (ec || !v.is_object()) throw api_error(400, "BadRequest", "the request body is not a JSON object");
  return std::move(v.as_object());
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
  return s;
}

// An access scope's namespace: a name, or a prefix ending in '*' (EKS allows only a trailing
// wildcard; the EKS API validates the patterns when they are associated).
bool in_scope(std::string_view pattern, std::string_view ns) {
  if (pattern.ends_with('*')) return ns.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == ns;
}

// The rules each built-in access policy grants: the Kubernetes roles they correspond to.
const std::vector<rbac::PolicyRule>* access_policy_rules(const std::string& arn) {
  static const auto rules = [] {
    rbac::PolicySet set;
    for (const auto& obj : rbac::bootstrap_objects()) set.apply(obj);
    auto az = set.build();
    std::map<std::string, std::vector<rbac::PolicyRule>> out;
    auto role = [&](const char* name) {
      const auto* r = az->role_rules(rbac::RoleRef{"rbac.authorization.k8s.io", "ClusterRole", name}, "");
      return r ? *r : std::vector<rbac::PolicyRule>{};
    };
    out["AmazonEKSClusterAdminPolicy"] = role("cluster-admin");
    out["AmazonEKSAdminPolicy"] = role("admin");
    out["AmazonEKSEditPolicy"] = role("edit");
    out["AmazonEKSViewPolicy"] = role("view");
    out["AmazonEKSAdminViewPolicy"] = {rbac::PolicyRule{{"get", "list", "watch"}, {"*"}, {"*"}, {}, {}}};
    return out;
  }();
  auto name = identity::access_policy_name(arn);
  if (!name) return nullptr;
  auto it = rules.find(*name);
  return it == rules.end() ? nullptr : &it->second;
}

// The ARN of the first access policy of the caller's entry that allows the request, or "".
std::string access_policy_allowing(const User& u, const rbac::Attributes& a) {
  for (const auto& p : u.access_policies) {
    if (p.scope.type == "namespace") {
      if (a.ns.empty() || !a.resource_request) continue;
      bool matched = false;
      for (const auto& pattern : p.scope.namespaces) matched = matched || in_scope(pattern, a.ns);
      if (!matched) continue;
    }
    const auto* rules = access_policy_rules(p.policy_arn);
    if (!rules) continue;
    rbac::PolicyRule want;
    want.verbs = {a.verb};
    if (a.resource_request) {
      want.api_groups = {a.api_group};
      want.resources = {a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource};
      if (!a.name.empty()) want.resource_names = {a.name};
    } else {
      want.non_resource_urls = {a.path};
    }
    if (rbac::covers(*rules, {want}).covered) return p.policy_arn;
  }
  return "";
}

// fieldValidation: Strict refuses members the kind does not declare (400, in kube-apiserver's
// words), Warn (the default) reports them in Warning headers, Ignore says nothing.
std::vector<std::string> check_fields(const Resource& res, const json::object& obj, const std::string& mode) {
  if (mode == "Ignore") return {};
  if (!mode.empty() && mode != "Strict" && mode != "Warn")
    throw api_error(400, "BadRequest", "fieldValidation must be one of Ignore, Warn or Strict, not " + mode);
  auto unknown = res.custom ? custom_unknown_fields(res, obj) : kubeproto::unknown_fields(res.group_version(), res.kind, obj);
  if (unknown.empty()) return {};
  std::vector<std::string> messages;
  for (const auto& f : unknown) messages.push_back("unknown field \"" + f + "\"");
  if (mode == "Strict") {
    std::string joined;
    for (const auto& m : messages) joined += (joined.empty() ? "" : ", ") + m;
    throw api_error(400, "BadRequest", res.kind + " in version \"" + res.version + "\" cannot be handled as a " + res.kind +
                                           ": strict decoding error: " + joined);
  }
  return messages;
}

http::Response with_warnings(http::Response resp, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) resp.headers.emplace_back("Warning", "299 - \"" + replace_all(w, "\"", "\\\"") + "\"");
  return resp;
}

std::string string_member(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// What an access review asks about (SelfSubjectAccessReview and SubjectAccessReview share the
// spec): resourceAttributes or nonResourceAttributes; the user is filled in by the caller.
rbac::Attributes review_attributes(const json::object& review, const std::string& kind) {
  rbac::Attributes q{{}, "", true, "", "", "", "", "", "", ""};
  const json::value* spec = review.if_contains("spec");
  const json::value* ra = spec && spec->is_object() ? spec->as_object().if_contains("resourceAttributes") : nullptr;
  const json::value* nra = spec && spec->is_object() ? spec->as_object().if_contains("nonResourceAttributes") : nullptr;
  if (ra && ra->is_object()) {
    const auto& o = ra->as_object();
    q.verb = string_member(o, "verb"), q.ns = string_member(o, "namespace"), q.api_group = string_member(o, "group");
    q.api_version = string_member(o, "version"), q.resource = string_member(o, "resource");
    q.subresource = string_member(o, "subresource"), q.name = string_member(o, "name");
  } else if (nra && nra->is_object()) {
    q.resource_request = false;
    q.verb = string_member(nra->as_object(), "verb");
    q.path = string_member(nra->as_object(), "path");
  } else {
    throw api_error(422, "Invalid", kind + ".authorization.k8s.io \"\" is invalid: spec: Invalid value: "
                                          "\"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified");
  }
  return q;
}

rbac::UserInfo user_info(const User& u) { return rbac::UserInfo{u.name, u.uid, u.groups, u.extra}; }

const std::vector<std::string> kRbacKinds{"roles", "rolebindings", "clusterroles", "clusterrolebindings"};
}  // namespace

ApiServer::ApiServer(identity::Directory& dir, store::Store& store, ClusterEndpoints& endpoints,
                     ApiServerOptions options)
    : dir_(dir), store_(store), endpoints_(endpoints), options_(options) {}

namespace {
// Allowed requests that change something are kept in the audit trail (every denial is). Reviews
// are "create"s that change nothing.
bool audited_when_allowed(const std::string& verb, const std::string& resource) {
  bool writes = verb == "create" || verb == "update" || verb == "patch" || verb == "delete" || verb == "deletecollection";
  return writes && !resource.ends_with("reviews");
}
}  // namespace

http::Response ApiServer::handle(const http::Request& req) {
  try {
    std::string_view target = req.target;
    std::string_view path = target.substr(0, target.find('?'));
    if (path == "/healthz" || path == "/livez" || path == "/readyz")
      return http::Response{200, {{"Content-Type", "text/plain"}}, "ok"};
    Request r{req, nullptr, std::string(path.empty() ? "/" : path), {}, {}, clock::now_seconds()};
    if (size_t q = target.find('?'); q != std::string_view::npos) r.query = parse_query(target.substr(q + 1));
    r.cluster = dir_.read([&](const identity::State& s) -> identity::Ref<identity::Cluster> {
      for (const auto& [acct, a] : s.accounts)
        for (const auto& [name, c] : a.clusters)
          if (c->id == req.listener) return c;
      return nullptr;
    });
    if (!r.cluster || r.cluster->status != "ACTIVE")
      throw not_found_path();
    http::Response res;
    try {
      res = serve(r);
    } catch (const ApiError& e) {
      res = status(e);
      // Refusals decided past the authorizer (escalation checks on RBAC writes) are denials too.
      if (e.code() == 403 && r.note.decision != "deny") {
        r.note.decision = "deny";
        r.note.reason = e.message();
      }
    } catch (const store::StoreError& e) {
      spdlog::error("kube request failed in the store: {}", e.what());
      res = status(api_error(500, "InternalError", std::string("the request could not be stored: ") + e.what()));
    }
    record(r, res.status);
    return res;
  } catch (const ApiError& e) {
    return status(e);
  }
}

void ApiServer::record(Request& r, int status_code) {
  audit::Event& e = r.note;
  if (!options_.audit || e.decision.empty()) return;
  e.time_ms = clock::now_millis();
  e.plane = "kubernetes";
  e.account = r.cluster->account;
  e.cluster = r.cluster->name;
  e.resource = r.path;
  e.status = status_code;
  e.source_ip = r.http.remote_addr;
  if (const std::string* ua = r.http.header("User-Agent")) e.user_agent = ua->substr(0, 256);
  options_.audit->record(std::move(e));
}

// An EKS bearer token, verified locally, mapped through the cluster's access entry for the
// principal; nullopt when the token fails or the principal has no entry on this cluster.
std::optional<User> ApiServer::authenticate(const identity::Cluster& cluster, const std::string& token, int64_t now,
                                            audit::Event& note) {
  auto verified = dir_.read([&](const identity::State& s) {
    return authn::verify_eks_token(token, cluster.name, token_policy_, s, dir_.box(), now);
  });
  if (auto* err = std::get_if<authn::TokenError>(&verified)) {
    spdlog::info("kube: token refused for cluster {}: {}", cluster.name, err->reason);
    note.decision = "deny";
    note.reason = "token refused: " + err->reason;
    return std::nullopt;
  }
  const auto& id = std::get<authn::TokenIdentity>(verified);
  note.principal_arn = id.arn;
  note.access_key_id = id.access_key_id;
  note.session_name = id.session_name;
  auto mapped = authn::map_identity(id, cluster);
  if (!mapped) {
    spdlog::info("kube: {} has no access entry on cluster {}", id.arn, cluster.name);
    note.decision = "deny";
    note.reason = "no access entry on this cluster for " + id.canonical_arn;
    return std::nullopt;
  }
  return User{mapped->username, mapped->uid, mapped->groups, mapped->extra, mapped->access_policies};
}

http::Response ApiServer::serve(Request& r) {
  const std::string* authz = r.http.header("Authorization");
  if (authz && authz->starts_with("Bearer ")) {
    auto user = authenticate(*r.cluster, authz->substr(7), r.now, r.note);
    if (!user) throw kUnauthorized;
    r.user = std::move(*user);
  } else if (!r.http.client_cn.empty()) {
    // The operator's break-glass credential: a client certificate from the cluster's CA
    // (verified by the listener), its CN the user and its O entries the groups.
    r.user.name = r.http.client_cn;
    r.user.groups = r.http.client_orgs;
    r.user.groups.push_back("system:authenticated");
  } else {
    r.note.decision = "deny";
    r.note.reason = "no credentials";
    throw kUnauthorized;
  }
  r.note.kube_user = r.user.name;
  r.note.kube_groups = r.user.groups;
  if (options_.rate)
    if (int wait = options_.rate->acquire(limit_key(r)))
      throw ApiError{st::too_many_requests("Too many requests, please try again later.", wait), {}};

  auto parts = split_path(r.path);
  const std::string& method = r.http.method;
  if (parts.empty() || parts[0] == "version" || (parts[0] != "api" && parts[0] != "apis")) {
    rbac::Attributes a{user_info(r.user), method == "GET" ? "get" : "post", false, "", "", "", "", "", "", r.path};
    if (!allowed(r, a)) throw api_error(403, "Forbidden", rbac::forbidden_message(a));
    if (r.path == "/version") return json_response(200, version_info());
    if (r.path == "/openapi/v3") return json_response(200, openapi_root(served_resources(store_, r.cluster->id)));
    if (r.path.starts_with("/openapi/v3/")) {
      auto doc = openapi_document(r.path.substr(std::string_view("/openapi/v3/").size()),
                                  served_resources(store_, r.cluster->id));
      if (doc) return json_response(200, *doc);
    }
    throw not_found_path();
  }
  // Discovery: /api, /apis, /api/v1, /apis/<group>/<version>.
  bool core = parts[0] == "api";
  size_t gv_len = core ? 2 : 3;
  // Discovery documents are read-only.
  if (parts.size() <= gv_len && method != "GET")
    throw api_error(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  if (parts.size() < gv_len) {
    rbac::Attributes a{user_info(r.user), "get", false, "", "", "", "", "", "", r.path};
    if (!allowed(r, a)) throw api_error(403, "Forbidden", rbac::forbidden_message(a));
    const std::string* accept = r.http.header("Accept");
    if (parts.size() == 1) return discovery_root(core, accept ? *accept : "", served_resources(store_, r.cluster->id));
    if (core) throw not_found_path();
    return json_response(200, resource_list(parts[1], "", served_resources(store_, r.cluster->id)));
  }
  if (parts.size() == gv_len) {
    rbac::Attributes a{user_info(r.user), "get", false, "", "", "", "", "", "", r.path};
    if (!allowed(r, a)) throw api_error(403, "Forbidden", rbac::forbidden_message(a));
    auto all = served_resources(store_, r.cluster->id);
    json::object list = core ? resource_list("", parts[1], all) : resource_list(parts[1], parts[2], all);
    if (list.at("resources").as_array().empty())
      throw not_found_path();
    return json_response(200, list);
  }
  return resource_request(r);
}

http::Response ApiServer::resource_request(Request& r) {
  auto parts = split_path(r.path);
  bool core = parts[0] == "api";
  std::string group = core ? "" : parts[1];
  std::string version = core ? parts[1] : parts[2];
  size_t i = core ? 2 : 3;
  std::string ns, name, sub;
  if (parts.size() > i + 2 && parts[i] == "namespaces") {
    ns = parts[i + 1];
    i += 2;
  }
  if (parts.size() <= i) throw not_found_path();
  std::string plural = parts[i];
  if (parts.size() > i + 1) name = parts[i + 1];
  if (parts.size() > i + 2) sub = parts[i + 2];
  if (parts.size() > i + 3) throw not_found_path();
  // /api/v1/namespaces/<name> names a namespace itself.
  if (plural == "namespaces" && ns.empty() && parts.size() == i + 2) name = parts[i + 1];
  const Resource* res = find_resource(group, version, plural);
  std::optional<Resource> custom;  // a kind of this cluster's CRDs
  if (!res && (custom = find_custom_resource(store_, r.cluster->id, group, version, plural))) res = &*custom;
  if (!res) throw not_found_path();
  // A cluster-scoped kind has no namespaced path, and a namespaced object is only reached
  // through its namespace (lists may span all namespaces), as in kube-apiserver.
  if (!res->namespaced && !ns.empty()) throw not_found_path();
  if (res->namespaced && ns.empty() && !name.empty()) throw not_found_path();

  const std::string& method = r.http.method;
  std::string verb = method == "GET"      ? (name.empty() ? (r.query.count("watch") && r.query["watch"] != "false" ? "watch" : "list") : "get")
                     : method == "POST"   ? "create"
                     : method == "PUT"    ? "update"
                     : method == "PATCH"  ? "patch"
                     : method == "DELETE" ? (name.empty() ? "deletecollection" : "delete")
                                          : "";
  if (verb.empty()) throw api_error(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  rbac::Attributes a{user_info(r.user), verb, true, ns, group, version, plural, sub, name, ""};
  if (res->resource == "namespaces" && !name.empty()) a.ns = name;  // as kube-apiserver scopes them
  if (!allowed(r, a)) throw api_error(403, "Forbidden", rbac::forbidden_message(a));

  // Reviews answer about the caller; nothing is stored.
  if (res->resource == "selfsubjectreviews" && verb == "create") {
    json::object userinfo{{"username", r.user.name}, {"uid", r.user.uid}, {"groups", json::value_from(r.user.groups)},
                          {"extra", json::value_from(r.user.extra)}};
    return json_response(201, json::object{{"kind", "SelfSubjectReview"}, {"apiVersion", "authentication.k8s.io/v1"},
                                           {"metadata", json::object{{"creationTimestamp", nullptr}}},
                                           {"status", json::object{{"userInfo", std::move(userinfo)}}}});
  }
  if (res->resource == "selfsubjectaccessreviews" && verb == "create") {
    json::object review = read_body(r.http);
    rbac::Attributes q = review_attributes(review, "SelfSubjectAccessReview");
    q.user = user_info(r.user);
    auto decision = authorizer(r.cluster->id)->authorize(q);
    bool ok = decision.allowed || !access_policy_allowing(r.user, q).empty();
    std::string reason = decision.allowed ? decision.reason : ok ? "allowed by an EKS access policy of the caller's access entry" : "";
    json::object st{{"allowed", ok}};
    if (!reason.empty()) st["reason"] = reason;
    review["status"] = std::move(st);
    review["kind"] = "SelfSubjectAccessReview";
    review["apiVersion"] = "authorization.k8s.io/v1";
    return json_response(201, review);
  }
  if (res->resource == "selfsubjectrulesreviews" && verb == "create") {
    json::object review = read_body(r.http);
    std::string ns_q;
    if (auto* sp = review.if_contains("spec"); sp && sp->is_object())
      if (auto* n = sp->as_object().if_contains("namespace"); n && n->is_string()) ns_q = std::string(n->as_string());
    auto rules = authorizer(r.cluster->id)->rules_for(r.user.name, r.user.groups, ns_q);
    review["status"] = rules.to_json();
    review["kind"] = "SelfSubjectRulesReview";
    review["apiVersion"] = "authorization.k8s.io/v1";
    return json_response(201, review);
  }
  if (res->resource == "tokenreviews" && verb == "create") {
    json::object review = read_body(r.http);
    std::string token;
    if (auto* sp = review.if_contains("spec"); sp && sp->is_object())
      if (auto* t = sp->as_object().if_contains("token"); t && t->is_string()) token = std::string(t->as_string());
    audit::Event reviewed;  // the reviewed token's outcome is the review's answer, not an audit entry
    auto who = token.empty() ? std::nullopt : authenticate(*r.cluster, token, r.now, reviewed);
    json::object st{{"authenticated", who.has_value()}};
    if (who)
      st["user"] = json::object{{"username", who->name}, {"uid", who->uid}, {"groups", json::value_from(who->groups)},
                                {"extra", json::value_from(who->extra)}};
    else
      st["error"] = "the token is not valid for this cluster";
    review["status"] = std::move(st);
    review["kind"] = "TokenReview";
    review["apiVersion"] = "authentication.k8s.io/v1";
    return json_response(201, review);
  }
  if (res->resource == "subjectaccessreviews" && verb == "create") {
    // About another subject, as RBAC alone sees it (access policies belong to access entries,
    // not to Kubernetes user names).
    json::object review = read_body(r.http);
    rbac::Attributes q = review_attributes(review, "SubjectAccessReview");
    const json::object& spec = review.at("spec").as_object();
    q.user = rbac::UserInfo{string_member(spec, "user"), string_member(spec, "uid"), {}, {}};
    if (auto* g = spec.if_contains("groups"); g && g->is_array())
      for (const auto& v : g->as_array())
        if (v.is_string()) q.user.groups.emplace_back(v.as_string());
    if (q.user.name.empty() && q.user.groups.empty())
      throw api_error(422, "Invalid", "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user: Invalid value: "
                                      "\"\": at least one of user or group must be specified");
    auto decision = authorizer(r.cluster->id)->authorize(q);
    json::object st{{"allowed", decision.allowed}};
    if (!decision.reason.empty()) st["reason"] = decision.reason;
    review["status"] = std::move(st);
    review["kind"] = "SubjectAccessReview";
    review["apiVersion"] = "authorization.k8s.io/v1";
    return json_response(201, review);
  }
  if (res->verbs.size() == 1) throw api_error(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  if (res->resource == "pods" && sub == "log" && verb == "get") {
    json::object pod = Registry(store_, dir_.box()).get(*res, r.cluster->id, ns, name);
    std::string container = r.query["container"];
    if (container.empty())
      if (auto* c = pod["spec"].is_object() ? pod["spec"].as_object().if_contains("containers") : nullptr;
          c && c->is_array() && !c->as_array().empty() && c->as_array()[0].is_object())
        if (auto* n = c->as_array()[0].as_object().if_contains("name"); n && n->is_string()) container = std::string(n->as_string());
    throw api_error(400, "BadRequest", "container \"" + container + "\" in pod \"" + name +
                                           "\" is waiting to start: no node is available to run it");
  }
  // A custom kind's status and scale subresources are read and written; pods/status is read.
  bool custom_sub = res->custom && std::find(res->subresources.begin(), res->subresources.end(), sub) != res->subresources.end() &&
                    (verb == "get" || verb == "update" || verb == "patch");
  if (!sub.empty() && !(res->resource == "pods" && sub == "status" && verb == "get") && !custom_sub)
    throw not_found_path();

  Registry reg(store_, dir_.box());
  const std::string& cid = r.cluster->id;
  if (sub == "scale") {
    const std::string* ct = r.http.header("Content-Type");
    return json_response(200, scale_subresource(reg, *res, cid, ns, name, verb, ct ? *ct : "", r.http.body));
  }
  if (verb == "watch") return watch(r, *res, reg, ns);
  const std::string* accept = r.http.header("Accept");
  bool table = accept && wants_table(*accept);
  if (verb == "get") {
    json::object obj = reg.get(*res, cid, ns, name);
    if (!table) return json_response(200, obj);
    std::string rv(obj.at("metadata").at("resourceVersion").as_string());
    return json_response(200, to_table(*res, json::array{obj}, rv, r.now));
  }
  if (verb == "list") {
    int64_t limit = 0;
    if (auto it = r.query.find("limit"); it != r.query.end() && !it->second.empty()) {
      try {
        limit = std::max<int64_t>(0, std::stoll(it->second));
      } catch (const std::exception&) {
        throw api_error(400, "BadRequest", "invalid limit: " + it->second);
      }
    }
    json::object list = reg.list(*res, cid, ns, r.query["labelSelector"], r.query["fieldSelector"], limit, r.query["continue"]);
    if (!table) return json_response(200, list);
    const json::object& md = list.at("metadata").as_object();
    json::object t = to_table(*res, list.at("items").as_array(), std::string(md.at("resourceVersion").as_string()), r.now);
    if (const json::value* next = md.if_contains("continue")) t["metadata"].as_object()["continue"] = *next;  // kubectl pages tables too
    return json_response(200, t);
  }
  if (verb == "create" || verb == "update") {
    if (res->namespaced && ns.empty()) throw not_found_path();
    json::object obj = read_body(r.http);
    auto warnings = check_fields(*res, obj, r.query["fieldValidation"]);
    if (auto* k = obj.if_contains("kind"); k && k->is_string() && k->as_string() != res->kind)
      throw api_error(400, "BadRequest", "the kind of the body (" + std::string(k->as_string()) + ") is not " + res->kind);
    if (r.query.count("dryRun")) throw api_error(400, "BadRequest", "dryRun is not supported yet");
    // RBAC objects may only grant what their creator holds (escalation prevention).
    if (res->group == "rbac.authorization.k8s.io") {
      if (res->namespaced && obj["metadata"].is_object()) obj["metadata"].as_object()["namespace"] = ns;
      auto parsed = rbac::parse_object(obj);
      if (!parsed.errors.empty())
        throw api_error(422, "Invalid", rbac::invalid_message(res->kind, name, parsed.errors));
      auto az = authorizer(cid);
      rbac::Verdict v;
      if (auto* role = std::get_if<rbac::Role>(&parsed.object)) v = rbac::may_create_role(*az, a, ns, role->rules);
      if (auto* crole = std::get_if<rbac::ClusterRole>(&parsed.object))
        v = rbac::may_create_role(*az, a, "", crole->rules, name, crole->aggregation_rule.has_value());
      if (auto* rb = std::get_if<rbac::RoleBinding>(&parsed.object)) v = rbac::may_bind(*az, a.user, *rb);
      if (auto* crb = std::get_if<rbac::ClusterRoleBinding>(&parsed.object)) v = rbac::may_bind(*az, a.user, *crb);
      if (!v.allowed())
        throw v.outcome == rbac::Verdict::Outcome::NotFound ? api_error(404, "NotFound", v.message)
                                                             : api_error(403, "Forbidden", v.message);
    }
    json::object out = verb == "create" ? reg.create(*res, cid, ns, std::move(obj), r.now)
                                        : reg.update(*res, cid, ns, name, std::move(obj), sub);
    if (res->group == "rbac.authorization.k8s.io") invalidate(cid);
    if (verb == "create" && res->resource == "namespaces") provision_namespace(cid, std::string(out.at("metadata").at("name").as_string()));
    return with_warnings(json_response(verb == "create" ? 201 : 200, out), warnings);
  }
  if (verb == "patch" && r.http.header("Content-Type") &&
      r.http.header("Content-Type")->starts_with("application/apply-patch+yaml"))
    return server_side_apply(r, *res, reg, ns, name);
  if (verb == "patch") {
    const std::string* ct = r.http.header("Content-Type");
    if (res->group == "rbac.authorization.k8s.io")
      throw api_error(405, "MethodNotAllowed", "patching RBAC objects is not served yet: use kubectl replace or delete and create");
    std::vector<std::string> warnings;
    json::object out = reg.patch(*res, cid, ns, name, ct ? *ct : "", r.http.body, [&](const json::object& next) {
      warnings = check_fields(*res, next, r.query["fieldValidation"]);
    }, sub);
    return with_warnings(json_response(200, out), warnings);
  }
  // delete: DeleteOptions from the body, or else from the query (delete_options.h).
  std::optional<json::object> body;
  if (!r.http.body.empty()) body = read_body(r.http);
  DeleteOptions options = delete_options(body ? &*body : nullptr, r.query);
  if (verb == "deletecollection") {
    if (std::find(res->verbs.begin(), res->verbs.end(), verb) == res->verbs.end())
      throw api_error(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    // Each matching object as its own DELETE; the answer lists them as the deletes left them.
    json::object list = reg.list(*res, cid, ns, r.query["labelSelector"], r.query["fieldSelector"]);
    json::array removed;
    for (const auto& item : list.at("items").as_array()) {
      const json::object& md = item.at("metadata").as_object();
      std::string item_ns = md.contains("namespace") ? std::string(md.at("namespace").as_string()) : "";
      try {
        removed.push_back(reg.remove(*res, cid, item_ns, std::string(md.at("name").as_string()), options, r.now));
      } catch (const ApiError& e) {
        if (e.code() != 404) throw;
      }
    }
    list["items"] = std::move(removed);
    if (res->group == "rbac.authorization.k8s.io") invalidate(cid);
    return json_response(200, list);
  }
  json::object out = reg.remove(*res, cid, ns, name, options, r.now);
  if (is_crd(*res)) finalize_crds(reg, store_, cid, r.now);  // its objects go, then (unless held) the CRD
  if (res->group == "rbac.authorization.k8s.io" || res->resource == "namespaces") invalidate(cid);
  return json_response(200, out);
}

// Server-side apply: the applied configuration merged into the live object (or creating it)
// with field ownership per manager, conflicts unless force=true. kubectl sends the
// configuration as JSON, which is YAML too; other YAML is refused with a clear message.
http::Response ApiServer::server_side_apply(Request& r, const Resource& res, const Registry& reg, const std::string& ns,
                                            const std::string& name) {
  std::string manager = r.query["fieldManager"];
  if (manager.empty())
    throw api_error(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: "
                                    "is required for apply patch");
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 100;
  json::value config = json::parse(r.http.body, ec, {}, opts);
  if (ec || !config.is_object())
    throw api_error(415, "UnsupportedMediaType", "apply configurations are accepted as JSON (which is valid YAML); "
                                                 "convert the YAML to JSON or use kubectl, which sends JSON");
  auto warnings = check_fields(res, config.as_object(), r.query["fieldValidation"]);
  Registry writer = reg;
  std::optional<json::object> live;
  try {
    live = writer.get(res, r.cluster->id, ns, name);
  } catch (const ApiError& e) {
    if (e.code() != 404) throw;
  }
  apimachinery::PatchSchema schema = apimachinery::PatchSchema::for_kind(res.group, res.kind);
  apimachinery::managed::Options o;
  o.manager = manager;
  o.api_version = res.group_version();
  o.kind = res.kind;
  o.now = clock::iso8601(r.now);
  o.schema = &schema;
  o.ignored = {"status"};
  json::value live_value = live ? json::value(*live) : json::value();
  auto applied = apimachinery::managed::apply(live ? &live_value : nullptr, config, r.query["force"] == "true", o);
  if (!applied) throw applied.error();
  json::object next = std::move(applied->as_object());
  if (!live) {
    json::object created = writer.create(res, r.cluster->id, ns, std::move(next), r.now);
    if (res.resource == "namespaces") provision_namespace(r.cluster->id, name);
    return with_warnings(json_response(201, created), warnings);
  }
  next["metadata"].as_object()["resourceVersion"] = live->at("metadata").at("resourceVersion");
  return with_warnings(json_response(200, writer.update(res, r.cluster->id, ns, name, std::move(next))), warnings);
}

// A watch is a chunked stream of one JSON event per line, fed by the store's broadcaster. It ends
// when the client goes, at timeoutSeconds, or when the server stops; the store watch goes with it.
http::Response ApiServer::watch(Request& r, const Resource& res, const Registry& reg, const std::string& ns) {
  // Options and selectors are checked before the stream starts, so bad ones are ordinary errors.
  WatchOptions options = watch_options(r.query);
  Registry::check_selectors(res, options.label_selector, options.field_selector);
  std::string cid = r.cluster->id;
  std::shared_ptr<void> slot = watch_slot(limit_key(r));
  http::Response resp{200, {{"Content-Type", "application/json"}}, "", nullptr};
  const std::string* accept = r.http.header("Accept");
  bool table = accept && wants_table(*accept);
  // The resource is copied: a custom kind lives only as long as this request.
  resp.start_stream = [this, res, reg, ns, options, cid, table, slot](std::shared_ptr<http::Stream> stream) {
    auto emit = [stream, table, res](json::object event) {
      // With the Table Accept, each event's object is a one-row Table (columns come with the
      // list); a bookmark's has no row.
      if (table && event["type"] != "ERROR") {
        json::object& obj = event["object"].as_object();
        std::string rv(obj["metadata"].as_object()["resourceVersion"].as_string());
        json::array rows = event["type"] == "BOOKMARK" ? json::array{} : json::array{obj};
        event["object"] = to_table(res, rows, rv, clock::now_seconds(), false);
      }
      stream->write(json::serialize(event) + "\n");
    };
    auto w = reg.watch(res, cid, ns, options, emit);
    if (!w) {  // the ERROR event was sent
      stream->close();
      return;
    }
    watches_.add(stream, std::move(w), clock::now_seconds(), options.timeout_seconds, options.allow_bookmarks, slot);
  };
  return resp;
}

// Whose budget a request spends (rate and watches): the cluster and the IAM principal behind the
// user (uid names the user or role, not the session), never the user name alone — any account
// may give its access entries any user name, and must not spend someone else's budget with it.
std::string ApiServer::limit_key(const Request& r) {
  return r.cluster->id + "/" + (r.user.uid.empty() ? r.user.name : r.user.uid);
}

// One of the user's open watches, counted until the last holder lets go (the stream's end, or
// the response never streaming); 429 beyond the limit.
std::shared_ptr<void> ApiServer::watch_slot(const std::string& key) {
  if (options_.max_watches_per_user <= 0) return nullptr;
  std::lock_guard lock(mu_);
  int& open = open_watches_[key];
  if (open >= options_.max_watches_per_user)
    throw ApiError{st::too_many_requests("Too many open watches (at most " +
                                             std::to_string(options_.max_watches_per_user) + ")",
                                         1),
                   {}};
  ++open;
  return std::shared_ptr<void>(nullptr, [this, key](void*) {
    std::lock_guard lock(mu_);
    if (--open_watches_[key] <= 0) open_watches_.erase(key);
  });
}

void ApiServer::close_expired_watches() { watches_.tick(clock::now_seconds()); }

std::shared_ptr<const rbac::Authorizer> ApiServer::authorizer(const std::string& cid) {
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    if (auto it = authorizers_.find(cid); it != authorizers_.end()) return it->second;
    generation = generations_[cid];
  }
  // Built from the cluster's stored RBAC objects, then cached until one of them changes.
  rbac::PolicySet set;
  for (const auto& plural : kRbacKinds) {
    const Resource* res = find_resource("rbac.authorization.k8s.io", "v1", plural);
    for (const auto& kv : store_.list(res->prefix(cid)).items) set.apply(parse_stored(kv.value));  // never sealed
  }
  auto built = set.build();
  std::lock_guard lock(mu_);
  // Cached only if no RBAC write happened while it was being built; otherwise the next
  // request builds again from the newer objects.
  if (generations_[cid] == generation) authorizers_[cid] = built;
  return built;
}

void ApiServer::invalidate(const std::string& cid) {
  std::lock_guard lock(mu_);
  authorizers_.erase(cid);
  ++generations_[cid];
}

bool ApiServer::allowed(Request& r, const rbac::Attributes& a) {
  rbac::Decision d = authorizer(r.cluster->id)->authorize(a);
  std::string policy = d.allowed ? "" : access_policy_allowing(r.user, a);
  bool ok = d.allowed || !policy.empty();
  r.note.action = a.verb;
  if (!ok) {
    r.note.decision = "deny";
    r.note.reason = d.reason.empty() ? "no RBAC binding or EKS access policy allows it" : d.reason;
  } else if (audited_when_allowed(a.verb, a.resource)) {
    r.note.decision = "allow";
    r.note.reason = d.allowed ? d.reason : "allowed by the EKS access policy " + policy;
  } else {
    r.note.decision.clear();  // an allowed read: not kept
  }
  return ok;
}

void ApiServer::ensure_object(const std::string& cid, json::object obj) {
  std::string api_version(obj.at("apiVersion").as_string());
  std::string group = api_version.find('/') == std::string::npos ? "" : api_version.substr(0, api_version.find('/'));
  const Resource* res = find_kind(group, obj.at("kind").as_string());
  if (!res) return;
  const json::object& md = obj.at("metadata").as_object();
  std::string ns = md.contains("namespace") ? std::string(md.at("namespace").as_string()) : "";
  std::string name(md.at("name").as_string());
  Registry reg(store_, dir_.box());
  if (reg.exists(*res, cid, ns, name)) return;
  try {
    reg.create(*res, cid, ns, std::move(obj), clock::now_seconds());
  } catch (const ApiError& e) {
    if (e.code() != 409) throw;
  }
}

}  // namespace orch::kube
