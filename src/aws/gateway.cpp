#include "aws/gateway.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "aws/protocol/form.h"
#include "aws/protocol/xml.h"
#include "base/clock.h"
#include "base/ids.h"
#include "sigv4/sigv4.h"

namespace orch::aws {
namespace json = boost::json;

namespace {

struct ServiceInfo {
  std::string_view name, version, xmlns;
};
constexpr ServiceInfo kServices[] = {
    {"iam", "2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/"},
    {"sts", "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/"},
    {"organizations", "2016-11-28", ""},
    {"eks", "2017-11-01", ""},
};
const ServiceInfo* service_info(std::string_view name) {
  for (const auto& s : kServices)
    if (s.name == name) return &s;
  return nullptr;
}

constexpr std::string_view kOrgTargetPrefix = "AWSOrganizationsV20161128.";

// Renders a result tree as Query-protocol XML (lists as <member>, maps as <entry>).
void render_xml(Xml& x, const json::value& v);
void render_member(Xml& x, std::string_view name, const json::value& v) {
  if (v.is_null()) return;
  if (v.is_array()) {
    x.open(name);
    for (const auto& item : v.as_array()) {
      x.open("member");
      render_xml(x, item);
      x.close("member");
    }
    x.close(name);
    return;
  }
  if (v.is_object() && v.as_object().contains("__map")) {
    x.open(name);
    for (const auto& [k, val] : v.as_object().at("__map").as_object()) {
      x.open("entry").leaf("key", std::string_view(k));
      render_member(x, "value", val);
      x.close("entry");
    }
    x.close(name);
    return;
  }
  if (v.is_object()) {
    x.open(name);
    render_xml(x, v);
    x.close(name);
    return;
  }
  render_xml(x.open(name), v);
  x.close(name);
}
void render_xml(Xml& x, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object:
      for (const auto& [k, val] : v.as_object()) render_member(x, k, val);
      break;
    case json::kind::string: {
      Xml leaf;
      leaf.leaf("x", std::string_view(v.as_string()));
      const std::string& s = leaf.str();
      x.raw(std::string_view(s).substr(3, s.size() - 7));  // the escaped text between <x> and </x>
      break;
    }
    case json::kind::bool_: x.raw(v.as_bool() ? "true" : "false"); break;
    case json::kind::int64: x.raw(std::to_string(v.as_int64())); break;
    case json::kind::uint64: x.raw(std::to_string(v.as_uint64())); break;
    case json::kind::double_: x.raw(json::serialize(v)); break;
    default: break;
  }
}

// The Query protocol's JSON form (Accept: application/json), as STS answers it.
json::value json_of_map(const json::value& v) {
  if (v.is_object() && v.as_object().contains("__map")) return v.as_object().at("__map");
  if (v.is_object()) {
    json::object o;
    for (const auto& [k, val] : v.as_object()) o[k] = json_of_map(val);
    return o;
  }
  if (v.is_array()) {
    json::array a;
    for (const auto& item : v.as_array()) a.push_back(json_of_map(item));
    return a;
  }
  return v;
}

http::Response xml_response(int status, std::string body, const std::string& request_id) {
  http::Response r;
  r.status = status;
  r.headers = {{"Content-Type", "text/xml"}, {"x-amzn-RequestId", request_id}};
  r.body = std::move(body);
  return r;
}

http::Response json_response(int status, const json::value& body, const std::string& request_id,
                             std::string_view content_type = "application/x-amz-json-1.1") {
  http::Response r;
  r.status = status;
  r.headers = {{"Content-Type", std::string(content_type)}, {"x-amzn-RequestId", request_id}};
  r.body = json::serialize(body);
  return r;
}

http::Response error_body(const AwsError& e, const std::string& request_id, Protocol protocol,
                          std::string_view service) {
  if (protocol != Protocol::Query) {
    // JSON services name their exceptions with the suffix (AccessDeniedException).
    std::string code = e.code;
    int status = e.status;
    if (code == "AccessDenied") code = "AccessDeniedException";
    if (code == "Throttling") {
      code = "ThrottlingException";
      status = 429;
    }
    if (code == "ValidationError") code = protocol == Protocol::RestJson ? "InvalidParameterException" : "ValidationException";
    json::object body{{"message", e.what()}};
    if (protocol == Protocol::Json) body["__type"] = code;
    auto r = json_response(status, body, request_id, protocol == Protocol::Json ? "application/x-amz-json-1.1" : "application/json");
    r.headers.emplace_back("x-amzn-ErrorType", code);
    return r;
  }
  const ServiceInfo* info = service_info(service);
  Xml x;
  x.raw("<ErrorResponse xmlns=\"");
  x.raw(info && !info->xmlns.empty() ? info->xmlns : kServices[0].xmlns);
  x.raw("\">");
  x.open("Error").leaf("Type", e.sender ? "Sender" : "Receiver").leaf("Code", e.code).leaf("Message", e.what()).close("Error");
  x.leaf("RequestId", request_id);
  x.raw("</ErrorResponse>");
  return xml_response(e.status, x.take(), request_id);
}

// An AWS error in the protocol's format.
http::Response error_response(const AwsError& e, const std::string& request_id, Protocol protocol,
                              std::string_view service) {
  http::Response r = error_body(e, request_id, protocol, service);
  if (e.retry_after > 0) r.headers.emplace_back("Retry-After", std::to_string(e.retry_after));
  return r;
}

std::string header_or_empty(const http::Request& req, std::string_view name) {
  const std::string* v = req.header(name);
  return v ? *v : std::string();
}

policy::Context request_context(const http::Request& req, const identity::Caller& c, const identity::State& s,
                                int64_t now, const std::string& region) {
  policy::Context ctx;
  ctx.set("aws:CurrentTime", clock::iso8601(now));
  ctx.set("aws:EpochTime", std::to_string(now));
  ctx.set("aws:SecureTransport", "true");
  ctx.set("aws:SourceIp", req.remote_addr);
  ctx.set("aws:UserAgent", header_or_empty(req, "User-Agent"));
  ctx.set("aws:RequestedRegion", region);
  ctx.set("aws:PrincipalAccount", c.account);
  ctx.set("aws:userid", c.userid);
  if (const identity::AccountData* a = s.account(c.account); a && s.org)
    ctx.set("aws:PrincipalOrgID", s.org->id);
  if (c.kind == identity::Caller::Kind::RoleSession) {
    ctx.set("aws:PrincipalType", "AssumedRole");
    ctx.set("aws:PrincipalArn", c.role_arn);
  } else {
    ctx.set("aws:PrincipalType", "User");
    ctx.set("aws:PrincipalArn", c.arn);
    ctx.set("aws:username", c.user_name);
  }
  if (c.temporary()) {
    ctx.set("aws:TokenIssueTime", clock::iso8601(c.issued));
    ctx.set("aws:MultiFactorAuthPresent", "false");
  }
  for (const auto& t : c.tags) ctx.set("aws:PrincipalTag/" + t.key, t.value);
  return ctx;
}

std::string_view path_of(const std::string& target) { return std::string_view(target).substr(0, target.find('?')); }

bool valid_region(std::string_view r) {
  if (r.empty() || r.size() > 32) return false;
  for (char c : r)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}
}  // namespace

