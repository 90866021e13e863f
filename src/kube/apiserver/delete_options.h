// DeleteOptions as kube-apiserver reads them: from the request body when there is one (the query
// is then ignored entirely), else from the query string. Malformed values are 400 BadRequest,
// combinations ValidateDeleteOptions refuses are 422 Invalid, and dryRun is refused (400) as on
// every other write here, before anything is deleted.
#pragma once
#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "kube/apiserver/query.h"

namespace orch::kube {

struct DeleteOptions {
  // gracePeriodSeconds; a negative value is taken as 1, as kube-apiserver takes it.
  std::optional<int64_t> grace_period_seconds;
  // Orphan, Background or Foreground (also from the deprecated orphanDependents); "" when unset.
  std::string propagation_policy;
  // preconditions: the delete fails with 409 Conflict unless the object still has these.
  std::optional<std::string> uid, resource_version;
};

// body: the decoded request body, or nullptr when it was empty.
DeleteOptions delete_options(const boost::json::object* body, const Query& q);

}  // namespace orch::kube
