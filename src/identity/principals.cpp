#include "identity/principals.h"

#include <boost/json.hpp>

#include "identity/record.h"

namespace orch::identity {
namespace json = boost::json;

namespace {
constexpr std::string_view kTokenPrefix = "ORC1";
constexpr std::string_view kTokenAad = "orchestera-session-v1";
}  // namespace

policy::Principal Caller::principal() const {
  policy::Principal p;
  p.account = account;
  p.arn = arn;
  if (kind == Kind::RoleSession) {
    p.type = policy::Principal::Type::AssumedRole;
    p.role_arn = role_arn;
    p.unique_id = role_id;
  } else {
    p.type = policy::Principal::Type::User;
    p.unique_id = user_id;
  }
  return p;
}

std::string seal_session(const crypto::SecretBox& box, const SessionClaims& claims) {
  return std::string(kTokenPrefix) +
         crypto::base64_encode(box.seal(encode_record(claims), kTokenAad));
}

std::optional<SessionClaims> open_session(const crypto::SecretBox& box, std::string_view token) {
  if (!token.starts_with(kTokenPrefix)) return std::nullopt;
  std::string sealed, plain;
  if (!crypto::base64_decode(token.substr(kTokenPrefix.size()), sealed) || !box.open(sealed, plain, kTokenAad))
    return std::nullopt;
  try {
    return decode_record<SessionClaims>(plain);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

namespace {
const CredentialError kInvalid{"InvalidClientTokenId", "The security token included in the request is invalid."};
const CredentialError kExpired{"ExpiredToken", "The security token included in the request is expired"};

void fill_user(Caller& c, const User& u) {
  c.account = u.account;
  c.user_id = u.id;
  c.user_name = u.name;
  c.tags = u.tags;
}
}  // namespace

std::variant<Resolved, CredentialError> resolve(const State& state, const crypto::SecretBox& box,
                                                std::string_view akid,
                                                const std::optional<std::string>& token, int64_t now) {
  Resolved r;
  Caller& c = r.caller;
  c.access_key_id = std::string(akid);
  if (akid.starts_with("ASIA")) {
    if (!token) return kInvalid;
    auto claims = open_session(box, *token);
    if (!claims || claims->access_key_id != akid) return kInvalid;
    if (now >= claims->expires) return kExpired;
    const AccountData* acct = state.account(claims->account);
    if (!acct) return kInvalid;
    c.issued = claims->issued;
    c.expires = claims->expires;
    c.session_name = claims->session_name;
    c.session_policy = claims->policy;
    c.session_policy_arns = claims->policy_arns;
    if (claims->kind == "role") {
      // The session ends with its role: a deleted (or deleted and re-created) role revokes it.
      auto it = acct->roles.find(claims->subject_id);
      if (it == acct->roles.end()) return kInvalid;
      const Role& role = *it->second;
      c.kind = Caller::Kind::RoleSession;
      c.account = role.account;
      c.role_id = role.id;
      c.role_name = role.name;
      c.role_arn = role.arn();
      c.arn = "arn:aws:sts::" + role.account + ":assumed-role/" + role.name + "/" + claims->session_name;
      c.userid = role.id + ":" + claims->session_name;
      c.tags = claims->tags;
      for (const auto& t : role.tags) {
        bool overridden = false;
        for (const auto& st : claims->tags) overridden = overridden || lower(st.key) == lower(t.key);
        if (!overridden) c.tags.push_back(t);
      }
    } else {
      auto it = acct->users.find(claims->subject_id);
      if (it == acct->users.end()) return kInvalid;
      c.kind = Caller::Kind::UserSession;
      fill_user(c, *it->second);
      c.arn = it->second->arn();
      c.userid = it->second->id;
    }
    r.secret = claims->secret;
    return r;
  }
  if (token) return kInvalid;  // a long-term key never carries a session token
  auto it = state.keys.find(std::string(akid));
  if (it == state.keys.end() || it->second->status != "Active") return kInvalid;
  const AccountData* acct = state.account(it->second->account);
  if (!acct) return kInvalid;
  auto u = acct->users.find(it->second->user_id);
  if (u == acct->users.end()) return kInvalid;
  c.kind = Caller::Kind::User;
  fill_user(c, *u->second);
  c.arn = u->second->arn();
  c.userid = u->second->id;
  r.secret = it->second->secret;
  return r;
}

namespace {
void add_inline(policy::EvalInput& in, const std::vector<InlinePolicy>& policies, const char* type) {
  for (const auto& p : policies)
    if (p.parsed) in.identity.push_back({p.name, type, p.parsed});
}

std::optional<policy::PolicyRef> managed_ref(const State& s, const std::string& account, const std::string& arn,
                                             const char* type_override = nullptr) {
  auto p = s.policy(account, arn);
  if (!p) return std::nullopt;
  const PolicyVersion* v = p->default_doc();
  if (!v || !v->parsed) return std::nullopt;
  return policy::PolicyRef{arn, type_override ? type_override : (p->account == "aws" ? "aws-managed" : "user-managed"),
                           v->parsed};
}

void add_managed(policy::EvalInput& in, const State& s, const std::string& account,
                 const std::vector<std::string>& arns) {
  for (const auto& arn : arns)
    if (auto ref = managed_ref(s, account, arn)) in.identity.push_back(*ref);
}

void set_boundary(policy::EvalInput& in, const State& s, const std::string& account, const std::string& arn) {
  if (arn.empty()) return;
  // A boundary that names a policy that no longer exists allows nothing.
  auto ref = managed_ref(s, account, arn, "boundary");
  in.boundary = ref ? *ref : policy::PolicyRef{arn, "boundary", nullptr};
}
}  // namespace

policy::EvalInput identity_policies(const State& s, const Caller& c) {
  policy::EvalInput in;
  const AccountData* acct = s.account(c.account);
  if (!acct) return in;
  if (c.kind == Caller::Kind::RoleSession) {
    auto it = acct->roles.find(c.role_id);
    if (it == acct->roles.end()) return in;
    const Role& role = *it->second;
    add_inline(in, role.inline_policies, "role");
    add_managed(in, s, c.account, role.attached);
    set_boundary(in, s, c.account, role.boundary);
    if (c.session_policy || !c.session_policy_arns.empty()) {
      std::vector<policy::PolicyRef> session;
      if (c.session_policy) {
        auto parsed = policy::parse(*c.session_policy, policy::DocKind::Session);
        if (auto* p = std::get_if<std::shared_ptr<const policy::Policy>>(&parsed))
          session.push_back({"session-policy", "session", *p});
      }
      for (const auto& arn : c.session_policy_arns)
        if (auto ref = managed_ref(s, c.account, arn, "session")) session.push_back(*ref);
      in.session = std::move(session);
    }
    return in;
  }
  auto it = acct->users.find(c.user_id);
  if (it == acct->users.end()) return in;
  const User& user = *it->second;
  add_inline(in, user.inline_policies, "user");
  add_managed(in, s, c.account, user.attached);
  for (const auto& gid : user.group_ids) {
    auto g = acct->groups.find(gid);
    if (g == acct->groups.end()) continue;
    add_inline(in, g->second->inline_policies, "group");
    add_managed(in, s, c.account, g->second->attached);
  }
  set_boundary(in, s, c.account, user.boundary);
  return in;
}

}  // namespace orch::identity
