// The Pod strategy: what kube-apiserver's pod registry adds to the generic one. There is no node
// runtime yet, so a new pod stays Pending and says why.
#pragma once
#include <boost/json.hpp>

#include <cstdint>
#include <optional>

namespace orch::kube {

// Defaults of the pod spec, applied to every pod written (create and update), as decoding
// defaults them: spec.terminationGracePeriodSeconds = 30.
void default_pod_spec(boost::json::object& pod);
// The status of a pod just created: Pending, not scheduled, no node available.
void pending_pod_status(boost::json::object& pod, int64_t now);

// The grace period a delete gives a pod that is not yet being deleted (CheckGracefulDelete):
// the requested one, else spec.terminationGracePeriodSeconds; but 0 (at once) for a pod no node
// has (spec.nodeName empty) or that has finished (Succeeded, Failed), since no kubelet has
// anything to stop.
int64_t pod_grace_period(const boost::json::object& pod, std::optional<int64_t> requested);

}  // namespace orch::kube
