// What a delete request does to a stored object, decided as kube-apiserver's generic store
// decides it (rest.BeforeDelete, Store.Delete, ShouldDeleteDuringUpdate):
//   * kinds with graceful deletion (pods): the first delete records deletionTimestamp = now +
//     grace and deletionGracePeriodSeconds = grace and leaves the object (watchers see it
//     modified); a later delete may only shorten the grace period, and one that brings it to 0
//     removes the object. With grace 0 from the start the object goes at once.
//   * finalizers (and a namespace's contents) hold any object: it is marked with grace 0 and goes
//     when the last finalizer is removed by an update.
//   * everything else goes at once.
// Nothing here removes an object when its grace period runs out: whoever stops what the object
// stands for (for pods, the node agent of a later issue, as the kubelet does) deletes it again
// with gracePeriodSeconds=0 (and the uid as a precondition) once it is done.
#pragma once
#include <boost/json.hpp>

#include <cstdint>
#include <optional>

#include "apimachinery/status.h"
#include "kube/apiserver/delete_options.h"

namespace orch::kube {

struct Deletion {
  enum class Action {
    Erase,  // remove it now
    Mark,   // record deletion_time and grace_period; the object stays
    Keep,   // already being deleted, and this request changes nothing
  };
  Action action = Action::Erase;
  int64_t deletion_time = 0;  // unix seconds
  int64_t grace_period = 0;
};

// metadata: the stored object's; graceful: for kinds with graceful deletion, the grace period
// the kind's strategy gives this request if the object is not yet being deleted
// (pod_grace_period), nullopt for other kinds; requested: DeleteOptions.gracePeriodSeconds;
// held: finalizers (or a namespace's contents) keep the object until they are gone.
Deletion plan_deletion(const boost::json::object& metadata, std::optional<int64_t> graceful,
                       std::optional<int64_t> requested, bool held, int64_t now);

// Whether an update that writes `obj` (with the stored deletionTimestamp and grace period kept)
// removes it instead: it is being deleted, no finalizer is left and no grace period runs.
bool erase_on_update(const boost::json::object& obj);

// DeleteOptions.preconditions against the stored object: 409 Conflict as kube-apiserver words it
// (the kind, not the resource, names the object there).
void check_preconditions(const apimachinery::status::GroupResource& kind, const boost::json::object& obj,
                         const DeleteOptions& options);

}  // namespace orch::kube
