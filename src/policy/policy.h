// IAM policy documents: parsing/validation with AWS's MalformedPolicyDocument messages, and the
// evaluation logic (explicit deny > allow > implicit deny; identity, boundary, session and
// resource policies; conditions; policy variables). Pure logic: no I/O.
// Reference: ../shared/docs/iam-and-sts.md §4.2 and §5.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace orch::policy {

// Identity, Boundary and Session documents share one grammar (Resource required, no Principal);
// Trust is a role's resource policy (Principal required, no Resource).
enum class DocKind { Identity, Boundary, Session, Trust };

class Policy;  // a parsed, validated document (immutable, shareable across threads)

struct ParseError {
  std::string message;  // AWS wording, e.g. "Syntax errors in policy."
};

std::variant<std::shared_ptr<const Policy>, ParseError> parse(std::string_view text, DocKind kind);

// Size as IAM quotas count it: the document without whitespace outside strings.
size_t size_without_whitespace(std::string_view text);

// AWS principal values (ARNs or account ids) named in a trust document's Principal/NotPrincipal
// "AWS" entries, for the caller to check that they exist (Invalid principal in policy).
std::vector<std::string> aws_principals(const Policy& p);

// Condition keys, case-insensitive names; each key has one or more values. A key set with no
// values counts as absent. Values are text: numbers and dates as written, booleans "true" /
// "false", binary values (BinaryEquals) base64-encoded.
class Context {
 public:
  void set(std::string_view key, std::string value);
  void set_multi(std::string_view key, std::vector<std::string> values);
  const std::vector<std::string>* find(std::string_view key) const;  // nullptr if absent
  // The same lookup for a key already in lowercase (policies store their keys that way), so
  // evaluation needs no copy of the key.
  const std::vector<std::string>* find_lower(std::string_view lowercase_key) const;

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;  // lowercase key
};

// Who is calling, for Principal matching in resource (trust) policies.
struct Principal {
  enum class Type { User, AssumedRole, Account };
  Type type = Type::User;
  std::string account;    // 12 digits
  std::string arn;        // user ARN, assumed-role session ARN, or arn:aws:iam::A:root
  std::string role_arn;   // sessions only: the role's ARN with path (aws:PrincipalArn)
  std::string unique_id;  // AIDA... for users, AROA... (role id) for sessions
};

struct Request {
  std::string action;    // service:Action
  std::string resource;  // ARN or "*"
  Principal principal;
  Context context;
};

struct PolicyRef {
  std::string id;    // policy name (inline) or ARN (managed); used in explanations
  std::string type;  // user|group|role|aws-managed|user-managed|resource|session|boundary
  std::shared_ptr<const Policy> policy;
};

struct MatchedStatement {
  std::string policy_id;
  std::string policy_type;
  std::string sid;   // empty if the statement has none
  size_t index = 0;  // position of the statement in its policy, from 0
};

struct Decision {
  enum class Effect { Allow, ExplicitDeny, ImplicitDeny };
  Effect effect = Effect::ImplicitDeny;
  // The AccessDenied suffix in AWS's words (empty when allowed), e.g.
  //   "because no identity-based policy allows the iam:ListUsers action"
  //   "with an explicit deny in an identity-based policy: arn:aws:iam::...:policy/X"
  //   "because no permissions boundary allows the iam:ListUsers action"
  //   "because no session policy allows ..." / "because no resource-based policy allows ..."
  std::string reason;
  std::vector<MatchedStatement> matched;  // the deny statements, or the allow statements
  bool allowed() const { return effect == Effect::Allow; }
};

struct EvalInput {
  std::vector<PolicyRef> identity;                 // user + groups, or the role's policies
  std::optional<PolicyRef> boundary;               // permissions boundary, if set
  std::optional<std::vector<PolicyRef>> session;   // set only for sessions created with policies
  std::optional<PolicyRef> resource;               // e.g. the role trust policy
  // The resource belongs to another account than the principal: both sides must allow.
  bool cross_account = false;
  // The resource policy must allow on its own (trust policies: an identity allow is not enough).
  bool resource_must_allow = false;
  // The principal is the account root user: allowed everything in its own account.
  bool is_root = false;
};

// Decides per reference §5.1 and §4.2 (how a trust policy's Principal matched — directly, via
// the session's role, or only via the account — changes what else must allow).
Decision evaluate(const EvalInput& in, const Request& req);

}  // namespace orch::policy
