// EKS-style bearer tokens: "k8s-aws-v1." + unpadded base64url of a presigned STS
// GetCallerIdentity URL, as `aws eks get-token` prints them. Real EKS checks the token's form in
// aws-iam-authenticator and then replays the URL against STS; Orchestera is its own STS, so both
// halves happen here without any network call: first the authenticator's format rules, in its
// order (../shared/docs/eks-authentication.md §1.3), then the SigV4 check and credential lookup
// the AWS plane does (src/aws/gateway.cpp), with the server's cluster name as the value of the
// signed x-k8s-aws-id header. The result is the identity STS would report, plus the derived
// names of §2.1 (canonical ARN, principal id, session name).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/crypto.h"
#include "identity/directory.h"
#include "identity/principals.h"

namespace orch::kube::authn {

struct TokenIdentity {
  std::string account;
  std::string arn;            // as STS GetCallerIdentity returns it (assumed-role ARN for role sessions)
  std::string canonical_arn;  // arn:aws:iam::A:role/NAME for role sessions (path dropped, as the
                              // authenticator does), else the user ARN (path kept)
  std::string user_id;        // principal id without the session: AIDA... or AROA...
  std::string session_name;   // role sessions only; empty for users and GetSessionToken sessions
  std::string access_key_id;  // from X-Amz-Credential (AKIA... or ASIA...)
  identity::Caller caller;
};

struct TokenError {
  std::string reason;  // specific, for logs; never contains the token, a signature or a secret
};

// Which hosts a token's URL may name (sts_hosts.h has the rules).
struct TokenPolicy {
  // This Orchestera's own STS endpoint, host[:port] as a client's endpoint_url names it, e.g.
  // "127.0.0.1:9443" for endpoint_url=https://127.0.0.1:9443. Compared in the form botocore signs
  // (lowercase, :443 dropped); endpoint_host() converts a URL.
  std::vector<std::string> own_hosts;
  // Real AWS STS hostnames are accepted as aws-iam-authenticator accepts them for this partition
  // and region (sts.amazonaws.com, sts.<region>.amazonaws.com, FIPS and dual-stack names, ...).
  // An empty partition accepts none.
  std::string partition = "aws";
  std::string region = "us-east-1";
};

// Checks a bearer token for `cluster_name` at time `now` (epoch seconds). `state` must be read
// under the Directory's lock (Directory::read). Never touches the network.
std::variant<TokenIdentity, TokenError> verify_eks_token(std::string_view bearer_token, std::string_view cluster_name,
                                                         const TokenPolicy& policy, const identity::State& state,
                                                         const crypto::SecretBox& box, int64_t now);

}  // namespace orch::kube::authn
