#include "aws/iam/common.h"

#include <functional>

#include <algorithm>

#include "aws/protocol/form.h"
#include "base/clock.h"
#include "base/crypto.h"

namespace orch::aws::iam {

const AccountData& account(const State& s, const Call& c) {
  const AccountData* a = s.account(c.caller.account);
  if (!a) throw AwsError("ServiceFailure", 500, "The caller's account no longer exists.", false);
  return *a;
}

std::string arn_prefix(const Call& c) { return "arn:aws:iam::" + c.caller.account + ":"; }

identity::Ref<identity::User> user(const AccountData& a, const std::string& name) {
  auto u = a.user(name);
  if (!u) throw no_such_entity("The user with name " + name + " cannot be found.");
  return u;
}
identity::Ref<identity::Group> group(const AccountData& a, const std::string& name) {
  auto g = a.group(name);
  if (!g) throw no_such_entity("The group with name " + name + " cannot be found.");
  return g;
}
identity::Ref<identity::Role> role(const AccountData& a, const std::string& name) {
  auto r = a.role(name);
  if (!r) throw no_such_entity("The role with name " + name + " cannot be found.");
  return r;
}
identity::Ref<identity::ManagedPolicy> managed_policy(const State& s, const Call& c, const std::string& arn) {
  auto p = s.policy(c.caller.account, arn);
  if (!p) throw no_such_entity("Policy " + arn + " was not found.");
  return p;
}

std::string target_user_name(const Call& c) {
  if (auto n = c.params.optional("UserName", rules::kUserName)) return *n;
  if (c.caller.kind == identity::Caller::Kind::RoleSession)
    throw validation_error("Must specify userName when calling with non-User credentials");
  return c.caller.user_name;
}

namespace {
template <class Ref>
std::string arn_or(const Ref& entity, const std::string& fallback) {
  return entity ? entity->arn() : fallback;
}
}  // namespace

Authz on_user(const Call& c, const State& s) {
  std::string name = target_user_name(c);
  std::string path = c.params.optional("Path", rules::kPath).value_or("/");
  return Authz{arn_or(account(s, c).user(name), arn_prefix(c) + "user" + path + name)};
}
Authz on_group(const Call& c, const State& s) {
  std::string name = c.params.required("GroupName", rules::kGroupName);
  std::string path = c.params.optional("Path", rules::kPath).value_or("/");
  return Authz{arn_or(account(s, c).group(name), arn_prefix(c) + "group" + path + name)};
}
Authz on_role(const Call& c, const State& s) {
  std::string name = c.params.required("RoleName", rules::kRoleName);
  std::string path = c.params.optional("Path", rules::kPath).value_or("/");
  return Authz{arn_or(account(s, c).role(name), arn_prefix(c) + "role" + path + name)};
}
Authz on_policy(const Call& c, const State&) {
  if (c.params.has("PolicyArn")) return Authz{c.params.required("PolicyArn", rules::kArn)};
  std::string name = c.params.required("PolicyName", rules::kPolicyName);
  std::string path = c.params.optional("Path", rules::kPolicyPath).value_or("/");
  return Authz{arn_prefix(c) + "policy" + path + name};
}
Authz with_policy_arn(Authz a, const Call& c) {
  a.context.push_back({"iam:PolicyARN", {c.params.required("PolicyArn", rules::kArn)}});
  return a;
}
Authz with_request_tags(Authz a, const Call& c) {
  auto tags = c.params.tags();
  if (tags.empty()) return a;
  std::vector<std::string> keys;
  for (const auto& [k, v] : tags) {
    a.context.push_back({"aws:RequestTag/" + k, {v}});
    keys.push_back(k);
  }
  a.context.push_back({"aws:TagKeys", keys});
  return a;
}

std::string timestamp(int64_t t) { return clock::iso8601(t); }

json::array render_tags(const std::vector<identity::Tag>& tags) {
  json::array out;
  for (const auto& t : tags) out.push_back(json::object{{"Key", t.key}, {"Value", t.value}});
  return out;
}

std::vector<identity::Tag> to_tags(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<identity::Tag> out;
  for (const auto& [k, v] : pairs) merge_tags(out, {{k, v}});
  return out;
}

void merge_tags(std::vector<identity::Tag>& tags, const std::vector<identity::Tag>& add) {
  for (const auto& t : add) {
    auto it = std::find_if(tags.begin(), tags.end(),
                           [&](const identity::Tag& x) { return identity::lower(x.key) == identity::lower(t.key); });
    if (it != tags.end()) it->value = t.value;
    else tags.push_back(t);
  }
  if (tags.size() > 50) throw limit_exceeded("Cannot exceed quota for TagsPerEntity: 50");
}

std::vector<std::string> tag_keys(const Call& c) { return c.params.list("TagKeys", Rule{1, 128, Pattern::TagKey}, 50); }

void remove_tags(std::vector<identity::Tag>& tags, const std::vector<std::string>& keys) {
  std::erase_if(tags, [&](const identity::Tag& t) {
    for (const auto& k : keys)
      if (identity::lower(k) == identity::lower(t.key)) return true;
    return false;
  });
}

json::object render(const identity::User& u) {
  json::object o{{"Path", u.path}, {"UserName", u.name}, {"UserId", u.id}, {"Arn", u.arn()},
                 {"CreateDate", timestamp(u.created)}};
  if (u.password_last_used) o["PasswordLastUsed"] = timestamp(*u.password_last_used);
  if (!u.boundary.empty())
    o["PermissionsBoundary"] = json::object{{"PermissionsBoundaryType", "Policy"}, {"PermissionsBoundaryArn", u.boundary}};
  if (!u.tags.empty()) o["Tags"] = render_tags(u.tags);
  return o;
}

json::object render(const identity::Group& g) {
  return {{"Path", g.path}, {"GroupName", g.name}, {"GroupId", g.id}, {"Arn", g.arn()}, {"CreateDate", timestamp(g.created)}};
}

json::object render(const State& s, const identity::Role& r, bool full) {
  json::object o{{"Path", r.path}, {"RoleName", r.name}, {"RoleId", r.id}, {"Arn", r.arn()},
                 {"CreateDate", timestamp(r.created)},
                 {"AssumeRolePolicyDocument", percent_encode(displayed_trust(s, r))}};
  if (!r.description.empty()) o["Description"] = r.description;
  o["MaxSessionDuration"] = r.max_session_duration;
  if (!r.boundary.empty())
    o["PermissionsBoundary"] = json::object{{"PermissionsBoundaryType", "Policy"}, {"PermissionsBoundaryArn", r.boundary}};
  if (!r.tags.empty()) o["Tags"] = render_tags(r.tags);
  if (full) {
    json::object last;
    if (r.last_used) {
      last["LastUsedDate"] = timestamp(*r.last_used);
      last["Region"] = r.last_used_region;
    }
    o["RoleLastUsed"] = std::move(last);
  }
  return o;
}

json::object render(const identity::PolicyVersion& v, bool is_default, bool with_document) {
  json::object o;
  if (with_document) o["Document"] = percent_encode(v.document);
  o["VersionId"] = v.id;
  o["IsDefaultVersion"] = is_default;
  o["CreateDate"] = timestamp(v.created);
  return o;
}

json::object render(const identity::ManagedPolicy& p) {
  json::object o{{"PolicyName", p.name}, {"PolicyId", p.id}, {"Arn", p.arn()}, {"Path", p.path},
                 {"DefaultVersionId", p.default_version}};
  // AttachmentCount and PermissionsBoundaryUsageCount are filled in by the caller (they need
  // the account's entities); IsAttachable is always true for these kinds.
  o["IsAttachable"] = true;
  if (!p.description.empty()) o["Description"] = p.description;
  o["CreateDate"] = timestamp(p.created);
  o["UpdateDate"] = timestamp(p.updated);
  if (!p.tags.empty()) o["Tags"] = render_tags(p.tags);
  return o;
}

void paginate(const Call& c, const std::vector<std::string>& keys, const std::function<json::value(size_t)>& render,
              std::string_view list_name, json::object& out) {
  int64_t max_items = c.params.integer("MaxItems", 1, 1000).value_or(100);
  size_t start = 0;
  if (auto marker = c.params.optional("Marker", rules::kMarker)) {
    std::string after;
    if (!crypto::base64url_decode(*marker, after)) throw invalid_input("Invalid Marker.");
    start = std::upper_bound(keys.begin(), keys.end(), after) - keys.begin();
  }
  json::array page;
  size_t end = std::min(keys.size(), start + static_cast<size_t>(max_items));
  for (size_t i = start; i < end; ++i) page.push_back(render(i));
  out[list_name] = std::move(page);
  bool truncated = end < keys.size();
  out["IsTruncated"] = truncated;
  if (truncated) out["Marker"] = crypto::base64url_encode(keys[end - 1]);
}

void paginate(const Call& c, std::vector<Item> items, std::string_view list_name, json::object& out) {
  std::vector<std::string> keys;
  keys.reserve(items.size());
  for (const auto& i : items) keys.push_back(i.key);
  paginate(c, keys, [&](size_t i) { return std::move(items[i].value); }, list_name, out);
}

void check_policy(const std::string& text, policy::DocKind kind) {
  auto parsed = policy::parse(text, kind);
  if (auto* e = std::get_if<policy::ParseError>(&parsed)) throw malformed_policy(e->message);
}

namespace {
// The unique id of the user or role an ARN names in an account this server hosts; "" when the
// ARN is not a user/role ARN of a hosted account; throws when it names one that does not exist.
std::string principal_id(const State& s, const std::string& principal) {
  std::string_view v = principal;
  if (!v.starts_with("arn:aws:iam::")) return {};
  size_t colon = v.find(':', 13);
  if (colon == std::string_view::npos) return {};
  const AccountData* a = s.account(v.substr(13, colon - 13));
  std::string_view resource = v.substr(colon + 1);
  if (!a || !(resource.starts_with("user/") || resource.starts_with("role/"))) return {};
  if (resource.starts_with("user/")) {
    for (const auto& [id, u] : a->users)
      if (u->arn() == principal) return id;
  } else {
    for (const auto& [id, r] : a->roles)
      if (r->arn() == principal) return id;
  }
  throw malformed_policy("Invalid principal in policy: \"AWS\":\"" + principal + "\"");
}

// Calls f on every string of every "AWS" entry under Principal and NotPrincipal.
template <class F>
void for_each_aws_principal(json::value& doc, F f) {
  auto entry = [&](json::value& v) {
    if (v.is_string()) f(v);
  };
  auto statement = [&](json::value& st) {
    if (!st.is_object()) return;
    for (const char* key : {"Principal", "NotPrincipal"}) {
      auto* principal = st.as_object().if_contains(key);
      auto* aws = principal && principal->is_object() ? principal->as_object().if_contains("AWS") : nullptr;
      if (!aws) continue;
      if (aws->is_array())
        for (auto& v : aws->as_array()) entry(v);
      else
        entry(*aws);
    }
  };
  auto* statements = doc.is_object() ? doc.as_object().if_contains("Statement") : nullptr;
  if (statements && statements->is_array())
    for (auto& st : statements->as_array()) statement(st);
  else if (statements)
    statement(*statements);
}

// The current ARN of a user or role by unique id, in any account; "" once it is gone.
std::string arn_of_id(const State& s, const std::string& id) {
  for (const auto& [acct, a] : s.accounts) {
    if (auto u = a.users.find(id); u != a.users.end()) return u->second->arn();
    if (auto r = a.roles.find(id); r != a.roles.end()) return r->second->arn();
  }
  return {};
}
}  // namespace

std::string effective_trust(const State& s, const std::string& trust_text, const policy::Policy&) {
  json::value doc = json::parse(trust_text);  // already validated by policy::parse
  for_each_aws_principal(doc, [&](json::value& v) {
    if (std::string id = principal_id(s, std::string(v.as_string())); !id.empty()) v = id;
  });
  return json::serialize(doc);
}

std::string displayed_trust(const State& s, const identity::Role& r) {
  if (r.trust_effective.empty()) return r.trust_policy;
  json::value doc = json::parse(r.trust_effective);
  bool all_alive = true;
  for_each_aws_principal(doc, [&](json::value& v) {
    std::string id(v.as_string());
    if (!id.starts_with("AIDA") && !id.starts_with("AROA")) return;
    std::string arn = arn_of_id(s, id);
    if (arn.empty()) all_alive = false;
    else v = arn;
  });
  return all_alive ? r.trust_policy : json::serialize(doc);
}

bool path_has_prefix(const std::string& path, const std::optional<std::string>& prefix) {
  return !prefix || path.starts_with(*prefix);
}

}  // namespace orch::aws::iam
