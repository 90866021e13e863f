// One entry of the audit trail: who (the IAM principal and, on a cluster, the Kubernetes user
// it maps to), did what to what, and whether it was allowed — with the reason (the policy
// statement or RBAC binding that decided). Never a request body, a secret or a token.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orch::audit {

struct Event {
  int64_t time_ms = 0;  // UTC milliseconds since the epoch
  std::string plane;    // "aws" or "kubernetes"
  std::string account;
  std::string principal_arn;  // the IAM identity (user ARN, or assumed-role session ARN)
  std::string access_key_id;
  std::string session_name;
  std::string cluster;     // kubernetes: the cluster's name
  std::string kube_user;   // kubernetes: the user the identity maps to
  std::vector<std::string> kube_groups;
  std::string action;      // aws: "iam:CreateUser"; kubernetes: the verb ("create", "delete", ...)
  std::string resource;    // aws: the ARN authorized against; kubernetes: the request path
  std::string decision;    // "allow" or "deny"
  std::string reason;
  int status = 0;          // the HTTP status answered
  std::string request_id, source_ip, user_agent;
};

// One JSON object, no newline. The reverse returns nullopt for a line that is not one.
std::string to_json(const Event& e);
std::optional<Event> from_json(std::string_view line);

// What `orchestera audit` filters by; empty fields match everything.
struct Filter {
  // (Default initializers keep designated initializers free of missing-field warnings.)
  std::string principal = {};  // a substring of the principal ARN, access key id or Kubernetes user
  std::string decision = {};   // "allow" or "deny"
  std::string plane = {};
  std::string cluster = {};
  int64_t since_ms = 0, until_ms = 0;  // until 0: no upper bound
};
bool matches(const Event& e, const Filter& f);

}  // namespace orch::audit
