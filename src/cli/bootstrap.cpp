#include "cli/bootstrap.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "base/clock.h"
#include "base/ids.h"
#include "identity/accounts.h"

namespace orch::cli {

namespace {
constexpr const char* kAdminProfile = "orchestera-admin";
constexpr const char* kOrgProfile = "orchestera-org";

std::string profile_config(const char* name, const std::string& endpoint, const std::string& ca) {
  return std::string("[profile ") + name + "]\nregion = us-east-1\nendpoint_url = " + endpoint + "\nca_bundle = " + ca + "\n";
}
std::string profile_credentials(const char* name, const identity::AccessKey& k) {
  return std::string("[") + name + "]\naws_access_key_id = " + k.id + "\naws_secret_access_key = " + k.secret + "\n";
}
}  // namespace

AdminFiles bootstrap(identity::Directory& dir, const DataDir& d, const std::string& endpoint, const std::string& ca_path) {
  AdminFiles files{d.admin() + "/config", d.admin() + "/credentials"};
  std::filesystem::create_directories(d.admin());
  std::filesystem::permissions(d.admin(), std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
  bool has_org = dir.read([](const identity::State& s) { return s.org.has_value(); });
  if (!has_org) {
    int64_t now = clock::now_seconds();
    std::string credentials = dir.write([&](identity::Txn& t) {
      identity::Organization org;
      org.management_account = identity::new_account_id(t.state());
      org.id = "o-" + identity::lower(ids::unique_id("ORGA").substr(4, 10));
      org.management_email = "management@orchestera.local";
      identity::Account mgmt;
      mgmt.id = org.management_account;
      mgmt.name = "orchestera-management";
      mgmt.email = org.management_email;
      mgmt.created = now;
      mgmt.management = true;
      t.put(org);
      t.put(mgmt);
      auto [org_admin, org_key] = identity::create_admin_user(t, mgmt.id, "admin", now);
      // The default workspace: its OrganizationAccountAccessRole trusts the management account.
      identity::Account ws = identity::create_member_account(t, mgmt.id, "default-workspace",
                                                             "workspace@orchestera.local", now, "");
      auto [ws_admin, ws_key] = identity::create_admin_user(t, ws.id, "admin", now);
      return profile_credentials(kAdminProfile, ws_key) + "\n" + profile_credentials(kOrgProfile, org_key);
    });
    // The store is the truth; these files are a convenience written once, like the CLI's own.
    write_private_file(files.credentials, credentials);
    spdlog::info("bootstrapped a new organization; administrator credentials are in {}", files.credentials);
  }
  write_private_file(files.config, profile_config(kAdminProfile, endpoint, ca_path) + "\n" +
                                       profile_config(kOrgProfile, endpoint, ca_path));
  return files;
}

}  // namespace orch::cli