Gateway::Gateway(identity::Directory& dir, identity::Usage& usage, audit::Log* audit, RateLimiter* rate)
    : dir_(dir), usage_(usage), audit_(audit), rate_(rate) {
  register_iam(registry_);
  register_sts(registry_);
  register_organizations(registry_);
  register_eks(registry_);
}

http::Response Gateway::handle(const http::Request& req) {
  std::string request_id = ids::uuid4();
  // The protocol follows from the request's shape: a target header (JSON), a path one of the
  // REST services declares (REST-JSON), or else the Query protocol.
  Protocol protocol = req.header("X-Amz-Target")         ? Protocol::Json
                      : registry_.match(req.method, path_of(req.target)).op ? Protocol::RestJson
                                                                            : Protocol::Query;
  std::string service = protocol == Protocol::RestJson ? "eks" : "iam";
  audit::Event note;  // filled in as the request is understood; decision stays empty if not worth a trail
  http::Response res;
  try {
    res = serve(req, request_id, protocol, service, note);
  } catch (const AwsError& e) {
    res = error_response(e, request_id, protocol, service);
    // A refused credential or signature is a denial too; what it claimed is all there is to say.
    if (note.decision.empty() && e.status == 403) {
      note.decision = "deny";
      std::string_view message = e.what();
      note.reason = e.code + ": " + std::string(message.substr(0, message.find('\n')));  // not the canonical request
    }
  } catch (const store::StoreError& e) {
    spdlog::error("request {} failed in the store: {}", request_id, e.what());
    res = error_response(AwsError("ServiceFailure", 500, "The request could not be stored: " + std::string(e.what()), false),
                         request_id, protocol, service);
  }
  if (audit_ && !note.decision.empty()) {
    note.time_ms = clock::now_millis();
    note.plane = "aws";
    note.status = res.status;
    note.request_id = request_id;
    note.source_ip = req.remote_addr;
    if (const std::string* ua = req.header("User-Agent")) note.user_agent = ua->substr(0, 256);
    audit_->record(std::move(note));
  }
  return res;
}

