// What IAM handlers share: the caller's account, entity lookups with AWS's NotFound wording,
// the authorization targets (which ARN each action is checked against), renderers of entities
// into result trees, pagination, and policy-document checks. One place for each, used by all.
#pragma once
#include <boost/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "aws/api.h"
#include "identity/directory.h"

namespace orch::aws::iam {

namespace json = boost::json;
using identity::AccountData;
using identity::State;

// The caller's own account: IAM calls never reach into another account.
const AccountData& account(const State& s, const Call& c);
std::string arn_prefix(const Call& c);  // arn:aws:iam::ACCOUNT:

// Entity lookup by name from a parameter, throwing NoSuchEntity in AWS's words.
identity::Ref<identity::User> user(const AccountData& a, const std::string& name);
identity::Ref<identity::Group> group(const AccountData& a, const std::string& name);
identity::Ref<identity::Role> role(const AccountData& a, const std::string& name);
identity::Ref<identity::ManagedPolicy> managed_policy(const State& s, const Call& c, const std::string& arn);

// The user a call is about: UserName if given, else the calling IAM user (AWS's default for
// GetUser, CreateAccessKey, ListAccessKeys, ...). Role sessions must name the user.
std::string target_user_name(const Call& c);

// Authorization targets: the ARN the action is checked against (reference §5.2).
Authz on_user(const Call& c, const State& s);       // UserName, or the caller
Authz on_group(const Call& c, const State& s);      // GroupName
Authz on_role(const Call& c, const State& s);       // RoleName
Authz on_policy(const Call& c, const State& s);     // PolicyArn
Authz with_policy_arn(Authz a, const Call& c);      // adds iam:PolicyARN
Authz with_request_tags(Authz a, const Call& c);    // adds aws:RequestTag/* and aws:TagKeys

json::object render(const identity::User& u);
json::object render(const identity::Group& g);
json::object render(const State& s, const identity::Role& r, bool full);
json::object render(const identity::ManagedPolicy& p);
json::object render(const identity::PolicyVersion& v, bool is_default, bool with_document);
json::array render_tags(const std::vector<identity::Tag>& tags);
std::vector<identity::Tag> to_tags(const std::vector<std::pair<std::string, std::string>>& pairs);
// Adds or replaces tags by key (case-insensitive keys, as IAM treats them), at most 50.
void merge_tags(std::vector<identity::Tag>& tags, const std::vector<identity::Tag>& add);
// UntagUser/UntagRole: the TagKeys parameter, and removing those keys (case-insensitive).
std::vector<std::string> tag_keys(const Call& c);
void remove_tags(std::vector<identity::Tag>& tags, const std::vector<std::string>& keys);
std::string timestamp(int64_t t);

// Marker/MaxItems pagination over items already sorted by `key`: writes `list_name`,
// IsTruncated and (when truncated) Marker into out.
struct Item {
  std::string key;
  json::value value;
};
void paginate(const Call& c, std::vector<Item> items, std::string_view list_name, json::object& out);
// The same over sorted keys, rendering only the items of the page (render(i) for keys[i]): for
// lists that may be long, so a page costs what it shows.
void paginate(const Call& c, const std::vector<std::string>& keys, const std::function<json::value(size_t)>& render,
              std::string_view list_name, json::object& out);

// Validates a policy document (grammar and size); throws MalformedPolicyDocument.
void check_policy(const std::string& text, policy::DocKind kind);
// Checks that the user and role principals a trust policy names exist (else
// MalformedPolicyDocument "Invalid principal in policy") and returns the document with each of
// them replaced by its unique id — the form that is evaluated (identity::Role::trust_effective).
std::string effective_trust(const State& s, const std::string& trust_text, const policy::Policy& p);
// The trust policy as GetRole shows it: as submitted while every principal it named still
// exists; once one is deleted, as AWS shows it — the deleted principal as its raw unique id.
std::string displayed_trust(const State& s, const identity::Role& r);

bool path_has_prefix(const std::string& path, const std::optional<std::string>& prefix);

}  // namespace orch::aws::iam
