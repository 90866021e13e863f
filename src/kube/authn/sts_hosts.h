// Which hosts an EKS token's presigned URL may name. Two kinds are accepted:
//  - this Orchestera's own STS endpoint, compared in the form botocore signs (see signed_host);
//  - real AWS STS hostnames, judged the way aws-iam-authenticator's verifyHost judges them
//    (../shared/docs/eks-authentication.md §1.3 step 6), so a token a client minted without an
//    endpoint override still works when its keys are ours.
// Pure functions; no DNS, no network.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace orch::kube::authn {

// The Host header value botocore signs for a URL authority ("host[:port]"), observed with
// aws-cli 1.45.11: the hostname lowercased and the port kept unless it is https's default 443
// (endpoint_url=https://Orch.Example:443 puts "Orch.Example:443" in the URL but signs
// "host:orch.example"). nullopt when the authority is not a plain host[:port] (user info,
// characters outside a hostname, a non-numeric port).
std::optional<std::string> signed_host(std::string_view authority);

// The signed host of an https endpoint URL such as "https://127.0.0.1:9443" (what a profile's
// endpoint_url holds), for TokenPolicy::own_hosts. nullopt if it is not an https URL with a host.
std::optional<std::string> endpoint_host(std::string_view endpoint_url);

// Whether `host` (the URL authority exactly as written) is an STS hostname aws-iam-authenticator
// accepts for a verifier in `partition` (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e,
// aws-iso-f, aws-eusc) and `region`. nullopt = accepted; otherwise the reason, in the
// authenticator's words.
std::optional<std::string> check_aws_sts_host(std::string_view host, std::string_view partition,
                                              std::string_view region);

}  // namespace orch::kube::authn
