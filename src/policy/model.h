// The compiled form of a policy document: what parse() produces and evaluate() walks. Everything
// a request needs is precomputed here (lowercased actions, operator kinds, parsed CIDRs and
// dates, variable templates), so evaluation does no parsing and, without variables, allocates
// nothing. Immutable after parse(), hence safe to share between threads.
#pragma once
#include <string>
#include <vector>

#include "policy/conditions.h"
#include "policy/policy.h"
#include "policy/variables.h"

namespace orch::policy {

struct ResourcePattern {
  std::string text;        // as written; wildcards active unless has_vars
  bool has_vars = false;   // ${...} in the resource part under Version 2012-10-17
  Template tmpl;
};

// Principal / NotPrincipal of a resource (trust) statement.
struct PrincipalSet {
  bool everyone = false;            // "*" or {"AWS":"*"}
  std::vector<std::string> aws;     // account ids, ARNs, unique ids; "*" excluded
  std::vector<std::string> others;  // Service / Federated / CanonicalUser: never an IAM caller
};

struct Statement {
  std::string sid;
  bool deny = false;
  bool not_action = false;
  std::vector<std::string> actions;  // lowercased; matched case-insensitively
  bool has_resource = false;         // false in trust statements: any resource
  bool not_resource = false;
  std::vector<ResourcePattern> resources;
  bool has_principal = false;
  bool not_principal = false;
  PrincipalSet principal;
  std::vector<Condition> conditions;
};

class Policy {
 public:
  DocKind kind = DocKind::Identity;
  bool variables = false;  // Version 2012-10-17: ${...} is substituted
  std::string version;     // as written, or empty when absent
  std::string id;
  std::vector<Statement> statements;
  std::vector<std::string> aws_principals;  // see aws_principals() in policy.h
};

}  // namespace orch::policy
