// The RBAC authorizer: an immutable index from subjects to bindings, per scope (cluster-wide and
// each namespace), so a decision touches only the caller's own bindings.
#include <algorithm>
#include <boost/json.hpp>
#include <climits>
#include <functional>
#include <unordered_map>

#include "rbac/internal.h"
#include "rbac/rbac.h"

namespace orch::rbac {
namespace {

struct StrHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
template <class V>
using StrMap = std::unordered_map<std::string, V, StrHash, std::equal_to<>>;

bool contains(const std::vector<std::string>& v, std::string_view s) {
  for (const auto& e : v)
    if (e == s) return true;
  return false;
}

// A PolicyRule with its wildcards resolved once, so matching is plain comparisons with no
// allocation (kube builds "resource/subresource" per check; this compares the parts).
struct CompiledRule {
  bool all_verbs = false, all_groups = false, all_resources = false, all_urls = false;
  std::vector<std::string> verbs, groups, resources, names, urls;
  std::vector<std::string> any_resource_sub;  // "log" for a rule resource "*/log"
  std::vector<std::string> url_prefixes;      // "/api/" for "/api/*"
};

CompiledRule compile(const PolicyRule& r) {
  CompiledRule c;
  c.all_verbs = contains(r.verbs, "*");
  c.verbs = r.verbs;
  c.all_groups = contains(r.api_groups, "*");
  c.groups = r.api_groups;
  c.all_resources = contains(r.resources, "*");
  c.resources = r.resources;
  for (const auto& res : r.resources)
    if (res.size() > 2 && res.starts_with("*/")) c.any_resource_sub.push_back(res.substr(2));
  c.names = r.resource_names;
  for (const auto& u : r.non_resource_urls) {
    if (u == "*") c.all_urls = true;
    else if (!u.empty() && u.back() == '*')
      c.url_prefixes.push_back(u.substr(0, u.find_last_not_of('*') + 1));  // "**" gives ""
    c.urls.push_back(u);
  }
  return c;
}

bool allows(const CompiledRule& c, const Attributes& a) {
  if (!c.all_verbs && !contains(c.verbs, a.verb)) return false;
  if (!a.resource_request) {
    if (c.all_urls || contains(c.urls, a.path)) return true;
    for (const auto& p : c.url_prefixes)
      if (std::string_view(a.path).starts_with(p)) return true;
    return false;
  }
  if (!c.all_groups && !contains(c.groups, a.api_group)) return false;
  if (!c.all_resources) {
    bool ok = false;
    if (a.subresource.empty()) {
      ok = contains(c.resources, a.resource);
    } else {
      const size_t rs = a.resource.size(), ss = a.subresource.size();
      for (const auto& res : c.resources) {
        std::string_view v(res);
        if (v.size() == rs + 1 + ss && v[rs] == '/' && v.starts_with(a.resource) &&
            v.ends_with(a.subresource)) {
          ok = true;
          break;
        }
      }
      if (!ok) ok = contains(c.any_resource_sub, a.subresource);
    }
    if (!ok) return false;
  }
  return c.names.empty() || contains(c.names, a.name);
}

struct RoleEntry {
  std::vector<PolicyRule> rules;
  std::vector<CompiledRule> compiled;
};

RoleEntry make_entry(std::vector<PolicyRule> rules) {
  RoleEntry e;
  e.compiled.reserve(rules.size());
  for (const auto& r : rules) e.compiled.push_back(compile(r));
  e.rules = std::move(rules);
  return e;
}

struct BindingEntry {
  std::string describe;                   // `ClusterRoleBinding "b" of ClusterRole "r" to `
  std::vector<std::string> subject_text;  // `User "alice"`, `ServiceAccount "sa/ns"`
  const RoleEntry* role = nullptr;
  std::string missing;  // kube's error when the role cannot be found
};

struct Ref {
  uint32_t binding;
  uint32_t subject;
};

struct Scope {
  StrMap<std::vector<Ref>> users;  // service accounts under system:serviceaccount:NS:NAME
  StrMap<std::vector<Ref>> groups;
};

std::string describe_subject(const Subject& s, std::string_view binding_ns) {
  if (s.kind == "ServiceAccount")
    return s.kind + " " + go_quote(s.name + "/" + (s.ns.empty() ? std::string(binding_ns) : s.ns));
  return s.kind + " " + go_quote(s.name);
}

// Resource-rule and non-resource-rule deduplication for rules review.
bool whole_rule_covered(const PolicyRule& owner, const PolicyRule& r) {
  for (const auto& sub : detail::breakdown(r))
    if (!detail::rule_covers(owner, sub)) return false;
  return true;
}

std::vector<PolicyRule> dedupe(const std::vector<PolicyRule>& in) {
  // Rules differing only in verbs merge into the first one's place.
  std::vector<PolicyRule> merged;
  for (const auto& r : in) {
    auto same = std::find_if(merged.begin(), merged.end(), [&](const PolicyRule& m) {
      return m.api_groups == r.api_groups && m.resources == r.resources &&
             m.resource_names == r.resource_names && m.non_resource_urls == r.non_resource_urls;
    });
    if (same == merged.end()) {
      merged.push_back(r);
      continue;
    }
    for (const auto& v : r.verbs)
      if (!contains(same->verbs, v)) same->verbs.push_back(v);
  }
  // Then a rule another wholly covers goes; of rules covering each other the first stays.
  std::vector<PolicyRule> out;
  for (size_t i = 0; i < merged.size(); ++i) {
    bool drop = false;
    for (size_t j = 0; j < merged.size() && !drop; ++j) {
      if (j == i || !whole_rule_covered(merged[j], merged[i])) continue;
      drop = j < i || !whole_rule_covered(merged[i], merged[j]);
    }
    if (!drop) out.push_back(merged[i]);
  }
  return out;
}

}  // namespace

struct Authorizer::Impl {
  StrMap<RoleEntry> cluster_roles;
  StrMap<StrMap<RoleEntry>> roles;  // namespace -> name -> rules
  std::vector<BindingEntry> bindings;  // ClusterRoleBindings by name, then RoleBindings by (ns, name)
  Scope cluster;
  StrMap<Scope> namespaces;

