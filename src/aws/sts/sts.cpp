// STS: GetCallerIdentity, AssumeRole (trust policy + caller's policies, chaining limits, session
// policies), GetSessionToken and GetAccessKeyInfo. Temporary credentials are ASIA… keys whose
// session token carries the session, sealed (identity/principals.h).
#include "aws/api.h"
#include "base/clock.h"
#include "base/ids.h"

namespace orch::aws {
namespace {
namespace json = boost::json;
using identity::State;

constexpr int64_t kChainedMax = 3600;
constexpr size_t kSessionPolicyMax = 2048;

json::object credentials(const identity::SessionClaims& claims, const crypto::SecretBox& box) {
  return {{"AccessKeyId", claims.access_key_id},
          {"SecretAccessKey", claims.secret},
          {"SessionToken", identity::seal_session(box, claims)},
          {"Expiration", clock::iso8601(claims.expires)}};
}

json::value get_caller_identity(Call& c) {
  return json::object{{"UserId", c.caller.userid}, {"Account", c.caller.account}, {"Arn", c.caller.arn}};
}

// arn:aws:iam::ACCOUNT:role/path/NAME -> (account, path, name); nullopt when not a role ARN.
struct RoleArn {
  std::string account, path, name;
};
std::optional<RoleArn> parse_role_arn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  if (!arn.starts_with(kPrefix)) return std::nullopt;
  arn.remove_prefix(kPrefix.size());
  size_t colon = arn.find(':');
  if (colon != 12) return std::nullopt;
  RoleArn r{std::string(arn.substr(0, 12)), "", ""};
  std::string_view res = arn.substr(13);
  if (!res.starts_with("role/")) return std::nullopt;
  res.remove_prefix(4);  // keep the leading '/'
  size_t last = res.rfind('/');
  r.path = std::string(res.substr(0, last + 1));
  r.name = std::string(res.substr(last + 1));
  if (r.name.empty()) return std::nullopt;
  return r;
}

identity::Ref<identity::Role> find_role(const State& s, const std::string& arn) {
  auto parsed = parse_role_arn(arn);
  if (!parsed) return nullptr;
  const identity::AccountData* a = s.account(parsed->account);
  if (!a) return nullptr;
  auto role = a->role(parsed->name);
  return role && role->path == parsed->path && role->name == parsed->name ? role : nullptr;
}

Authz authz_assume_role(const Call& c, const State& s) {
  Authz a;
  a.resource = c.params.required("RoleArn", Rule{20, 2048});
  a.resource_must_allow = true;  // the trust policy itself must allow the caller
  a.context.push_back({"sts:RoleSessionName", {c.params.required("RoleSessionName", Rule{2, 64, Pattern::SessionName})}});
  if (auto e = c.params.optional("ExternalId", Rule{2, 1224, Pattern::ExternalId})) a.context.push_back({"sts:ExternalId", {*e}});
  if (auto si = c.params.optional("SourceIdentity", Rule{2, 64, Pattern::SessionName}))
    a.context.push_back({"sts:SourceIdentity", {*si}});
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.params.tags()) {
    a.context.push_back({"aws:RequestTag/" + k, {v}});
    keys.push_back(k);
  }
  if (!keys.empty()) {
    a.context.push_back({"aws:TagKeys", keys});
    a.also.push_back({"sts:TagSession", ""});  // passing session tags needs it, in the trust too
  }
  if (auto role = find_role(s, a.resource)) {
    a.resource_policy = policy::PolicyRef{role->arn(), "resource", role->trust_parsed};
    a.resource_id = role->id;
    a.cross_account = role->account != c.caller.account;
    for (const auto& t : role->tags) a.context.push_back({"iam:ResourceTag/" + t.key, {t.value}});
  } else if (auto parsed = parse_role_arn(a.resource)) {
    a.cross_account = parsed->account != c.caller.account;
  }
  return a;
}

