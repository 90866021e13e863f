// Privilege-escalation prevention for writes to roles and bindings, as pkg/registry/rbac's
// policy-based storage does it: nobody grants what they do not hold, unless they are
// system:masters or were explicitly allowed `escalate` (roles) or `bind` (bindings).
#include <algorithm>
#include <set>

#include "rbac/internal.h"
#include "rbac/rbac.h"

namespace orch::rbac {
namespace {

bool privileged(const UserInfo& u) {
  return std::find(u.groups.begin(), u.groups.end(), kSystemMasters) != u.groups.end();
}

// What setting an aggregationRule requires: * on *.*, and * on every URL.
const std::vector<PolicyRule>& full_authority() {
  static const std::vector<PolicyRule> rules{{{"*"}, {"*"}, {"*"}, {}, {}}, {{"*"}, {}, {}, {}, {"*"}}};
  return rules;
}

Verdict forbidden(std::string message) { return {Verdict::Outcome::Forbidden, std::move(message)}; }

template <class B>
Verdict check_binding(const Authorizer& a, const UserInfo& creator, const B& binding,
                      std::string_view ns, std::string_view resource) {
  if (privileged(creator)) return {};
  const RoleRef& ref = binding.role_ref;
  std::string_view role_resource = ref.kind == "ClusterRole" ? "clusterroles"
                                   : ref.kind == "Role"      ? "roles"
                                                             : "";
  // BindingAuthorized: `bind` on the role, asked in the binding's namespace (cluster-wide for a
  // ClusterRoleBinding), so bind can be delegated per role and per namespace.
  if (!role_resource.empty()) {
    Attributes bind;
    bind.user = creator;
    bind.verb = "bind";
    bind.ns = std::string(ns);
    bind.api_group = ref.api_group;
    bind.resource = std::string(role_resource);
    bind.name = ref.name;
    if (a.authorize(bind).allowed) return {};
  }
  const std::vector<PolicyRule>* rules = a.role_rules(ref, ns);
  if (!rules) {
    if (role_resource.empty()) {
      std::string err = "unsupported role reference kind: " + go_quote(ref.kind);
      return forbidden(detail::forbidden_status(resource, kGroupName, binding.metadata.name, err));
    }
    return {Verdict::Outcome::NotFound, detail::group_resource(role_resource, kGroupName) + " " +
                                            go_quote(ref.name) + " not found"};
  }
  Verdict v = confirm_no_escalation(a, creator, ns, *rules);
  if (!v.allowed())
    v.message = detail::forbidden_status(resource, kGroupName, binding.metadata.name, v.message);
  return v;
}

}  // namespace

Verdict confirm_no_escalation(const Authorizer& a, const UserInfo& user, std::string_view ns,
                              const std::vector<PolicyRule>& rules) {
  std::string resolution;
  std::vector<PolicyRule> owner = a.applicable_rules(user.name, user.groups, ns, &resolution);
  CoverResult c = covers(owner, rules);
  if (c.covered) return {};
  std::set<std::string> missing;  // sorted and unique, as kube's sets.String.List()
  for (const auto& r : compact_rules(c.missing)) missing.insert(compact_string(r));
  std::string msg = "user " + go_quote(user.name) + " (groups=" + go_quote(user.groups) +
                    ") is attempting to grant RBAC permissions not currently held:\n";
  bool first = true;
  for (const auto& m : missing) {
    if (!first) msg += "\n";
    msg += m;
    first = false;
  }
  if (!resolution.empty()) msg += "; resolution errors: [" + resolution + "]";
  return forbidden(std::move(msg));
}

Verdict may_create_role(const Authorizer& a, const Attributes& request, std::string_view ns,
                        const std::vector<PolicyRule>& rules, std::string_view object_name,
                        bool aggregation_rule) {
  const std::string_view resource = ns.empty() ? "clusterroles" : "roles";
  if (privileged(request.user)) return {};
  // RoleEscalationAuthorized: `escalate` on the role resource, with the request's name (empty
  // on create, so a resourceNames-limited grant only covers updates).
  Attributes esc;
  esc.user = request.user;
  esc.verb = "escalate";
  esc.ns = std::string(ns);
  esc.api_group = kGroupName;
  esc.api_version = request.api_version;
  esc.resource = std::string(resource);
  esc.name = request.name;
  if (a.authorize(esc).allowed) return {};

  Verdict v = confirm_no_escalation(a, request.user, ns, rules);
  if (!v.allowed()) {
    v.message = detail::forbidden_status(resource, kGroupName, object_name, v.message);
    return v;
  }
  // An aggregation rule can gather anything, now or later, so it needs full authority.
  if (aggregation_rule && ns.empty() &&
      !confirm_no_escalation(a, request.user, ns, full_authority()).allowed())
    return forbidden(detail::forbidden_status(
        resource, kGroupName, object_name,
        "must have cluster-admin privileges to use the aggregationRule"));
  return {};
}

Verdict may_bind(const Authorizer& a, const UserInfo& creator, const RoleBinding& binding) {
  return check_binding(a, creator, binding, binding.metadata.ns, "rolebindings");
}

Verdict may_bind(const Authorizer& a, const UserInfo& creator, const ClusterRoleBinding& binding) {
  return check_binding(a, creator, binding, "", "clusterrolebindings");
}

}  // namespace orch::rbac
