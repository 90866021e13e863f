// The IAM operation groups, one per file in this folder.
#pragma once
#include "aws/api.h"

namespace orch::aws::iam {
void register_users(Registry& r);
void register_groups(Registry& r);
void register_access_keys(Registry& r);
void register_roles(Registry& r);
void register_inline_policies(Registry& r);
void register_managed_policies(Registry& r);
void register_login_profiles(Registry& r);
void register_account(Registry& r);
}  // namespace orch::aws::iam