namespace {
// Calls that change something or hand out credentials are kept in the audit trail when
// allowed; reads are not (every denial is).
bool audited_when_allowed(std::string_view service, std::string_view action) {
  if (service == "sts") return action != "GetCallerIdentity";
  return !action.starts_with("Get") && !action.starts_with("List") && !action.starts_with("Describe");
}

// Which statements allowed a call, for the trail: "AdministratorAccess (aws-managed) statement 0".
std::string allowed_by(const policy::Decision& d) {
  std::string out;
  for (const auto& m : d.matched) {
    out += out.empty() ? "allowed by " : ", ";
    out += m.policy_id + " (" + m.policy_type + ") statement " + (m.sid.empty() ? std::to_string(m.index) : m.sid);
  }
  return out.empty() ? "allowed" : out;
}
}  // namespace

http::Response Gateway::serve(const http::Request& req, const std::string& request_id, Protocol protocol,
                              std::string& service, audit::Event& note) {
  if (req.method == "GET" && (req.target == "/healthz" || req.target == "/livez" || req.target == "/readyz"))
    return http::Response{200, {{"Content-Type", "text/plain"}}, "ok"};

  std::vector<sigv4::Header> headers;
  headers.reserve(req.headers.size());
  for (const auto& [k, v] : req.headers) headers.push_back({k, v});
  sigv4::RequestView view{req.method, req.target, &headers, req.body};

  auto parsed = sigv4::parse(view);
  if (auto* err = std::get_if<sigv4::AuthError>(&parsed)) throw AwsError(err->code, err->http_status, err->message);
  const sigv4::ParsedAuth& auth = std::get<sigv4::ParsedAuth>(parsed);
  note.access_key_id = auth.credential.access_key_id;
  int64_t now = clock::now_seconds();
  auto resolved = dir_.read([&](const identity::State& s) {
    return identity::resolve(s, dir_.box(), auth.credential.access_key_id, auth.security_token, now);
  });
  if (auto* err = std::get_if<identity::CredentialError>(&resolved)) throw AwsError(err->code, 403, err->message);
  const identity::Resolved& who = std::get<identity::Resolved>(resolved);
  note.account = who.caller.account;
  note.principal_arn = who.caller.arn;
  note.session_name = who.caller.session_name;

  if (auto err = sigv4::check_scope_and_time(auth, "", now)) throw AwsError(err->code, err->http_status, err->message);
  if (!valid_region(auth.credential.region))
    throw AwsError("SignatureDoesNotMatch", 403,
                   "Credential should be scoped to a valid region, not '" + auth.credential.region + "'. ");

  // Input: Query parameters from the query string and the form body, or a JSON body. One
  // endpoint serves every service, so the call is routed by its Version (Query) or target
  // (JSON), and the credential scope must name that same service.
  std::vector<std::pair<std::string, std::string>> pairs;
  json::object body;
  std::string action;
  const ServiceInfo* svc = nullptr;
  RestMatch rest;
  auto read_json_body = [&] {
    if (req.body.empty()) return;
    boost::system::error_code ec;
    json::value v = json::parse(req.body, ec);
    if (ec || !v.is_object()) throw AwsError("SerializationException", 400, "The request body is not a JSON object.");
    body = std::move(v.as_object());
  };
  if (protocol == Protocol::Json &&
      std::find(auth.signed_headers.begin(), auth.signed_headers.end(), "x-amz-target") == auth.signed_headers.end())
    throw AwsError("IncompleteSignature", 400, "The X-Amz-Target header must be signed: it selects the operation.");
  if (protocol == Protocol::RestJson) {
    rest = registry_.match(req.method, path_of(req.target));
    svc = service_info(rest.op->service);
    action = rest.op->name;
    size_t q = req.target.find('?');
    if (q != std::string::npos) {
      auto query = parse_form(std::string_view(req.target).substr(q + 1));
      if (!query) throw AwsError("InvalidParameterException", 400, "The query string is not well-formed.");
      pairs = std::move(*query);
    }
    read_json_body();
  } else if (protocol == Protocol::Json) {
    const std::string& target = *req.header("X-Amz-Target");
    if (!target.starts_with(kOrgTargetPrefix)) throw AwsError("UnknownOperationException", 400, "Unknown operation " + target);
    svc = service_info("organizations");
    action = target.substr(kOrgTargetPrefix.size());
    read_json_body();
  } else {
    size_t q = req.target.find('?');
    if (q != std::string::npos) {
      auto query = parse_form(std::string_view(req.target).substr(q + 1));
      if (!query) throw AwsError("MalformedQueryString", 400, "The query string is not well-formed.");
      for (auto& [k, v] : *query)
        if (!k.starts_with("X-Amz-")) pairs.emplace_back(std::move(k), std::move(v));
    }
    if (req.method == "POST" && !req.body.empty()) {
      auto form = parse_form(req.body);
      if (!form) throw AwsError("MalformedQueryString", 400, "The request body is not well-formed form data.");
      for (auto& p : *form) pairs.push_back(std::move(p));
    }
    for (const auto& [k, v] : pairs)
      if (!valid_utf8(k) || !valid_utf8(v))
        throw AwsError("MalformedQueryString", 400, "The request contains invalid UTF-8.");
    std::string version;
    for (const auto& [k, v] : pairs) {
      if (k == "Action") action = v;
      if (k == "Version") version = v;
    }
    for (const auto& s : kServices)
      if (!version.empty() && s.version == version) svc = &s;
    if (!svc) svc = service_info(auth.credential.service);
    if (!svc || svc->name == "organizations" || svc->name == "eks")
      throw AwsError("InvalidAction", 400, "Could not find a service for version '" + version + "'");
  }
  service = std::string(svc->name);
  if (auth.credential.service != svc->name)
    throw AwsError("SignatureDoesNotMatch", 403, "Credential should be scoped to correct service: '" + service + "'. ");
  if (auto err = sigv4::verify(view, auth, who.secret)) throw AwsError(err->code, err->http_status, err->message);
  // Counted only once the signature holds, so no one can spend another principal's budget; per
  // principal (user or role id), so new role sessions do not buy a fresh budget.
  if (rate_)
    if (int wait = rate_->acquire(who.caller.principal().unique_id)) throw throttled(wait);
  if (protocol == Protocol::Query && action.empty()) throw AwsError("MissingAction", 400, "Missing Action");
  Params params(std::move(pairs));
  const Operation* op = rest.op ? rest.op : registry_.find(service, action);
  if (!op) {
    if (protocol == Protocol::Json) throw AwsError("UnknownOperationException", 400, "Unknown operation " + action);
    throw AwsError("InvalidAction", 400, "Could not find operation " + action + " for version " + std::string(svc->version));
  }

  note.action = service + ":" + action;
  Call call{req, params, rest.path, body, who.caller, dir_, usage_, request_id, now, auth.credential.region};
  usage_.note_key(who.caller.access_key_id, service, call.region, now);

  // Credentials from GetSessionToken (without MFA, which this server does not offer) may call
  // no IAM API and, of STS, only AssumeRole and GetCallerIdentity — as in AWS.
  if (who.caller.kind == identity::Caller::Kind::UserSession &&
      (service == "iam" || (service == "sts" && action != "AssumeRole" && action != "GetCallerIdentity"))) {
    note.decision = "deny";
    note.reason = "credentials from GetSessionToken without MFA cannot call this API";
    throw access_denied("User: " + who.caller.arn + " is not authorized to perform: " + service + ":" + action +
                        " because credentials from GetSessionToken without MFA cannot call this API");
  }

  std::vector<std::string> allowed_reasons;
  if (op->authorize) {
    dir_.read([&](const identity::State& s) {
      Authz authz = op->authz ? op->authz(call, s) : Authz{};
      policy::Request preq;
      preq.action = service + ":" + action;
      preq.resource = authz.resource;
      preq.principal = who.caller.principal();
      preq.context = request_context(req, who.caller, s, now, call.region);
      for (auto& [k, vals] : authz.context) preq.context.set_multi(k, vals);
      policy::EvalInput in = identity::identity_policies(s, who.caller);
      in.resource = authz.resource_policy;
      in.cross_account = authz.cross_account;
      in.resource_must_allow = authz.resource_must_allow;
      call.authorized_id = authz.resource_id;
      note.resource = authz.resource;
      // The operation's action, then any further check the same request needs.
      std::vector<Authz::Also> checks{{preq.action, ""}};
      checks.insert(checks.end(), authz.also.begin(), authz.also.end());
      for (const auto& check : checks) {
        preq.action = check.action;
        policy::EvalInput scoped = in;
        if (!check.resource.empty()) {  // another resource: no resource policy speaks for it
          preq.resource = check.resource;
          scoped.resource.reset();
          scoped.cross_account = false;
          scoped.resource_must_allow = false;
        }
        policy::Decision d = policy::evaluate(scoped, preq);
        if (d.allowed()) {
          allowed_reasons.push_back(check.action + " " + allowed_by(d));
          continue;
        }
        std::string msg = "User: " + who.caller.arn + " is not authorized to perform: " + check.action +
                          " on resource: " + preq.resource;
        if (!d.reason.empty()) msg += " " + d.reason;
        spdlog::info("denied {} {} for {}: {}", request_id, check.action, who.caller.arn, d.reason);
        note.action = check.action;
        note.resource = preq.resource;
        note.decision = "deny";
        note.reason = d.reason;
        throw access_denied(msg);
      }
    });
  }

  if (audited_when_allowed(service, action)) {
    note.decision = "allow";
    for (const auto& r : allowed_reasons) note.reason += (note.reason.empty() ? "" : "; ") + r;
  }
  json::value result = op->handler(call);
  if (protocol != Protocol::Query)
    return json_response(200, result.is_null() ? json::object{} : result, request_id,
                         protocol == Protocol::Json ? "application/x-amz-json-1.1" : "application/json");
  const std::string* accept = req.header("Accept");
  if (accept && accept->find("application/json") != std::string::npos) {
    json::object inner;
    if (!result.is_null()) inner[action + "Result"] = json_of_map(result);
    inner["ResponseMetadata"] = json::object{{"RequestId", request_id}};
    return json_response(200, json::object{{action + "Response", std::move(inner)}}, request_id, "application/json");
  }
  Xml x;
  x.raw("<" + action + "Response xmlns=\"");
  x.raw(svc->xmlns);
  x.raw("\">");
  if (!result.is_null()) render_member(x, action + "Result", result.is_object() ? result : json::object{});
  x.open("ResponseMetadata").leaf("RequestId", request_id).close("ResponseMetadata");
  x.raw("</" + action + "Response>");
  return xml_response(200, x.take(), request_id);
}

}  // namespace orch::aws
