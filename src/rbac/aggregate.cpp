// ClusterRole aggregation as pkg/controller/clusterroleaggregation does it, computed to a fixed
// point in one call instead of by repeated controller syncs.
#include <algorithm>

#include "rbac/rbac.h"

namespace orch::rbac {

std::map<std::string, std::vector<PolicyRule>> aggregate_cluster_roles(
    const std::vector<ClusterRole>& all) {
  std::vector<const ClusterRole*> sorted;
  sorted.reserve(all.size());
  for (const auto& r : all) sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(), [](const ClusterRole* a, const ClusterRole* b) {
    return a->metadata.name < b->metadata.name;
  });

  // Which roles each aggregated role's selectors pick, in the controller's order. Labels do not
  // change during the computation, so this is done once.
  struct Aggregated {
    const ClusterRole* role;
    std::vector<const ClusterRole*> sources;  // per selector, in name order; may repeat
  };
  std::vector<Aggregated> aggregated;
  std::map<std::string, std::vector<PolicyRule>> current;
  for (const ClusterRole* r : sorted) {
    if (!r->aggregation_rule) continue;
    Aggregated a{r, {}};
    for (const auto& sel : r->aggregation_rule->cluster_role_selectors)
      for (const ClusterRole* c : sorted)
        if (c->metadata.name != r->metadata.name && sel.matches(c->metadata.labels))
          a.sources.push_back(c);
    aggregated.push_back(std::move(a));
    current[r->metadata.name];  // aggregated rules start empty: stored ones may be stale
  }

  auto rules_of = [&](const ClusterRole* c) -> const std::vector<PolicyRule>& {
    return c->aggregation_rule ? current[c->metadata.name] : c->rules;
  };

  // Each pass can only add rules (a source's rule set never shrinks), so passes stop once
  // nothing changes; the bound guards against ordering ping-pong inside cycles.
  for (size_t pass = 0; pass <= aggregated.size() + 1; ++pass) {
    bool changed = false;
    for (const auto& a : aggregated) {
      std::vector<PolicyRule> rules;
      for (const ClusterRole* src : a.sources)
        for (const auto& rule : rules_of(src))
          if (std::find(rules.begin(), rules.end(), rule) == rules.end()) rules.push_back(rule);
      auto& cur = current[a.role->metadata.name];
      if (rules != cur) {
        cur = std::move(rules);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return current;
}

void apply_aggregation(std::vector<ClusterRole>& all) {
  auto agg = aggregate_cluster_roles(all);
  for (auto& r : all)
    if (r.aggregation_rule) r.rules = agg[r.metadata.name];
}

}  // namespace orch::rbac
