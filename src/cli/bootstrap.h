// First start: an organization with a management account and one default workspace account,
// each with an administrator, and the AWS shared files that let the operator use them at once.
#pragma once
#include <string>

#include "cli/data_dir.h"
#include "identity/directory.h"

namespace orch::cli {

struct AdminFiles {
  std::string config, credentials;
};

// Creates the organization if the store has none (writing DIR/admin/credentials), then (every
// start) writes DIR/admin/config for the endpoint and CA given. Returns the two paths.
AdminFiles bootstrap(identity::Directory& dir, const DataDir& d, const std::string& endpoint, const std::string& ca_path);

}  // namespace orch::cli
