// STS hostname rules. The AWS side follows aws-iam-authenticator pkg/token/token.go
// (verifyHost / verifySTSHostnameFormat / getStsRegion) and pkg/endpoints (partition domains),
// as summarised in ../shared/docs/eks-authentication.md §1.3 step 6. The authenticator asks the
// AWS SDK v2 STS endpoint resolver which hosts a region has; the resolver's partition table
// (region patterns, DNS suffixes) and STS rules are restated here as data.
#include "kube/authn/sts_hosts.h"

#include <array>
#include <vector>

namespace orch::kube::authn {

namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

struct Partition {
  std::string_view id;
  std::string_view domain;     // STS DNS suffix
  std::string_view dualstack;  // dual-stack suffix; empty where the authenticator knows none
  // Region pattern "^<prefix>-\w+-\d+$" of the SDK's partition table, with one of these prefixes.
  std::array<std::string_view, 9> prefixes;
};

// Order matters: the SDK tries partitions in this order and falls back to "aws" for a region no
// pattern matches, which is why any sts.<label>.amazonaws.com passes in the aws partition (a
// weakness the authenticator's own tests document). Every partition is treated as FIPS-capable;
// dual-stack only where pkg/endpoints names a dual-stack domain.
constexpr Partition kPartitions[] = {
    {"aws", "amazonaws.com", "api.aws", {"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"}},
    {"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", {"cn"}},
    {"aws-us-gov", "amazonaws.com", "api.aws", {"us-gov"}},
    {"aws-iso", "c2s.ic.gov", "", {"us-iso"}},
    {"aws-iso-b", "sc2s.sgov.gov", "", {"us-isob"}},
    {"aws-iso-e", "cloud.adc-e.uk", "", {"eu-isoe"}},
    {"aws-iso-f", "csp.hci.ic.gov", "", {"us-isof"}},
    {"aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", {"eusc-de"}},
};

const Partition* partition_by_id(std::string_view id) {
  for (const auto& p : kPartitions)
    if (p.id == id) return &p;
  return nullptr;
}

// "<prefix>-<word>-<digits>" where word is \w+ (letters, digits, underscore; no '-').
bool matches_region_pattern(std::string_view region, std::string_view prefix) {
  if (prefix.empty() || !region.starts_with(prefix) || region.size() <= prefix.size() || region[prefix.size()] != '-')
    return false;
  std::string_view rest = region.substr(prefix.size() + 1);
  size_t dash = rest.find('-');
  if (dash == std::string_view::npos || dash == 0) return false;
  for (char c : rest.substr(0, dash))
    if (!is_alnum(c) && c != '_') return false;
  std::string_view num = rest.substr(dash + 1);
  if (num.empty()) return false;
  for (char c : num)
    if (!is_digit(c)) return false;
  return true;
}

const Partition& partition_of_region(std::string_view region) {
  for (const auto& p : kPartitions)
    for (std::string_view prefix : p.prefixes)
      if (matches_region_pattern(region, prefix)) return p;
  return kPartitions[0];
}

// ^[[:alnum:]]([[:alnum:]-]*[[:alnum:]])?$ — the SDK v1 region syntax the authenticator kept.
bool valid_region_label(std::string_view r) {
  if (r.empty() || !is_alnum(r.front()) || !is_alnum(r.back())) return false;
  for (char c : r)
    if (!is_alnum(c) && c != '-') return false;
  return true;
}

// The hosts the SDK's STS resolver gives `region` for the four FIPS x dual-stack combinations.
std::vector<std::string> resolved_hosts(std::string_view region) {
  const Partition& p = partition_of_region(region);
  const std::string r(region);
  std::vector<std::string> out;
  if (!p.dualstack.empty()) {
    out.push_back("sts-fips." + r + "." + std::string(p.dualstack));
    out.push_back("sts." + r + "." + std::string(p.dualstack));
  }
  // GovCloud is FIPS by default, so its FIPS endpoint is the ordinary name.
  out.push_back(p.id == "aws-us-gov" ? "sts." + r + ".amazonaws.com" : "sts-fips." + r + "." + std::string(p.domain));
  out.push_back(region == "aws-global" ? std::string("sts.amazonaws.com") : "sts." + r + "." + std::string(p.domain));
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t i = s.find(sep);
    out.push_back(s.substr(0, i));
    if (i == std::string_view::npos) return out;
    s.remove_prefix(i + 1);
  }
}

std::string q(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 200)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  if (s.size() > 200) out += "...";
  return out + "\"";
}

}  // namespace

std::optional<std::string> signed_host(std::string_view authority) {
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    for (char c : authority.substr(1, close - 1))
      if (!is_alnum(c) && c != ':' && c != '.') return std::nullopt;
    host = authority.substr(0, close + 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (host.empty()) return std::nullopt;
    for (char c : host)
      if (!is_alnum(c) && c != '-' && c != '.' && c != '_') return std::nullopt;
  }
  if (port.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : port) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  std::string out;
  out.reserve(authority.size());
  for (char c : host) out += to_lower(c);
  // An empty port ("host:") is no port at all, as both botocore and Go read it.
  if (!port.empty() && value != 443) out += ":" + std::to_string(value);
  return out;
}

std::optional<std::string> endpoint_host(std::string_view endpoint_url) {
  constexpr std::string_view kScheme = "https://";
  if (endpoint_url.size() < kScheme.size() || !iequals(endpoint_url.substr(0, kScheme.size()), kScheme))
    return std::nullopt;
  std::string_view rest = endpoint_url.substr(kScheme.size());
  return signed_host(rest.substr(0, rest.find_first_of("/?#")));
}

std::optional<std::string> check_aws_sts_host(std::string_view host, std::string_view partition_id,
                                              std::string_view region) {
  const std::string unexpected = "unexpected hostname " + q(host) + " in pre-signed URL";
  const Partition* verifier = partition_by_id(partition_id);
  if (!verifier) return unexpected;  // real STS hosts are not accepted at all

  // getStsRegion: the global endpoint, else the second label.
  if (host.empty()) return "could not parse region for pre-signed URL " + q(host) + ", host is empty";
  const std::vector<std::string_view> labels = split(host, '.');
  if (labels.size() < 3)
    return "could not parse region for pre-signed URL " + q(host) + ", invalid host format: " + q(host);
  if (host == "sts.amazonaws.com") {
    if (verifier->id == "aws") return std::nullopt;
    return "global endpoint unsupported in partition " + std::string(verifier->id);
  }
  const std::string_view host_region = labels[1];
  if (!valid_region_label(host_region)) return "invalid region identifier format provided: " + q(host_region);

  bool resolved = false;
  for (const std::string& h : resolved_hosts(host_region)) resolved = resolved || h == host;
  if (!resolved) {
    // Regions the SDK does not know yet: the verifier's own region under its partition's names.
    const std::string r(region);
    if (host == "sts." + r + "." + std::string(verifier->domain)) return std::nullopt;
    if (!verifier->dualstack.empty() && host == "sts." + r + "." + std::string(verifier->dualstack))
      return std::nullopt;
    return unexpected;
  }
  // A resolvable host must still belong to the verifier's partition.
  if (labels.size() < 4) return "invalid host format, too few labels: " + q(host);
  const std::string_view domain = host.substr(labels[0].size() + labels[1].size() + 2);
  if (domain == verifier->domain || (!verifier->dualstack.empty() && domain == verifier->dualstack))
    return std::nullopt;
  return "partition {" + std::string(verifier->id) + "} does not support hostname " + std::string(host);
}

}  // namespace orch::kube::authn
