// How an AWS operation is declared: which service and name it answers to, what it asks the
// policy engine (action, resource ARN, condition keys, a resource policy), and a handler that
// returns its result as a JSON tree. The gateway renders that tree in the protocol the client
// speaks (Query XML, or JSON), so a new action is one Operation plus its test.
#pragma once
#include <boost/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/error.h"
#include "aws/protocol/params.h"
#include "base/http/server.h"
#include "identity/directory.h"
#include "identity/principals.h"
#include "identity/usage.h"
#include "policy/policy.h"

namespace orch::aws {

struct Call {
  const http::Request& http;
  const Params& params;                     // Query input, or a REST call's query string
  const std::map<std::string, std::string>& path;  // REST path parameters ({name} -> value)
  const boost::json::object& body;          // JSON protocol input (empty for Query calls)
  const identity::Caller& caller;
  identity::Directory& dir;
  identity::Usage& usage;
  std::string request_id;
  int64_t now = 0;
  std::string region;
  // The unique id of the entity whose resource policy was evaluated (Authz::resource_id), so
  // the handler acts on that very entity and not on a namesake created since.
  std::string authorized_id = {};
};

// What an operation asks the policy engine before its handler runs.
struct Authz {
  Authz() = default;
  explicit Authz(std::string r) : resource(std::move(r)) {}
  std::string resource = "*";
  std::vector<std::pair<std::string, std::vector<std::string>>> context;  // operation's condition keys
  std::optional<policy::PolicyRef> resource_policy;
  std::string resource_id;  // the unique id of the entity that resource policy belongs to
  // Further checks the same request must pass: an action on the same resource (with its
  // resource policy), e.g. sts:TagSession when tags are passed, or an action on another
  // resource of the caller's account (identity policies only), e.g. iam:PassRole on a role.
  struct Also {
    std::string action;
    std::string resource;  // empty: the same resource
  };
  std::vector<Also> also;
  bool cross_account = false;
  bool resource_must_allow = false;
};

struct Operation {
  std::string service;  // iam | sts | organizations
  std::string name;     // the Action (Query) or the X-Amz-Target operation (JSON)
  // nullptr: resource "*" and no extra keys. Runs under the directory's read lock.
  std::function<Authz(const Call&, const identity::State&)> authz;
  // Returns the Result members (Query; null for operations without output) or the body (JSON).
  std::function<boost::json::value(Call&)> handler;
  bool authorize = true;  // false only for calls AWS never denies (GetCallerIdentity)
  // REST-JSON operations (EKS) are found by method and path template ("/clusters/{name}").
  std::string rest_method = {};
  std::string rest_path = {};
};

struct RestMatch {
  const Operation* op = nullptr;
  std::map<std::string, std::string> path;
};

class Registry {
 public:
  void add(Operation op);
  const Operation* find(std::string_view service, std::string_view name) const;
  // The REST operation whose template matches; path parameters percent-decoded.
  RestMatch match(std::string_view method, std::string_view path) const;

 private:
  std::map<std::pair<std::string, std::string>, Operation, std::less<>> ops_;
};

// Each service's operations, defined in its folder.
void register_iam(Registry& r);
void register_sts(Registry& r);
void register_organizations(Registry& r);
void register_eks(Registry& r);

// A map member of a result (rendered <entry><key/><value/></entry> in XML).
boost::json::value map_value(boost::json::object entries);

}  // namespace orch::aws