json::value assume_role(Call& c) {
  std::string arn = c.params.required("RoleArn", Rule{20, 2048});
  std::string session = c.params.required("RoleSessionName", Rule{2, 64, Pattern::SessionName});
  auto duration = c.params.integer("DurationSeconds", 900, 43200);
  auto session_policy = c.params.optional("Policy", Rule{1, 0, Pattern::PolicyDocument});
  std::vector<std::string> policy_arns;
  for (size_t i = 1;; ++i) {
    auto v = c.params.optional("PolicyArns.member." + std::to_string(i) + ".arn", Rule{20, 2048});
    if (!v) break;
    policy_arns.push_back(*v);
  }
  if (policy_arns.size() > 10)
    fail_validation("policyArns", nullptr, "Member must have length less than or equal to 10");
  if (c.params.has("SerialNumber") || c.params.has("TokenCode"))
    throw access_denied("MultiFactorAuthentication failed: no MFA device is registered for " + c.caller.arn + ".");
  if (session_policy) {
    auto parsed = policy::parse(*session_policy, policy::DocKind::Session);
    if (auto* e = std::get_if<policy::ParseError>(&parsed)) throw malformed_policy(e->message);
    if (session_policy->size() > kSessionPolicyMax)
      throw AwsError("PackedPolicyTooLarge", 400, "Packed policy consumes more than 100% of the allotted space.");
  }
  auto role = c.dir.read([&](const State& s) {
    auto r = find_role(s, arn);
    for (const auto& p : policy_arns)
      if (!r || !s.policy(r->account, p)) throw invalid_input("The policy " + p + " does not exist or is not attachable.");
    return r;
  });
  // The credentials are for the role whose trust policy was just evaluated: a role deleted and
  // re-created under the same name in between was never checked.
  if (!role || role->id != c.authorized_id)
    throw access_denied("User: " + c.caller.arn + " is not authorized to perform: sts:AssumeRole on resource: " + arn);
  int64_t seconds = duration.value_or(3600);
  if (c.caller.kind == identity::Caller::Kind::RoleSession && seconds > kChainedMax)
    throw validation_error("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  if (seconds > role->max_session_duration)
    throw validation_error("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

  identity::SessionClaims claims;
  claims.kind = "role";
  claims.account = role->account;
  claims.access_key_id = ids::access_key_id("ASIA");
  claims.secret = ids::secret_access_key();
  claims.subject_id = role->id;
  claims.session_name = session;
  claims.issued = c.now;
  claims.expires = c.now + seconds;
  claims.policy = session_policy;
  claims.policy_arns = policy_arns;
  for (const auto& [k, v] : c.params.tags()) claims.tags.push_back({k, v});
  c.usage.note_role(role->account, role->id, c.region, c.now);

  json::object out{{"Credentials", credentials(claims, c.dir.box())},
                   {"AssumedRoleUser", json::object{{"AssumedRoleId", role->id + ":" + session},
                                                    {"Arn", "arn:aws:sts::" + role->account + ":assumed-role/" +
                                                                role->name + "/" + session}}}};
  if (session_policy || !policy_arns.empty()) {
    size_t used = (session_policy ? session_policy->size() : 0);
    for (const auto& p : policy_arns) used += p.size();
    out["PackedPolicySize"] = static_cast<int64_t>(used * 100 / kSessionPolicyMax);
  }
  if (auto si = c.params.optional("SourceIdentity", Rule{2, 64, Pattern::SessionName})) out["SourceIdentity"] = *si;
  return out;
}

json::value get_session_token(Call& c) {
  int64_t seconds = c.params.integer("DurationSeconds", 900, 129600).value_or(43200);
  if (c.params.has("SerialNumber") || c.params.has("TokenCode"))
    throw access_denied("MultiFactorAuthentication failed: no MFA device is registered for " + c.caller.arn + ".");
  if (c.caller.temporary()) throw access_denied("Cannot call GetSessionToken with session credentials");
  identity::SessionClaims claims;
  claims.kind = "user";
  claims.account = c.caller.account;
  claims.access_key_id = ids::access_key_id("ASIA");
  claims.secret = ids::secret_access_key();
  claims.subject_id = c.caller.user_id;
  claims.session_name = c.caller.user_name;
  claims.issued = c.now;
  claims.expires = c.now + seconds;
  return json::object{{"Credentials", credentials(claims, c.dir.box())}};
}

json::value get_access_key_info(Call& c) {
  std::string id = c.params.required("AccessKeyId", rules::kAccessKeyId);
  std::string account = c.dir.read([&](const State& s) {
    auto it = s.keys.find(id);
    return it == s.keys.end() ? std::string() : it->second->account;
  });
  if (account.empty()) throw AwsError("InvalidParameterValue", 400, "The access key " + id + " is not known here.");
  return json::object{{"Account", account}};
}

}  // namespace

void register_sts(Registry& r) {
  // AWS never denies GetCallerIdentity, and GetSessionToken needs no permission.
  r.add({"sts", "GetCallerIdentity", nullptr, get_caller_identity, false});
  r.add({"sts", "AssumeRole", authz_assume_role, assume_role});
  r.add({"sts", "GetSessionToken", nullptr, get_session_token, false});
  r.add({"sts", "GetAccessKeyInfo", nullptr, get_access_key_info});
}

}  // namespace orch::aws
