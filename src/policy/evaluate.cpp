// evaluate(): the decision of reference §5.1, with the trust-policy rules of §4.2.
//
// Every applicable policy is scanned once. A statement applies when its Action, Principal (resource
// policies only), Resource and Condition all match. Then, in order:
//   explicit deny anywhere > resource policy rules (how its Principal matched) > identity allow,
//   cut by the boundary and the session policies.
#include "policy/match.h"
#include "policy/model.h"

namespace orch::policy {

namespace {

// How a resource policy's Principal matched the caller (§4.2). The order is the strength: a
// direct match needs nothing else, a role match is still cut by the caller's boundary and
// session policies, an account match needs the caller's own policies to allow as well.
enum class Via : uint8_t { None, Account, Role, Direct };

bool is_account_id(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool action_matches(const Statement& st, std::string_view action) {
  bool any = false;
  for (const auto& a : st.actions)
    if (glob_match(a, nullptr, action, /*fold_case=*/true)) {
      any = true;
      break;
    }
  return st.not_action ? !any : any;
}

bool resource_matches(const Statement& st, const Request& req, const ArnParts& target) {
  if (!st.has_resource) return true;  // trust statements name no resource: the role itself
  bool any = false;
  for (const auto& r : st.resources) {
    bool m;
    if (r.has_vars) {
      thread_local std::string text;
      thread_local std::vector<unsigned char> literal;
      // An entry whose variable has no value matches nothing (§5.4).
      m = expand_template(r.tmpl, req.context, text, literal) &&
          arn_match(text, literal.data(), target);
    } else {
      m = arn_match(r.text, nullptr, target);
    }
    if (m) {
      any = true;
      break;
    }
  }
  return st.not_resource ? !any : any;
}

Via match_aws_principal(std::string_view v, const Principal& p) {
  using T = Principal::Type;
  if (v == "*") return Via::Direct;
  if (is_account_id(v)) return v == p.account ? Via::Account : Via::None;
  if (v.starts_with("AIDA")) return p.type == T::User && p.unique_id == v ? Via::Direct : Via::None;
  if (v.starts_with("AROA")) {
    // A role's unique id is how AWS stores a role principal, so it names the role, not one
    // session. Tolerate "AROA…:session" (aws:userid) in unique_id.
    std::string_view id = std::string_view(p.unique_id).substr(0, p.unique_id.find(':'));
    return p.type == T::AssumedRole && id == v ? Via::Role : Via::None;
  }
  ArnParts a = split_arn(v);
  if (!a.ok) return Via::None;
  if (a.part[2] == "iam") {
    std::string_view res = a.part[5];
    if (res == "root") return a.part[4] == p.account ? Via::Account : Via::None;
    if (res.starts_with("user/")) return p.type == T::User && p.arn == v ? Via::Direct : Via::None;
    if (res.starts_with("role/"))
      return p.type == T::AssumedRole && p.role_arn == v ? Via::Role : Via::None;
    return Via::None;
  }
  if (a.part[2] == "sts") return p.arn == v ? Via::Direct : Via::None;  // one session
  return Via::None;
}

Via principal_via(const Statement& st, const Principal& p) {
  if (!st.has_principal) return Via::None;
  Via best = st.principal.everyone ? Via::Direct : Via::None;
  for (const auto& v : st.principal.aws) {
    if (best == Via::Direct) break;
    Via m = match_aws_principal(v, p);
    if (m > best) best = m;
  }
  // NotPrincipal applies to everyone it does not list, in whichever form it lists them.
  if (st.not_principal) return best == Via::None ? Via::Direct : Via::None;
  return best;
}

bool conditions_hold(const Statement& st, const Context& ctx) {
  for (const auto& c : st.conditions)
    if (!eval_condition(c, ctx)) return false;
  return true;
}

struct Scan {
  bool allow = false;
  Via via = Via::None;                  // resource policies: strongest match among allows
  const PolicyRef* first_deny = nullptr;
};

void scan(const PolicyRef& ref, bool resource_policy, const Request& req, const ArnParts& target,
          Scan& out, std::vector<MatchedStatement>& denies,
          std::vector<MatchedStatement>& allows) {
  if (!ref.policy) return;
  const auto& statements = ref.policy->statements;
  for (size_t i = 0; i < statements.size(); ++i) {
    const Statement& st = statements[i];
    // Cheapest tests first: most statements fail on the action.
    if (!action_matches(st, req.action)) continue;
    Via via = Via::Direct;
    if (resource_policy) {
      via = principal_via(st, req.principal);
      if (via == Via::None) continue;
    }
    if (!resource_matches(st, req, target) || !conditions_hold(st, req.context)) continue;
    MatchedStatement m{ref.id, ref.type, st.sid, i};
    if (st.deny) {
      if (!out.first_deny) out.first_deny = &ref;
      denies.push_back(std::move(m));
    } else {
      out.allow = true;
      if (via > out.via) out.via = via;
      allows.push_back(std::move(m));
    }
  }
}

}  // namespace

Decision evaluate(const EvalInput& in, const Request& req) {
  const ArnParts target = split_arn(req.resource);
  std::vector<MatchedStatement> denies, allows;
  Scan identity, boundary, session, resource;
  // The root user is not limited by any policy of its own account (§5.1); only a resource
  // policy can still deny it or, where it must allow, fail to.
  if (!in.is_root) {
    for (const auto& ref : in.identity) scan(ref, false, req, target, identity, denies, allows);
    if (in.boundary) scan(*in.boundary, false, req, target, boundary, denies, allows);
    if (in.session)
      for (const auto& ref : *in.session) scan(ref, false, req, target, session, denies, allows);
  }
  if (in.resource) scan(*in.resource, true, req, target, resource, denies, allows);

  Decision d;
  // Step 1: an explicit deny anywhere wins, even over a resource-policy allow.
  if (!denies.empty()) {
    d.effect = Decision::Effect::ExplicitDeny;
    const char* where;
    const PolicyRef* ref;
    if (identity.first_deny) {
      where = "an identity-based policy";
      ref = identity.first_deny;
    } else if (boundary.first_deny) {
      where = "a permissions boundary";
      ref = boundary.first_deny;
    } else if (session.first_deny) {
      where = "a session policy";
      ref = session.first_deny;
    } else {
      where = "a resource-based policy";
      ref = resource.first_deny;
    }
    d.reason = std::string("with an explicit deny in ") + where + ": " + ref->id;
    d.matched = std::move(denies);
    return d;
  }

  auto implicit = [&](const char* what) {
    d.effect = Decision::Effect::ImplicitDeny;
    d.reason = std::string("because no ") + what + " allows the " + req.action + " action";
    return d;
  };
  auto allow = [&] {
    d.effect = Decision::Effect::Allow;
    d.matched = std::move(allows);
    return d;
  };
  // Steps 3-5: the caller's own side, i.e. identity policies cut by the boundary and by
  // session policies. nullptr when it allows.
  auto own_side_refusal = [&]() -> const char* {
    if (in.is_root) return nullptr;
    if (!identity.allow) return "identity-based policy";
    if (in.boundary && !boundary.allow) return "permissions boundary";
    if (in.session && !session.allow) return "session policy";
    return nullptr;
  };

  // Cross account (§4.2 step 4): both sides must allow, whatever form the Principal took.
  if (in.cross_account) {
    if (!resource.allow) return implicit("resource-based policy");
    if (const char* w = own_side_refusal()) return implicit(w);
    return allow();
  }

  // Same account (§4.2 step 3, §5.1 step 2).
  if (resource.allow && resource.via == Via::Direct) return allow();
  if (resource.allow && resource.via == Via::Role) {
    if (!in.is_root) {
      if (in.boundary && !boundary.allow) return implicit("permissions boundary");
      if (in.session && !session.allow) return implicit("session policy");
    }
    return allow();
  }
  // Trust policies must allow on their own; an account match only opens the door for the
  // caller's own policies, which are then checked like any identity-side grant.
  if (in.resource_must_allow && !resource.allow) return implicit("resource-based policy");
  if (const char* w = own_side_refusal()) return implicit(w);
  return allow();
}

}  // namespace orch::policy
