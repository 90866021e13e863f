#include "kube/apiserver/pod_strategy.h"

#include "base/clock.h"

namespace orch::kube {
namespace json = boost::json;

namespace {
constexpr int64_t kDefaultTerminationGracePeriodSeconds = 30;

const json::value* member(const json::object& o, std::string_view object, std::string_view key) {
  const json::value* parent = o.if_contains(object);
  return parent && parent->is_object() ? parent->as_object().if_contains(key) : nullptr;
}

bool is_string(const json::value* v, std::string_view s) { return v && v->is_string() && v->as_string() == s; }
}  // namespace

void default_pod_spec(json::object& pod) {
  if (pod["spec"].is_null()) pod["spec"].emplace_object();
  if (!pod["spec"].is_object()) return;  // malformed: left as sent
  json::object& spec = pod["spec"].as_object();
  if (!spec.contains("terminationGracePeriodSeconds") || spec.at("terminationGracePeriodSeconds").is_null())
    spec["terminationGracePeriodSeconds"] = kDefaultTerminationGracePeriodSeconds;
}

void pending_pod_status(json::object& pod, int64_t now) {
  json::object& status = pod["status"].emplace_object();
  status["phase"] = "Pending";
  status["conditions"] = json::array{json::object{{"type", "PodScheduled"},
                                                  {"status", "False"},
                                                  {"lastProbeTime", nullptr},
                                                  {"lastTransitionTime", clock::iso8601(now)},
                                                  {"reason", "Unschedulable"},
                                                  {"message", "no nodes available to schedule pods"}}};
  status["qosClass"] = "BestEffort";
}

int64_t pod_grace_period(const json::object& pod, std::optional<int64_t> requested) {
  int64_t period = 0;
  if (requested) {
    period = *requested;
  } else if (const json::value* t = member(pod, "spec", "terminationGracePeriodSeconds"); t && t->is_int64()) {
    period = t->as_int64();
  }
  const json::value* node = member(pod, "spec", "nodeName");
  if (!node || !node->is_string() || node->as_string().empty()) period = 0;
  const json::value* phase = member(pod, "status", "phase");
  if (is_string(phase, "Succeeded") || is_string(phase, "Failed")) period = 0;
  return period < 0 ? 1 : period;
}

}  // namespace orch::kube
