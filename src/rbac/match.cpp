// Rule semantics shared by the authorizer, escalation checks and aggregation: label selectors,
// kube's RuleAllows, and the Covers comparison with its breakdown and compaction.
#include <algorithm>
#include <map>

#include "rbac/internal.h"
#include "rbac/rbac.h"

namespace orch::rbac {
namespace {

bool has(const std::vector<std::string>& set, std::string_view v) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

bool has_all(const std::vector<std::string>& set, const std::vector<std::string>& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& w) { return has(set, w); });
}

bool url_prefix_match(std::string_view rule, std::string_view path) {
  // strings.TrimRight(rule, "*"): every trailing star goes.
  if (rule.empty() || rule.back() != '*') return false;
  size_t end = rule.find_last_not_of('*');
  std::string_view prefix = end == std::string_view::npos ? std::string_view{}
                                                           : rule.substr(0, end + 1);
  return path.starts_with(prefix);
}

bool resource_covers_all(const std::vector<std::string>& set, const std::vector<std::string>& wanted) {
  if (has(set, "*") || has_all(set, wanted)) return true;
  for (const auto& path : wanted) {
    if (has(set, path)) continue;
    size_t slash = path.find('/');
    if (slash == std::string::npos) return false;
    if (!has(set, "*/" + path.substr(slash + 1))) return false;
  }
  return true;
}

bool url_covers(std::string_view owner, std::string_view sub) {
  return owner == sub || url_prefix_match(owner, sub);
}

}  // namespace

bool LabelSelector::matches(const Labels& labels) const {
  for (const auto& [k, v] : match_labels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const auto& e : match_expressions) {
    auto it = labels.find(e.key);
    bool present = it != labels.end();
    if (e.op == "In") {
      if (!present || !has(e.values, it->second)) return false;
    } else if (e.op == "NotIn") {
      if (present && has(e.values, it->second)) return false;
    } else if (e.op == "Exists") {
      if (!present) return false;
    } else if (e.op == "DoesNotExist") {
      if (present) return false;
    } else {
      return false;  // kube cannot convert such a selector; validation refuses it anyway
    }
  }
  return true;
}

namespace detail {

bool rule_allows(const Attributes& a, const PolicyRule& r) {
  bool verb = has(r.verbs, "*") || has(r.verbs, a.verb);
  if (!verb) return false;
  if (!a.resource_request) {
    for (const auto& u : r.non_resource_urls)
      if (u == "*" || u == a.path || url_prefix_match(u, a.path)) return true;
    return false;
  }
  if (!has(r.api_groups, "*") && !has(r.api_groups, a.api_group)) return false;
  std::string combined = a.resource;
  if (!a.subresource.empty()) combined += "/" + a.subresource;
  bool resource = false;
  for (const auto& res : r.resources) {
    if (res == "*" || res == combined ||
        (!a.subresource.empty() && res.size() == a.subresource.size() + 2 && res.starts_with("*/") &&
         res.ends_with(a.subresource))) {
      resource = true;
      break;
    }
  }
  if (!resource) return false;
  return r.resource_names.empty() || has(r.resource_names, a.name);
}

std::vector<PolicyRule> breakdown(const PolicyRule& r) {
  std::vector<PolicyRule> out;
  for (const auto& g : r.api_groups)
    for (const auto& res : r.resources)
      for (const auto& v : r.verbs) {
        if (!r.resource_names.empty()) {
          for (const auto& n : r.resource_names) out.push_back({{v}, {g}, {res}, {n}, {}});
        } else {
          out.push_back({{v}, {g}, {res}, {}, {}});
        }
      }
  // Non-resource URLs combine only with verbs.
  for (const auto& u : r.non_resource_urls)
    for (const auto& v : r.verbs) out.push_back({{v}, {}, {}, {}, {u}});
  return out;
}

bool rule_covers(const PolicyRule& owner, const PolicyRule& sub) {
  bool verbs = has(owner.verbs, "*") || has_all(owner.verbs, sub.verbs);
  bool groups = has(owner.api_groups, "*") || has_all(owner.api_groups, sub.api_groups);
  bool resources = resource_covers_all(owner.resources, sub.resources);
  bool urls = std::all_of(sub.non_resource_urls.begin(), sub.non_resource_urls.end(),
                          [&](const std::string& p) {
                            return std::any_of(owner.non_resource_urls.begin(),
                                               owner.non_resource_urls.end(),
                                               [&](const std::string& o) { return url_covers(o, p); });
                          });
  bool names = sub.resource_names.empty()
                   ? owner.resource_names.empty()
                   : owner.resource_names.empty() || has_all(owner.resource_names, sub.resource_names);
  return verbs && groups && resources && names && urls;
}

}  // namespace detail

CoverResult covers(const std::vector<PolicyRule>& owner, const std::vector<PolicyRule>& requested) {
  CoverResult res;
  for (const auto& r : requested) {
    for (auto& sub : detail::breakdown(r)) {
      bool ok = std::any_of(owner.begin(), owner.end(),
                            [&](const PolicyRule& o) { return detail::rule_covers(o, sub); });
      if (!ok) res.missing.push_back(std::move(sub));
    }
  }
  res.covered = res.missing.empty();
  return res;
}

std::vector<PolicyRule> compact_rules(const std::vector<PolicyRule>& rules) {
  // A "simple" rule names one group, one resource, at most one resource name and no URLs; such
  // rules differing only in verbs merge (verbs appended in order, duplicates kept, as kube does).
  std::vector<PolicyRule> out;
  std::vector<PolicyRule> simple;
  std::map<std::tuple<std::string, std::string, bool, std::string>, size_t> by_key;
  for (const auto& r : rules) {
    bool is_simple = r.resource_names.size() <= 1 && r.non_resource_urls.empty() &&
                     r.api_groups.size() == 1 && r.resources.size() == 1;
    if (!is_simple) {
      out.push_back(r);
      continue;
    }
    auto key = std::make_tuple(r.api_groups[0], r.resources[0], !r.resource_names.empty(),
                               r.resource_names.empty() ? std::string() : r.resource_names[0]);
    auto [it, fresh] = by_key.emplace(key, simple.size());
    if (fresh) simple.push_back(r);
    else
      simple[it->second].verbs.insert(simple[it->second].verbs.end(), r.verbs.begin(), r.verbs.end());
  }
  out.insert(out.end(), simple.begin(), simple.end());
  return out;
}

std::string compact_string(const PolicyRule& r) {
  std::vector<std::string> parts;
  if (!r.api_groups.empty()) parts.push_back("APIGroups:" + go_quote(r.api_groups));
  if (!r.resources.empty()) parts.push_back("Resources:" + go_quote(r.resources));
  if (!r.non_resource_urls.empty()) parts.push_back("NonResourceURLs:" + go_quote(r.non_resource_urls));
  if (!r.resource_names.empty()) parts.push_back("ResourceNames:" + go_quote(r.resource_names));
  if (!r.verbs.empty()) parts.push_back("Verbs:" + go_quote(r.verbs));
  std::string s = "{";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) s += ", ";
    s += parts[i];
  }
  return s + "}";
}

}  // namespace orch::rbac
