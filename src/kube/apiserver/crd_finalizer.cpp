#include "kube/apiserver/crd_finalizer.h"

#include "base/clock.h"
#include "kube/apiserver/crd.h"
#include "kube/apiserver/custom_kinds.h"

namespace orch::kube {
namespace json = boost::json;

namespace {
// Records once that the CRD waits for its objects to go.
void mark_terminating(Registry& reg, const Resource& crds, const std::string& cluster, json::object crd, int64_t now) {
  json::object& status = crd["status"].as_object();
  if (!status["conditions"].is_array()) status["conditions"].emplace_array();
  json::array& conds = status["conditions"].as_array();
  for (const auto& c : conds)
    if (c.is_object() && c.as_object().if_contains("type") && c.as_object().at("type") == "Terminating") return;
  conds.push_back(json::object{{"type", "Terminating"}, {"status", "True"}, {"lastTransitionTime", clock::iso8601(now)},
                               {"reason", "InstanceDeletionInProgress"},
                               {"message", "CustomResource deletion is in progress"}});
  std::string name(crd.at("metadata").at("name").as_string());
  reg.update(crds, cluster, "", name, std::move(crd), "status");
}
}  // namespace

size_t finalize_crds(Registry& reg, store::Store& store, const std::string& cluster, int64_t now) {
  static const Resource* crds = find_resource(kApiExtensionsGroup, "v1", "customresourcedefinitions");
  const std::vector<Resource> kinds = custom_resources(store, cluster);
  size_t done = 0;
  const json::object listed = reg.list(*crds, cluster, "", "", "");
  for (const auto& item : listed.at("items").as_array()) {
    json::object crd = item.as_object();
    const json::object& md = crd.at("metadata").as_object();
    if (!md.contains("deletionTimestamp")) continue;
    std::string name(md.at("name").as_string());
    try {
      // All served versions share the storage: the first one found reaches every object.
      const Resource* kind = nullptr;
      for (const auto& k : kinds)
        if (k.custom->crd_name == name) kind = kind ? kind : &k;
      if (kind) {
        const json::object objects = reg.list(*kind, cluster, "", "", "");
        for (const auto& obj : objects.at("items").as_array()) {
          const json::object& omd = obj.at("metadata").as_object();
          std::string ns = omd.contains("namespace") ? std::string(omd.at("namespace").as_string()) : "";
          try {
            reg.remove(*kind, cluster, ns, std::string(omd.at("name").as_string()), DeleteOptions{}, now);
          } catch (const ApiError& e) {
            if (e.code() != 404) throw;
          }
        }
        if (!reg.list(*kind, cluster, "", "", "").at("items").as_array().empty()) {
          mark_terminating(reg, *crds, cluster, std::move(crd), now);
          continue;
        }
      }
      // No object left: without its finalizer the marked CRD goes (erase_on_update).
      json::array kept;
      for (const auto& f : md.at("finalizers").as_array())
        if (f != json::value(kCrdCleanupFinalizer)) kept.push_back(f);
      crd["metadata"].as_object()["finalizers"] = std::move(kept);
      reg.update(*crds, cluster, "", name, std::move(crd));
      ++done;
    } catch (const ApiError&) {
      // Changed meanwhile: the next round tries again.
    }
  }
  return done;
}

}  // namespace orch::kube