  const RoleEntry* find_role(const RoleRef& ref, std::string_view ns, std::string* missing) const {
    if (ref.kind == "ClusterRole") {
      auto it = cluster_roles.find(ref.name);
      if (it != cluster_roles.end()) return &it->second;
      if (missing)
        *missing = "clusterrole.rbac.authorization.k8s.io " + go_quote(ref.name) + " not found";
      return nullptr;
    }
    if (ref.kind == "Role") {
      if (auto n = roles.find(ns); n != roles.end())
        if (auto it = n->second.find(ref.name); it != n->second.end()) return &it->second;
      if (missing) *missing = "role.rbac.authorization.k8s.io " + go_quote(ref.name) + " not found";
      return nullptr;
    }
    if (missing) *missing = "unsupported role reference kind: " + go_quote(ref.kind);
    return nullptr;
  }

  template <class B>
  void add_binding(const B& b, std::string_view kind, Scope& scope, std::string_view binding_ns) {
    const auto index = static_cast<uint32_t>(bindings.size());
    BindingEntry e;
    std::string name = b.metadata.name;
    if (!binding_ns.empty()) name += "/" + std::string(binding_ns);  // kube names RoleBindings so
    e.describe = std::string(kind) + " " + go_quote(name) + " of " + b.role_ref.kind + " " +
                 go_quote(b.role_ref.name) + " to ";
    e.role = find_role(b.role_ref, binding_ns, &e.missing);
    for (size_t j = 0; j < b.subjects.size(); ++j) {
      const Subject& s = b.subjects[j];
      e.subject_text.push_back(describe_subject(s, binding_ns));
      const Ref ref{index, static_cast<uint32_t>(j)};
      if (s.kind == "User") {
        scope.users[s.name].push_back(ref);
      } else if (s.kind == "Group") {
        scope.groups[s.name].push_back(ref);
      } else if (s.kind == "ServiceAccount") {
        // An unqualified service account means the binding's namespace; with no namespace at
        // all (a ClusterRoleBinding) it can never match, as in kube's appliesToUser.
        std::string sa_ns = s.ns.empty() ? std::string(binding_ns) : s.ns;
        if (!sa_ns.empty()) scope.users[detail::service_account_user(sa_ns, s.name)].push_back(ref);
      }
    }
    bindings.push_back(std::move(e));
  }

