// Helpers shared by the rbac sources; not part of the module's interface.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "rbac/rbac.h"

namespace orch::rbac::detail {

// apimachinery's validation messages (k8s.io/apimachinery/pkg/api/validate/content), returned
// as lists because Kubernetes reports every failed check.
std::vector<std::string> dns1123_subdomain_errors(std::string_view v);
std::vector<std::string> dns1123_label_errors(std::string_view v);
std::vector<std::string> label_key_errors(std::string_view v);  // IsQualifiedName
std::vector<std::string> label_value_errors(std::string_view v);
std::vector<std::string> path_segment_errors(std::string_view v, bool prefix);

// Go's %#v of a []string: []string{"a", "b"}.
std::string go_syntax(const std::vector<std::string>& list);

// utilerrors.Aggregate's Error(): one message as is, several deduplicated inside [a, b].
std::string aggregate(const std::vector<std::string>& messages);

// schema.GroupResource.String(): "pods", "roles.rbac.authorization.k8s.io".
std::string group_resource(std::string_view resource, std::string_view group);

// apierrors.NewForbidden's message around an error text.
std::string forbidden_status(std::string_view resource, std::string_view group,
                             std::string_view name, std::string_view err);

// kube's RuleAllows on an uncompiled rule (the authorizer uses a compiled form).
bool rule_allows(const Attributes& a, const PolicyRule& r);

// component-helpers' ruleCovers: owner against one broken-down rule.
bool rule_covers(const PolicyRule& owner, const PolicyRule& sub);
std::vector<PolicyRule> breakdown(const PolicyRule& r);

// The user name of a service account.
inline std::string service_account_user(std::string_view ns, std::string_view name) {
  std::string s(kServiceAccountPrefix);
  s.append(ns).append(":").append(name);
  return s;
}

}  // namespace orch::rbac::detail
