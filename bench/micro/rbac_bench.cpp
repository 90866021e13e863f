// Kubernetes RBAC authorization with 10 / 1,000 / 10,000 RoleBindings (users bound to the
// aggregated `edit` ClusterRole across 100 namespaces, over kube's bootstrap roles): an allowed
// request, a denied one (every binding of the caller's groups is looked at), and building the
// authorizer (done once per RBAC change).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>

#include "rbac/rbac.h"

namespace {

using namespace orch;

rbac::PolicySet policy_set(int bindings) {
  rbac::PolicySet set;
  for (const auto& obj : rbac::bootstrap_objects()) {
    auto errs = set.apply(obj);
    if (!errs.empty()) throw std::runtime_error("bootstrap object refused: " + errs.front().to_string());
  }
  for (int i = 0; i < bindings; ++i) {
    rbac::RoleBinding b;
    b.metadata.name = "rb-" + std::to_string(i);
    b.metadata.ns = "ns-" + std::to_string(i % 100);
    b.role_ref = {std::string(rbac::kGroupName), "ClusterRole", i % 3 == 0 ? "view" : "edit"};
    b.subjects.push_back({"User", std::string(rbac::kGroupName), "user-" + std::to_string(i), ""});
    b.subjects.push_back({"Group", std::string(rbac::kGroupName), "team-" + std::to_string(i % 50), ""});
    set.upsert(std::move(b));
  }
  return set;
}

std::shared_ptr<const rbac::Authorizer> authorizer(int bindings) {
  static std::map<int, std::shared_ptr<const rbac::Authorizer>> cache;
  auto& a = cache[bindings];
  if (!a) a = policy_set(bindings).build();
  return a;
}

void BM_RbacAuthorize_Allowed(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  auto a = authorizer(n);
  int i = (n - 1) % 3 ? n - 1 : n - 2;  // a user bound to edit (multiples of 3 get view)
  rbac::Attributes attrs;
  attrs.user = {"user-" + std::to_string(i), "", {"system:authenticated", "team-" + std::to_string(i % 50)}, {}};
  attrs.verb = "create";
  attrs.ns = "ns-" + std::to_string(i % 100);
  attrs.api_version = "v1";
  attrs.resource = "pods";
  for (auto _ : state) {
    auto d = a->authorize(attrs);
    if (!d.allowed) state.SkipWithError("expected allowed");
    benchmark::DoNotOptimize(d);
  }
  state.counters["bindings"] = static_cast<double>(a->binding_count());
}
BENCHMARK(BM_RbacAuthorize_Allowed)->Arg(10)->Arg(1000)->Arg(10000);

void BM_RbacAuthorize_Denied(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  auto a = authorizer(n);
  rbac::Attributes attrs;
  attrs.user = {"mallory", "", {"system:authenticated", "team-7"}, {}};
  attrs.verb = "delete";
  attrs.ns = "ns-1";
  attrs.api_group = "rbac.authorization.k8s.io";
  attrs.api_version = "v1";
  attrs.resource = "rolebindings";
  attrs.name = "rb-1";
  for (auto _ : state) {
    auto d = a->authorize(attrs);
    if (d.allowed) state.SkipWithError("expected denied");
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_RbacAuthorize_Denied)->Arg(10)->Arg(1000)->Arg(10000);

void BM_RbacBuildAuthorizer(benchmark::State& state) {
  auto set = policy_set(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(set.build());
}
BENCHMARK(BM_RbacBuildAuthorizer)->Arg(10)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