  // The bindings that apply to the caller, each once with its first applying subject, in
  // visiting order.
  std::vector<Ref> applicable(std::string_view user, const std::vector<std::string>& groups,
                              std::string_view ns) const {
    std::vector<Ref> refs;
    auto gather = [&](const Scope& s) {
      if (auto it = s.users.find(user); it != s.users.end())
        refs.insert(refs.end(), it->second.begin(), it->second.end());
      for (const auto& g : groups)
        if (auto it = s.groups.find(g); it != s.groups.end())
          refs.insert(refs.end(), it->second.begin(), it->second.end());
    };
    gather(cluster);
    if (!ns.empty())
      if (auto it = namespaces.find(ns); it != namespaces.end()) gather(it->second);
    std::sort(refs.begin(), refs.end(), [](Ref a, Ref b) {
      return a.binding != b.binding ? a.binding < b.binding : a.subject < b.subject;
    });
    refs.erase(std::unique(refs.begin(), refs.end(),
                           [](Ref a, Ref b) { return a.binding == b.binding; }),
               refs.end());
    return refs;
  }
};

Authorizer::Authorizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Authorizer::~Authorizer() = default;

std::shared_ptr<const Authorizer> Authorizer::build(const Snapshot& s) {
  auto impl = std::make_unique<Impl>();
  std::vector<ClusterRole> cluster_roles = s.cluster_roles;
  apply_aggregation(cluster_roles);
  for (auto& r : cluster_roles)
    impl->cluster_roles.emplace(r.metadata.name, make_entry(std::move(r.rules)));
  for (const auto& r : s.roles)
    impl->roles[r.metadata.ns].emplace(r.metadata.name, make_entry(r.rules));

  std::vector<const ClusterRoleBinding*> crbs;
  for (const auto& b : s.cluster_role_bindings) crbs.push_back(&b);
  std::stable_sort(crbs.begin(), crbs.end(),
                   [](auto* a, auto* b) { return a->metadata.name < b->metadata.name; });
  std::vector<const RoleBinding*> rbs;
  for (const auto& b : s.role_bindings) rbs.push_back(&b);
  std::stable_sort(rbs.begin(), rbs.end(), [](auto* a, auto* b) {
    return std::tie(a->metadata.ns, a->metadata.name) < std::tie(b->metadata.ns, b->metadata.name);
  });
  impl->bindings.reserve(crbs.size() + rbs.size());
  for (const auto* b : crbs) impl->add_binding(*b, "ClusterRoleBinding", impl->cluster, "");
  for (const auto* b : rbs) {
    // A RoleBinding outside any namespace would be invalid; it is never consulted.
    if (b->metadata.ns.empty()) continue;
    impl->add_binding(*b, "RoleBinding", impl->namespaces[b->metadata.ns], b->metadata.ns);
  }
  return std::shared_ptr<const Authorizer>(new Authorizer(std::move(impl)));
}

Decision Authorizer::authorize(const Attributes& a) const {
  const Impl& m = *impl_;
  // The first allowing (binding, subject) in visiting order. Each subject list is sorted, so a
  // list stops being read once it passes the best binding found so far.
  Ref best{UINT32_MAX, UINT32_MAX};
  std::vector<uint32_t> missing;
  auto visit = [&](const std::vector<Ref>& refs) {
    for (const Ref& r : refs) {
      if (r.binding > best.binding) break;
      if (r.binding == best.binding) {
        best.subject = std::min(best.subject, r.subject);
        continue;
      }
      const BindingEntry& b = m.bindings[r.binding];
      if (!b.role) {
        missing.push_back(r.binding);
        continue;
      }
      for (const auto& c : b.role->compiled)
        if (allows(c, a)) {
          best = r;
          break;
        }
    }
  };
  auto visit_scope = [&](const Scope& s) {
    if (auto it = s.users.find(a.user.name); it != s.users.end()) visit(it->second);
    for (const auto& g : a.user.groups)
      if (auto it = s.groups.find(g); it != s.groups.end()) visit(it->second);
  };
  visit_scope(m.cluster);
  // Role bindings only ever grant inside their namespace: never cluster-scoped resources, and
  // never non-resource URLs (those requests have no namespace).
  if (a.resource_request && !a.ns.empty())
    if (auto it = m.namespaces.find(a.ns); it != m.namespaces.end()) visit_scope(it->second);

  Decision d;
  if (best.binding != UINT32_MAX) {
    const BindingEntry& b = m.bindings[best.binding];
    d.allowed = true;
    d.reason = "RBAC: allowed by " + b.describe + b.subject_text[best.subject];
    return d;
  }
  if (!missing.empty()) {
    std::sort(missing.begin(), missing.end());
    missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
    std::vector<std::string> errs;
    for (uint32_t i : missing) errs.push_back(m.bindings[i].missing);
    d.resolution_error = "RBAC: " + detail::aggregate(errs);
  }
  return d;
}

std::vector<PolicyRule> Authorizer::applicable_rules(std::string_view user,
                                                     const std::vector<std::string>& groups,
                                                     std::string_view ns, std::string* errors) const {
  std::vector<PolicyRule> rules;
  std::vector<std::string> errs;
  for (const Ref& r : impl_->applicable(user, groups, ns)) {
    const BindingEntry& b = impl_->bindings[r.binding];
    if (!b.role) {
      errs.push_back(b.missing);
      continue;
    }
    rules.insert(rules.end(), b.role->rules.begin(), b.role->rules.end());
  }
  if (errors) *errors = errs.empty() ? std::string() : detail::aggregate(errs);
  return rules;
}

RulesReview Authorizer::rules_for(std::string_view user, const std::vector<std::string>& groups,
                                  std::string_view ns) const {
  RulesReview review;
  std::vector<PolicyRule> rules = applicable_rules(user, groups, ns, &review.evaluation_error);
  // kube's RBAC RulesFor: a rule with resources is a resource rule, one with URLs a
  // non-resource rule (validation keeps them apart).
  std::vector<PolicyRule> res, non;
  for (const auto& r : rules) {
    if (!r.resources.empty()) res.push_back({r.verbs, r.api_groups, r.resources, r.resource_names, {}});
    if (!r.non_resource_urls.empty()) non.push_back({r.verbs, {}, {}, {}, r.non_resource_urls});
  }
  for (auto& r : dedupe(res))
    review.resource_rules.push_back({std::move(r.verbs), std::move(r.api_groups),
                                     std::move(r.resources), std::move(r.resource_names)});
  for (auto& r : dedupe(non))
    review.non_resource_rules.push_back({std::move(r.verbs), std::move(r.non_resource_urls)});
  return review;
}

const std::vector<PolicyRule>* Authorizer::role_rules(const RoleRef& ref, std::string_view ns) const {
  const RoleEntry* e = impl_->find_role(ref, ns, nullptr);
  return e ? &e->rules : nullptr;
}

size_t Authorizer::binding_count() const { return impl_->bindings.size(); }

// ---- PolicySet ----

FieldErrors PolicySet::apply(const boost::json::value& object) {
  Parsed<Object> p = parse_object(object);
  if (!p.ok()) return p.errors;
  std::visit([this](auto& o) { upsert(std::move(o)); }, p.object);
  return {};
}

void PolicySet::upsert(Role r) {
  auto key = std::make_pair(r.metadata.ns, r.metadata.name);
  roles_.insert_or_assign(std::move(key), std::move(r));
}
void PolicySet::upsert(ClusterRole r) {
  std::string key = r.metadata.name;
  cluster_roles_.insert_or_assign(std::move(key), std::move(r));
}
void PolicySet::upsert(RoleBinding b) {
  auto key = std::make_pair(b.metadata.ns, b.metadata.name);
  role_bindings_.insert_or_assign(std::move(key), std::move(b));
}
void PolicySet::upsert(ClusterRoleBinding b) {
  std::string key = b.metadata.name;
  cluster_role_bindings_.insert_or_assign(std::move(key), std::move(b));
}

bool PolicySet::remove(std::string_view kind, std::string_view ns, std::string_view name) {
  auto key = std::make_pair(std::string(ns), std::string(name));
  if (kind == "Role") return roles_.erase(key) > 0;
  if (kind == "RoleBinding") return role_bindings_.erase(key) > 0;
  if (kind == "ClusterRole") return cluster_roles_.erase(std::string(name)) > 0;
  if (kind == "ClusterRoleBinding") return cluster_role_bindings_.erase(std::string(name)) > 0;
  return false;
}

Snapshot PolicySet::snapshot() const {
  Snapshot s;
  for (const auto& [k, v] : roles_) s.roles.push_back(v);
  for (const auto& [k, v] : cluster_roles_) s.cluster_roles.push_back(v);
  for (const auto& [k, v] : role_bindings_) s.role_bindings.push_back(v);
  for (const auto& [k, v] : cluster_role_bindings_) s.cluster_role_bindings.push_back(v);
  return s;
}

std::map<std::string, std::vector<PolicyRule>> PolicySet::aggregated_rules() const {
  std::vector<ClusterRole> all;
  for (const auto& [k, v] : cluster_roles_) all.push_back(v);
  return aggregate_cluster_roles(all);
}

}  // namespace orch::rbac
