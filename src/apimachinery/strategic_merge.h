// Strategic merge patch (application/strategic-merge-patch+json), the server side: applying a
// patch that kubectl computed (kubectl apply's three-way diff, kubectl patch, kubectl edit).
//
// Semantics (k8s.io/apimachinery/pkg/util/strategicpatch, StrategicMergeMapPatch):
//   - maps merge key by key; a null value deletes the key;
//   - lists the schema marks MergeByKey merge element-wise on the merge key, MergeSet lists of
//     scalars take the union; every other list is replaced whole;
//   - directives: {"$patch": "replace"} / {"$patch": "delete"} in a map replace / delete it;
//     a list element {"name": "x", "$patch": "delete"} deletes element x; {"$patch": "replace"}
//     in a list replaces the list with the patch's other elements; "$retainKeys": [...] drops the
//     map's other keys; "$setElementOrder/<list>": [...] fixes the order of the merged list;
//     "$deleteFromPrimitiveList/<list>": [...] removes those scalars from a MergeSet list;
//   - new elements come first unless $setElementOrder says otherwise (as the server does).
// Directives never reach the result.
//
// Errors are those kube-apiserver gives: 400 BadRequest for malformed directives ("invalid patch
// format of setElementOrder list", "... of primitive list", "... of retainKeys"), 422 for lists of
// lists, and a 500 without reason for the rest (e.g. `map: map[image:x] does not contain declared
// merge key: name`), which kubectl prints as "Error from server: ...".
#pragma once
#include <boost/json/value.hpp>

#include "apimachinery/patch_schema.h"
#include "apimachinery/result.h"
#include "apimachinery/status.h"

namespace orch::apimachinery {

Result<boost::json::value, ApiError> apply_strategic_merge_patch(const boost::json::value& original,
                                                                 const boost::json::value& patch,
                                                                 const PatchSchema& schema);

}  // namespace orch::apimachinery
