// The two schema-less patch formats a PATCH request may carry:
//   application/merge-patch+json  RFC 7386 JSON merge patch
//   application/json-patch+json   RFC 6902 JSON patch (add/remove/replace/move/copy/test)
// Errors come back as the Status kube-apiserver would send:
//   - a body that is not a patch at all → 400 BadRequest (message says why);
//   - more than 10000 operations → 413 `Request entity too large: The allowed maximum operations
//     in a JSON patch is 10000, got N`;
//   - an operation that does not apply (missing path, failed test) → 422 Invalid with the
//     server's generic `the server rejected our request due to an error in our request`
//     (ApiError::detail says which operation failed and why);
//   - input nested deeper than json::kMaxDepth → 400 BadRequest.
#pragma once
#include <boost/json/value.hpp>
#include <string_view>

#include "apimachinery/result.h"
#include "apimachinery/status.h"

namespace orch::apimachinery {

// RFC 7386 as written: a non-object patch replaces the target; null members delete.
boost::json::value json_merge_patch(boost::json::value target, const boost::json::value& patch);

// The PATCH handler's use of it: the patch must be a JSON object (an object stays an object).
Result<boost::json::value, ApiError> apply_merge_patch(const boost::json::value& object,
                                                       const boost::json::value& patch);

inline constexpr size_t kMaxJsonPatchOperations = 10000;

// RFC 6902 applied to a copy of doc. Array indices are decimal without leading zeros, "-" appends
// (add only); JSON pointers use ~0 for '~' and ~1 for '/'.
Result<boost::json::value, ApiError> apply_json_patch(const boost::json::value& doc,
                                                      const boost::json::value& patch);

}  // namespace orch::apimachinery
