// EKS (REST-JSON): clusters and access entries. Creating a cluster also provisions the platform
// defaults of its account (the orchestera-platform-devs group and role, the group's permission
// to assume the role, and the role's access entry); the cluster plane then creates the
// cluster's Kubernetes objects and marks it ACTIVE.
#include <algorithm>

#include "aws/api.h"
#include "base/crypto.h"
#include "base/ids.h"
#include "identity/platform.h"

namespace orch::aws {
namespace {
namespace json = boost::json;
using identity::State;

AwsError not_found(const std::string& m) { return {"ResourceNotFoundException", 404, m}; }
AwsError invalid_parameter(const std::string& m) { return {"InvalidParameterException", 400, m}; }
AwsError in_use(const std::string& m) { return {"ResourceInUseException", 409, m}; }

const identity::AccountData& account_of(const State& s, const Call& c) {
  const identity::AccountData* a = s.account(c.caller.account);
  if (!a) throw AwsError("ServerException", 500, "The caller's account no longer exists.", false);
  return *a;
}

identity::Ref<identity::Cluster> cluster(const State& s, const Call& c, const std::string& name) {
  const auto& a = account_of(s, c);
  auto it = a.clusters.find(name);
  if (it == a.clusters.end()) throw not_found("No cluster found for name: " + name + ".");
  return it->second;
}

std::string cluster_arn(const Call& c, const std::string& name) {
  return "arn:aws:eks:" + c.region + ":" + c.caller.account + ":cluster/" + name;
}

Authz on_cluster(const Call& c, const State& s) {
  auto it = c.path.find("name");
  std::string name = it != c.path.end() ? it->second : "";
  if (name.empty())
    if (const auto* v = c.body.if_contains("name"); v && v->is_string()) name = std::string(v->as_string());
  const auto& a = account_of(s, c);
  if (auto cl = a.clusters.find(name); cl != a.clusters.end()) return Authz{cl->second->arn()};
  return Authz{cluster_arn(c, name)};
}

// CreateCluster hands the cluster a role: the caller must be allowed to pass it.
Authz on_cluster_create(const Call& c, const State& s) {
  Authz a = on_cluster(c, s);
  if (const auto* role = c.body.if_contains("roleArn"); role && role->is_string())
    a.also.push_back({"iam:PassRole", std::string(role->as_string())});
  return a;
}

json::object tags_json(const std::vector<identity::Tag>& tags) {
  json::object o;
  for (const auto& t : tags) o[t.key] = t.value;
  return o;
}

std::vector<identity::Tag> tags_of(const json::object& body) {
  std::vector<identity::Tag> out;
  if (const auto* t = body.if_contains("tags"); t && t->is_object())
    for (const auto& [k, v] : t->as_object())
      if (v.is_string()) out.push_back({std::string(k), std::string(v.as_string())});
  return out;
}

std::string string_member(const json::object& body, std::string_view name, bool required) {
  const auto* v = body.if_contains(name);
  if (!v || !v->is_string()) {
    if (required) throw invalid_parameter(std::string(name) + " is required.");
    return {};
  }
  return std::string(v->as_string());
}

json::object render(const identity::Cluster& cl) {
  json::object o{{"name", cl.name}, {"arn", cl.arn()}, {"createdAt", cl.created}, {"version", cl.version}};
  bool active = cl.status == "ACTIVE";
  if (active) o["endpoint"] = cl.endpoint;
  o["roleArn"] = cl.role_arn;
  boost::system::error_code ec;
  json::value vpc = json::parse(cl.vpc_config.empty() ? "{}" : cl.vpc_config, ec);
  o["resourcesVpcConfig"] = ec ? json::value(json::object{}) : vpc;
  o["kubernetesNetworkConfig"] = json::object{{"serviceIpv4Cidr", "10.100.0.0/16"}, {"ipFamily", "ipv4"}};
  o["logging"] = json::object{{"clusterLogging", json::array{}}};
  o["status"] = cl.status;
  if (active) o["certificateAuthority"] = json::object{{"data", crypto::base64_encode(cl.ca_pem)}};
  o["platformVersion"] = "orchestera.1";
  o["tags"] = tags_json(cl.tags);
  o["accessConfig"] = json::object{{"authenticationMode", cl.authentication_mode}};
  o["id"] = cl.id;
  return o;
}

json::object render(const identity::Cluster& cl, const identity::AccessEntry& e) {
  return {{"clusterName", cl.name},        {"principalArn", e.principal_arn},
          {"kubernetesGroups", json::value_from(e.groups)},
          {"accessEntryArn", identity::access_entry_arn(cl, e)},
          {"createdAt", e.created},        {"modifiedAt", e.modified},
          {"tags", tags_json(e.tags)},     {"username", e.username},
          {"type", e.type}};
}

json::object render(const identity::AssociatedAccessPolicy& p) {
  json::object scope{{"type", p.scope.type}, {"namespaces", json::value_from(p.scope.namespaces)}};
  return {{"policyArn", p.policy_arn}, {"accessScope", std::move(scope)}, {"associatedAt", p.associated},
          {"modifiedAt", p.modified}};
}

json::value create_cluster(Call& c) {
  std::string name = string_member(c.body, "name", true);
  if (!identity::valid_cluster_name(name))
    throw invalid_parameter("The cluster name must satisfy the regular expression pattern: ^[0-9A-Za-z][A-Za-z0-9\\-_]*, "
                            "and be at most 100 characters.");
  std::string role_arn = string_member(c.body, "roleArn", true);
  const auto* vpc = c.body.if_contains("resourcesVpcConfig");
  if (!vpc || !vpc->is_object()) throw invalid_parameter("resourcesVpcConfig is required.");
  std::string mode = "API_AND_CONFIG_MAP";
  bool creator_admin = true;
  if (const auto* ac = c.body.if_contains("accessConfig"); ac && ac->is_object()) {
    if (const auto* m = ac->as_object().if_contains("authenticationMode"); m && m->is_string()) {
      mode = std::string(m->as_string());
      if (mode != "API" && mode != "API_AND_CONFIG_MAP" && mode != "CONFIG_MAP")
        throw invalid_parameter("Unsupported authenticationMode: " + mode);
      if (mode == "CONFIG_MAP")
        throw invalid_parameter("Orchestera authenticates through access entries: use API or API_AND_CONFIG_MAP.");
    }
    if (const auto* b = ac->as_object().if_contains("bootstrapClusterCreatorAdminPermissions"); b && b->is_bool())
      creator_admin = b->as_bool();
  }
  std::string version = string_member(c.body, "version", false);
  if (!version.empty() && version != "1.32")
    throw invalid_parameter("unsupported Kubernetes version " + version + "; this Orchestera serves 1.32");
  return c.dir.write([&](identity::Txn& t) -> json::value {
    const auto& a = account_of(t.state(), c);
    if (a.clusters.count(name)) throw in_use("Cluster already exists with name: " + name);  // DELETING too
    identity::Cluster cl;
    cl.account = c.caller.account;
    cl.name = name;
    cl.id = identity::lower(ids::uuid4());
    cl.region = c.region;
    cl.role_arn = role_arn;
    cl.authentication_mode = mode;
    cl.vpc_config = json::serialize(*vpc);
    cl.created = c.now;
    cl.tags = tags_of(c.body);
    // The creator administers the cluster, as EKS does by default. A role session is known to
    // EKS by its role.
    if (creator_admin) {
      std::string creator = c.caller.kind == identity::Caller::Kind::RoleSession ? c.caller.role_arn : c.caller.arn;
      identity::AccessEntry e = identity::new_access_entry(t.state(), creator, c.now);
      e.policies.push_back({identity::kClusterAdminPolicy, {"cluster", {}}, c.now, c.now});
      cl.access_entries.push_back(std::move(e));
    }
    identity::provision_platform_defaults(t, cl, c.now);
    t.put(cl);
    return json::object{{"cluster", render(cl)}};
  });
}

json::value describe_cluster(Call& c) {
  return c.dir.read([&](const State& s) -> json::value {
    return json::object{{"cluster", render(*cluster(s, c, c.path.at("name")))}};
  });
}

json::value list_clusters(Call& c) {
  return c.dir.read([&](const State& s) -> json::value {
    json::array names;
    for (const auto& [name, cl] : account_of(s, c).clusters) names.push_back(json::value(name));
    return json::object{{"clusters", std::move(names)}};
  });
}

// The cluster stops being served at once; the cluster plane then deletes its Kubernetes objects
// and finally the record (DescribeCluster shows DELETING until then, as EKS does).
json::value delete_cluster(Call& c) {
  return c.dir.write([&](identity::Txn& t) -> json::value {
    identity::Cluster cl = *cluster(t.state(), c, c.path.at("name"));
    if (cl.status == "DELETING") throw in_use("Cluster " + cl.name + " is already being deleted.");
    cl.status = "DELETING";
    t.put(cl);
    return json::object{{"cluster", render(cl)}};
  });
}

// Access entries ----------------------------------------------------------------------------

const identity::AccessEntry& entry(const identity::Cluster& cl, const std::string& principal) {
  const identity::AccessEntry* e = cl.entry(principal);
  if (!e) throw not_found("The specified access entry resource could not be found.");
  return *e;
}

identity::AccessEntry& entry(identity::Cluster& cl, const std::string& principal) {
  for (auto& e : cl.access_entries)
    if (e.principal_arn == principal) return e;
  throw not_found("The specified access entry resource could not be found.");
}

std::vector<std::string> groups_of(const json::object& body) {
  std::vector<std::string> out;
  if (const auto* g = body.if_contains("kubernetesGroups"); g && g->is_array())
    for (const auto& v : g->as_array()) {
      if (!v.is_string() || v.as_string().empty() || v.as_string().starts_with("system:"))
        throw invalid_parameter("kubernetesGroups must be non-empty names that do not start with system:.");
      out.emplace_back(v.as_string());
    }
  return out;
}

json::value create_access_entry(Call& c) {
  std::string principal = string_member(c.body, "principalArn", true);
  std::string type = string_member(c.body, "type", false);
  if (!type.empty() && type != "STANDARD")
    throw invalid_parameter("Only STANDARD access entries are supported: Orchestera manages node identities itself.");
  auto groups = groups_of(c.body);
  std::string username = string_member(c.body, "username", false);
  if (username.starts_with("system:")) throw invalid_parameter("username must not start with system:.");
  return c.dir.write([&](identity::Txn& t) -> json::value {
    identity::Cluster cl = *cluster(t.state(), c, c.path.at("name"));
    if (cl.entry(principal)) throw in_use("The specified access entry resource is already in use on this cluster.");
    if (!identity::principal_exists(t.state(), principal))
      throw invalid_parameter("The specified principalArn is invalid: invalid principal.");
    identity::AccessEntry e = identity::new_access_entry(t.state(), principal, c.now);
    e.groups = groups;
    if (!username.empty()) e.username = username;
    e.tags = tags_of(c.body);
    cl.access_entries.push_back(e);
    t.put(cl);
    return json::object{{"accessEntry", render(cl, e)}};
  });
}

json::value describe_access_entry(Call& c) {
  return c.dir.read([&](const State& s) -> json::value {
    auto cl = cluster(s, c, c.path.at("name"));
    return json::object{{"accessEntry", render(*cl, entry(*cl, c.path.at("principalArn")))}};
  });
}

json::value update_access_entry(Call& c) {
  return c.dir.write([&](identity::Txn& t) -> json::value {
    identity::Cluster cl = *cluster(t.state(), c, c.path.at("name"));
    identity::AccessEntry& e = entry(cl, c.path.at("principalArn"));
    if (c.body.contains("kubernetesGroups")) e.groups = groups_of(c.body);
    if (std::string u = string_member(c.body, "username", false); !u.empty()) {
      if (u.starts_with("system:")) throw invalid_parameter("username must not start with system:.");
      e.username = u;
    }
    e.modified = c.now;
    identity::AccessEntry copy = e;
    t.put(cl);
    return json::object{{"accessEntry", render(cl, copy)}};
  });
}

json::value delete_access_entry(Call& c) {
  c.dir.write([&](identity::Txn& t) {
    identity::Cluster cl = *cluster(t.state(), c, c.path.at("name"));
    entry(cl, c.path.at("principalArn"));
    std::erase_if(cl.access_entries, [&](const identity::AccessEntry& e) { return e.principal_arn == c.path.at("principalArn"); });
    t.put(cl);
  });
  return json::object{};
}

json::value list_access_entries(Call& c) {
  auto filter = c.params.optional("associatedPolicyArn", Rule{});
  return c.dir.read([&](const State& s) -> json::value {
    json::array out;
    for (const auto& e : cluster(s, c, c.path.at("name"))->access_entries) {
      bool has = !filter || std::any_of(e.policies.begin(), e.policies.end(),
                                        [&](const auto& p) { return p.policy_arn == *filter; });
      if (has) out.push_back(json::value(e.principal_arn));
    }
    return json::object{{"accessEntries", std::move(out)}};
  });
}

json::value associate_access_policy(Call& c) {
  std::string policy_arn = string_member(c.body, "policyArn", true);
  if (!identity::access_policy_name(policy_arn)) throw not_found("The specified policyArn could not be found.");
  const auto* scope = c.body.if_contains("accessScope");
  if (!scope || !scope->is_object()) throw invalid_parameter("accessScope is required.");
  identity::AccessScope sc;
  sc.type = string_member(scope->as_object(), "type", true);
  if (sc.type != "cluster" && sc.type != "namespace") throw invalid_parameter("accessScope.type must be cluster or namespace.");
  if (const auto* ns = scope->as_object().if_contains("namespaces"); ns && ns->is_array())
    for (const auto& v : ns->as_array()) {
      // A namespace name, or a prefix with one trailing '*' (as EKS accepts them).
      std::string name = v.is_string() ? std::string(v.as_string()) : "";
      std::string stem = name.ends_with('*') ? name.substr(0, name.size() - 1) : name;
      bool ok = !name.empty() && stem.size() <= 63 && stem.find('*') == std::string::npos &&
                std::all_of(stem.begin(), stem.end(), [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'; });
      if (!ok) throw invalid_parameter("accessScope.namespaces: '" + name + "' is not a namespace name or a prefix ending in *.");
      sc.namespaces.push_back(name);
    }
  if (sc.type == "namespace" && sc.namespaces.empty())
    throw invalid_parameter("accessScope.namespaces is required when the scope type is namespace.");
  if (sc.type == "cluster" && !sc.namespaces.empty())
    throw invalid_parameter("accessScope.namespaces must be empty when the scope type is cluster.");
  return c.dir.write([&](identity::Txn& t) -> json::value {
    identity::Cluster cl = *cluster(t.state(), c, c.path.at("name"));
    identity::AccessEntry& e = entry(cl, c.path.at("principalArn"));
    identity::AssociatedAccessPolicy* existing = nullptr;
    for (auto& p : e.policies)
      if (p.policy_arn == policy_arn) existing = &p;
    if (existing) {  // re-associating replaces the scope, as EKS does
      existing->scope = sc;
      existing->modified = c.now;
    } else {
      e.policies.push_back({policy_arn, sc, c.now, c.now});
    }
    identity::AssociatedAccessPolicy result = existing ? *existing : e.policies.back();
    std::string principal = e.principal_arn;
    t.put(cl);
    return json::object{{"clusterName", cl.name}, {"principalArn", principal}, {"associatedAccessPolicy", render(result)}};
  });
}

json::value disassociate_access_policy(Call& c) {
  c.dir.write([&](identity::Txn& t) {
    identity::Cluster cl = *cluster(t.state(), c, c.path.at("name"));
    identity::AccessEntry& e = entry(cl, c.path.at("principalArn"));
    auto removed = std::erase_if(e.policies, [&](const auto& p) { return p.policy_arn == c.path.at("policyArn"); });
    if (!removed) throw not_found("The specified policyArn is not associated with this access entry.");
    t.put(cl);
  });
  return json::object{};
}

json::value list_associated_access_policies(Call& c) {
  return c.dir.read([&](const State& s) -> json::value {
    auto cl = cluster(s, c, c.path.at("name"));
    const auto& e = entry(*cl, c.path.at("principalArn"));
    json::array out;
    for (const auto& p : e.policies) out.push_back(render(p));
    return json::object{{"clusterName", cl->name}, {"principalArn", e.principal_arn}, {"associatedAccessPolicies", std::move(out)}};
  });
}

json::value list_access_policies(Call&) {
  json::array out;
  for (const auto& name : identity::access_policy_names())
    out.push_back(json::object{{"name", name}, {"arn", "arn:aws:eks::aws:cluster-access-policy/" + name}});
  return json::object{{"accessPolicies", std::move(out)}};
}

Operation rest(const char* name, const char* method, const char* path,
               std::function<Authz(const Call&, const State&)> authz, std::function<json::value(Call&)> handler) {
  Operation op{"eks", name, std::move(authz), std::move(handler)};
  op.rest_method = method;
  op.rest_path = path;
  return op;
}

}  // namespace

void register_eks(Registry& r) {
  r.add(rest("CreateCluster", "POST", "/clusters", on_cluster_create, create_cluster));
  r.add(rest("ListClusters", "GET", "/clusters", nullptr, list_clusters));
  r.add(rest("DescribeCluster", "GET", "/clusters/{name}", on_cluster, describe_cluster));
  r.add(rest("DeleteCluster", "DELETE", "/clusters/{name}", on_cluster, delete_cluster));
  r.add(rest("CreateAccessEntry", "POST", "/clusters/{name}/access-entries", on_cluster, create_access_entry));
  r.add(rest("ListAccessEntries", "GET", "/clusters/{name}/access-entries", on_cluster, list_access_entries));
  r.add(rest("DescribeAccessEntry", "GET", "/clusters/{name}/access-entries/{principalArn}", on_cluster, describe_access_entry));
  r.add(rest("UpdateAccessEntry", "POST", "/clusters/{name}/access-entries/{principalArn}", on_cluster, update_access_entry));
  r.add(rest("DeleteAccessEntry", "DELETE", "/clusters/{name}/access-entries/{principalArn}", on_cluster, delete_access_entry));
  r.add(rest("AssociateAccessPolicy", "POST", "/clusters/{name}/access-entries/{principalArn}/access-policies", on_cluster,
             associate_access_policy));
  r.add(rest("ListAssociatedAccessPolicies", "GET", "/clusters/{name}/access-entries/{principalArn}/access-policies",
             on_cluster, list_associated_access_policies));
  r.add(rest("DisassociateAccessPolicy", "DELETE",
             "/clusters/{name}/access-entries/{principalArn}/access-policies/{policyArn}", on_cluster,
             disassociate_access_policy));
  r.add(rest("ListAccessPolicies", "GET", "/access-policies", nullptr, list_access_policies));
}

}  // namespace orch::aws
