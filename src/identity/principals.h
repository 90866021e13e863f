// Who is calling: resolving an access key (long-term AKIA… or temporary ASIA… with its session
// token) to a Caller, and gathering the policies that govern that caller. Temporary credentials
// are self-describing: the session token is an AES-GCM box holding the session's claims, so
// sessions survive restarts without being stored, and a session dies with its role or user.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "identity/directory.h"
#include "policy/policy.h"

namespace orch::identity {

struct Caller {
  enum class Kind { User, RoleSession, UserSession };
  Kind kind = Kind::User;
  std::string account;
  std::string arn;     // user ARN or arn:aws:sts::A:assumed-role/ROLE/SESSION
  std::string userid;  // aws:userid: AIDA… or AROA…:SESSION
  std::string user_id, user_name;                 // users and user sessions
  std::string role_id, role_name, role_arn;       // role sessions
  std::string session_name;
  std::string access_key_id;
  int64_t issued = 0, expires = 0;                // temporary credentials only
  std::optional<std::string> session_policy;      // inline session policy, as given
  std::vector<std::string> session_policy_arns;
  std::vector<Tag> tags;                          // principal tags (aws:PrincipalTag/*)

  bool temporary() const { return kind != Kind::User; }
  policy::Principal principal() const;
};

// What a session token carries, sealed.
struct SessionClaims {
  std::string kind;  // "role" or "user"
  std::string account, access_key_id, secret;
  std::string subject_id;  // role id or user id
  std::string session_name;
  int64_t issued = 0, expires = 0;
  std::optional<std::string> policy;
  std::vector<std::string> policy_arns;
  std::vector<Tag> tags;  // session tags: aws:PrincipalTag/*, winning over the role's own tags
};
BOOST_DESCRIBE_STRUCT(SessionClaims, (), (kind, account, access_key_id, secret, subject_id, session_name,
                                          issued, expires, policy, policy_arns, tags))

std::string seal_session(const crypto::SecretBox& box, const SessionClaims& claims);
std::optional<SessionClaims> open_session(const crypto::SecretBox& box, std::string_view token);

// A credential problem, as AWS names it: InvalidClientTokenId or ExpiredToken.
struct CredentialError {
  std::string code;
  std::string message;
};

struct Resolved {
  Caller caller;
  std::string secret;
};

std::variant<Resolved, CredentialError> resolve(const State& state, const crypto::SecretBox& box,
                                                std::string_view access_key_id,
                                                const std::optional<std::string>& session_token, int64_t now);

// The identity-side policies of a caller: user + its groups (inline and managed), or the role's;
// its permissions boundary; the session policies of a session made with them.
// Throws policy::ParseError-free: session policies were validated when the session was made.
policy::EvalInput identity_policies(const State& state, const Caller& caller);

}  // namespace orch::identity
