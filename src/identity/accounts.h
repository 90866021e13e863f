// Accounts of the organization. One function creates a member account the way AWS
// Organizations does — with an OrganizationAccountAccessRole that the management account may
// assume — used both by CreateAccount and by the first-start bootstrap.
#pragma once
#include <string>

#include "identity/directory.h"

namespace orch::identity {

// A fresh 12-digit id not used by any account in `s` nor equal to `taken`.
std::string new_account_id(const State& s, const std::string& taken = {});

// Writes the account and its OrganizationAccountAccessRole (AdministratorAccess, trusting the
// management account). Returns the account.
Account create_member_account(Txn& t, const std::string& management_account, const std::string& name,
                              const std::string& email, int64_t now, const std::string& request_id);

// An IAM user with AdministratorAccess and one access key; returns (user, key).
std::pair<User, AccessKey> create_admin_user(Txn& t, const std::string& account, const std::string& name, int64_t now);

}  // namespace orch::identity
