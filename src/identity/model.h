// The IAM entities of every account, as stored (JSON through Boost.Describe) and as cached in
// memory. Entities refer to each other by unique id (AIDA…, AGPA…), never by name, so a rename
// touches one record and a re-created namesake never inherits the old one's grants.
#pragma once
#include <boost/describe.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/policy.h"

namespace orch::identity {

struct Tag {
  std::string key;
  std::string value;
};
BOOST_DESCRIBE_STRUCT(Tag, (), (key, value))

struct InlinePolicy {
  std::string name;
  std::string document;  // exactly as submitted
  std::shared_ptr<const policy::Policy> parsed;  // not stored; compiled on load
};
BOOST_DESCRIBE_STRUCT(InlinePolicy, (), (name, document))

struct LoginProfile {
  std::string password_hash;  // scrypt, base/crypto.h
  int64_t created = 0;
  bool reset_required = false;
};
BOOST_DESCRIBE_STRUCT(LoginProfile, (), (password_hash, created, reset_required))

struct User {
  std::string account, id, name, path = "/";
  int64_t created = 0;
  std::vector<Tag> tags;
  std::vector<std::string> group_ids;
  std::vector<InlinePolicy> inline_policies;
  std::vector<std::string> attached;  // managed policy ARNs
  std::string boundary;               // managed policy ARN or empty
  std::optional<LoginProfile> login;
  std::optional<int64_t> password_last_used;
  std::string arn() const { return "arn:aws:iam::" + account + ":user" + path + name; }
};
BOOST_DESCRIBE_STRUCT(User, (), (account, id, name, path, created, tags, group_ids, inline_policies,
                                 attached, boundary, login, password_last_used))

struct Group {
  std::string account, id, name, path = "/";
  int64_t created = 0;
  std::vector<InlinePolicy> inline_policies;
  std::vector<std::string> attached;
  std::string arn() const { return "arn:aws:iam::" + account + ":group" + path + name; }
};
BOOST_DESCRIBE_STRUCT(Group, (), (account, id, name, path, created, inline_policies, attached))

struct Role {
  std::string account, id, name, path = "/";
  int64_t created = 0;
  std::string description;
  int64_t max_session_duration = 3600;
  std::string trust_policy;  // exactly as submitted
  // The trust policy as evaluated: user and role principals replaced by their unique ids, as
  // AWS stores them, so a deleted and re-created namesake is not trusted. Empty: trust_policy.
  std::string trust_effective;
  std::shared_ptr<const policy::Policy> trust_parsed;
  std::vector<Tag> tags;
  std::vector<InlinePolicy> inline_policies;
  std::vector<std::string> attached;
  std::string boundary;
  std::optional<int64_t> last_used;
  std::string last_used_region;
  std::string arn() const { return "arn:aws:iam::" + account + ":role" + path + name; }
};
BOOST_DESCRIBE_STRUCT(Role, (), (account, id, name, path, created, description, max_session_duration,
                                 trust_policy, trust_effective, tags, inline_policies, attached, boundary, last_used,
                                 last_used_region))

struct PolicyVersion {
  std::string id;  // v1, v2, ...
  std::string document;
  int64_t created = 0;
  std::shared_ptr<const policy::Policy> parsed;
};
BOOST_DESCRIBE_STRUCT(PolicyVersion, (), (id, document, created))

struct ManagedPolicy {
  std::string account;  // "aws" for AWS managed policies
  std::string id, name, path = "/", description;
  int64_t created = 0, updated = 0;
  std::string default_version;
  int64_t next_version = 1;
  std::vector<PolicyVersion> versions;
  std::vector<Tag> tags;
  std::string arn() const { return "arn:aws:iam::" + account + ":policy" + path + name; }
  const PolicyVersion* default_doc() const {
    for (const auto& v : versions)
      if (v.id == default_version) return &v;
    return nullptr;
  }
};
BOOST_DESCRIBE_STRUCT(ManagedPolicy, (), (account, id, name, path, description, created, updated,
                                          default_version, next_version, versions, tags))

struct AccessKey {
  std::string id, account, user_id;
  std::string sealed_secret;  // base64 of SecretBox::seal(secret) — the form on disk
  std::string secret;         // not stored; opened on load
  std::string status = "Active";
  int64_t created = 0;
  std::optional<int64_t> last_used;
  std::string last_used_service, last_used_region;
};
BOOST_DESCRIBE_STRUCT(AccessKey, (), (id, account, user_id, sealed_secret, status, created, last_used,
                                      last_used_service, last_used_region))

struct Account {
  std::string id, name, email;
  int64_t created = 0;
  bool management = false;
  std::string status = "ACTIVE";
  std::string joined_method = "CREATED";
  std::string create_request_id;  // CreateAccount's request id, for DescribeCreateAccountStatus
};
BOOST_DESCRIBE_STRUCT(Account, (), (id, name, email, created, management, status, joined_method,
                                    create_request_id))

// EKS: a cluster of an account, with its access entries (who may reach its Kubernetes API and
// as which Kubernetes user and groups). Entries live inside the cluster record so that a change
// to a cluster's access is one atomic write.
struct AccessScope {
  std::string type = "cluster";  // cluster | namespace
  std::vector<std::string> namespaces;
};
BOOST_DESCRIBE_STRUCT(AccessScope, (), (type, namespaces))

struct AssociatedAccessPolicy {
  std::string policy_arn;
  AccessScope scope;
  int64_t associated = 0, modified = 0;
};
BOOST_DESCRIBE_STRUCT(AssociatedAccessPolicy, (), (policy_arn, scope, associated, modified))

struct AccessEntry {
  std::string principal_arn, id, username, type = "STANDARD";
  std::string principal_id;  // AIDA…/AROA… of the principal it was made for (hosted accounts)
  std::vector<std::string> groups;
  std::vector<AssociatedAccessPolicy> policies;
  std::vector<Tag> tags;
  int64_t created = 0, modified = 0;
};
BOOST_DESCRIBE_STRUCT(AccessEntry, (), (principal_arn, id, username, type, principal_id, groups, policies, tags, created, modified))

struct Cluster {
  std::string account, name, id, region, role_arn, version = "1.32";
  std::string status = "CREATING";  // CREATING -> ACTIVE; DELETING
  std::string authentication_mode = "API_AND_CONFIG_MAP";
  std::string vpc_config;  // resourcesVpcConfig as given (JSON text)
  // Where its Kubernetes API is served, set when it becomes ACTIVE: the URL (its own port) and
  // its own CA's certificate (PEM).
  std::string endpoint, ca_pem;
  int64_t created = 0;
  std::vector<AccessEntry> access_entries;
  std::vector<Tag> tags;
  std::string arn() const { return "arn:aws:eks:" + region + ":" + account + ":cluster/" + name; }
  const AccessEntry* entry(const std::string& principal_arn) const {
    for (const auto& e : access_entries)
      if (e.principal_arn == principal_arn) return &e;
    return nullptr;
  }
};
BOOST_DESCRIBE_STRUCT(Cluster, (), (account, name, id, region, role_arn, version, status, authentication_mode,
                                    vpc_config, endpoint, ca_pem, created, access_entries, tags))

struct Organization {
  std::string id, management_account, management_email;
};
BOOST_DESCRIBE_STRUCT(Organization, (), (id, management_account, management_email))

}  // namespace orch::identity
