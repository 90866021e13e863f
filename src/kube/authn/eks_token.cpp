// Token verification. The format rules and their order are aws-iam-authenticator's
// (pkg/token/token.go, tokenVerifier.Verify; ../shared/docs/eks-authentication.md §1.3, with its
// wording in the reasons); what STS would then decide is done with the same sigv4 and identity
// calls as the AWS plane's gateway, so a token is valid here exactly when STS GetCallerIdentity
// on this server would accept the URL it carries.
#include "kube/authn/eks_token.h"

#include "base/clock.h"
#include "kube/authn/sts_hosts.h"
#include "sigv4/sigv4.h"

namespace orch::kube::authn {

namespace {

constexpr size_t kMaxTokenBytes = 4096;
constexpr std::string_view kPrefix = "k8s-aws-v1.";
constexpr std::string_view kClusterIdHeader = "x-k8s-aws-id";
// STS honours a presigned GetCallerIdentity URL for 15 minutes after X-Amz-Date whatever
// X-Amz-Expires says; the authenticator only checks that X-Amz-Expires is within that.
constexpr int64_t kUrlLifetime = 15 * 60;
constexpr int64_t kMaxExpires = 900;
constexpr std::string_view kStsVersion = "2011-06-15";

// The authenticator's allow-list, compared in lowercase.
constexpr std::string_view kAllowedParams[] = {
    "action",     "version",       "x-amz-algorithm",      "x-amz-credential",    "x-amz-date",
    "x-amz-expires", "x-amz-security-token", "x-amz-signature", "x-amz-signedheaders",
};

char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

// Attacker-supplied text going into a log line: quoted, non-printables escaped, bounded.
std::string quoted(std::string_view s, size_t max = 200) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  if (s.size() > max) out += "...";
  return out + "\"";
}

// Messages from the sigv4 and identity layers may echo request fields: control and non-ASCII
// bytes escaped, length bounded.
std::string printable(std::string_view s, size_t max = 400) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

TokenError format_error(std::string message) {
  return {"input token was not properly formatted: " + std::move(message)};
}
// `detail` must already be safe to log (printable() or quoted()).
TokenError sts_error(std::string_view code, std::string detail) {
  return {"sts getCallerIdentity failed: " + printable(code, 64) + ": " + std::move(detail)};
}

// ---- the URL, parsed the way Go's net/url does for what matters here ----

struct Url {
  std::string scheme;  // lowercased, as Go stores it
  std::string_view authority;
  std::string_view path;
  std::string_view raw_query;
};

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::variant<Url, TokenError> parse_url(std::string_view s) {
  // Go refuses control characters. Spaces and non-ASCII bytes it would pass on to STS, which
  // cannot accept them in a request line, so they are refused here too.
  for (size_t i = 0; i < s.size(); ++i) {
    auto u = static_cast<unsigned char>(s[i]);
    if (u <= 0x20 || u >= 0x7f)
      return format_error("parse " + quoted(s, 80) + ": invalid character at byte " + std::to_string(i) + " in URL");
  }
  // The fragment is never sent, so it is cut off and ignored, as Go does.
  s = s.substr(0, s.find('#'));

  Url url;
  // Scheme: a letter, then letters, digits, '+', '-', '.', up to ':'.
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (is_alpha(c)) continue;
    if (i > 0 && (is_digit(c) || c == '+' || c == '-' || c == '.')) continue;
    if (c == ':') {
      if (i == 0) return format_error("parse " + quoted(s, 80) + ": missing protocol scheme");
      url.scheme = lower(s.substr(0, i));
      s.remove_prefix(i + 1);
    }
    break;
  }
  size_t question = s.find('?');
  if (question != std::string_view::npos) {
    url.raw_query = s.substr(question + 1);
    s = s.substr(0, question);
  }
  if (!url.scheme.empty() && s.starts_with("//")) {
    s.remove_prefix(2);
    size_t slash = s.find('/');
    url.authority = s.substr(0, slash);
    s = slash == std::string_view::npos ? std::string_view{} : s.substr(slash);
  }
  url.path = s;
  return url;
}

// ---- the query, parsed the way Go's url.ParseQuery does ----

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Query-component unescaping: '+' is a space, '%' must be followed by two hex digits.
bool unescape(std::string_view s, std::string& out) {
  out.clear();
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= s.size()) return false;
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

struct Param {
  std::string key;
  std::vector<std::string> values;
};

// Parameters in order of first appearance, each with all its values. Any ';' or bad escape makes
// the whole query malformed (Go ≥ 1.17 semantics).
std::optional<std::vector<Param>> parse_query(std::string_view query) {
  std::vector<Param> params;
  std::string key, value;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) continue;
    if (part.find(';') != std::string_view::npos) return std::nullopt;
    size_t eq = part.find('=');
    if (!unescape(part.substr(0, eq), key)) return std::nullopt;
    if (!unescape(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), value)) return std::nullopt;
    Param* slot = nullptr;
    for (Param& p : params)
      if (p.key == key) slot = &p;
    if (!slot) slot = &params.emplace_back(Param{key, {}});
    slot->values.push_back(value);
  }
  return params;
}

// strconv.Atoi: optional sign, decimal digits, no overflow.
std::optional<int64_t> atoi(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 18) return std::nullopt;  // 18 digits always fit; more is treated as overflow
  int64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

// Explains why a token body is not unpadded base64url (the decoder only says yes or no).
std::string base64_problem(std::string_view body) {
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    bool ok = is_alpha(c) || is_digit(c) || c == '-' || c == '_';
    if (!ok)
      return "illegal base64 data at input byte " + std::to_string(i) +
             (c == '=' ? " (padding is not allowed)" : "");
  }
  return "illegal base64 data at input byte " + std::to_string(body.size()) + " (truncated)";
}

const std::string* single_value(const std::vector<Param>& params, std::string_view lower_name) {
  for (const Param& p : params)
    if (iequals(p.key, lower_name)) return &p.values.front();
  return nullptr;
}

const std::string* exact_value(const std::vector<Param>& params, std::string_view name) {
  for (const Param& p : params)
    if (p.key == name) return &p.values.front();
  return nullptr;
}

}  // namespace

std::variant<TokenIdentity, TokenError> verify_eks_token(std::string_view token, std::string_view cluster_name,
                                                         const TokenPolicy& policy, const identity::State& state,
                                                         const crypto::SecretBox& box, int64_t now) {
  // 1-3: size, prefix, RawURL base64 (no padding).
  if (token.size() > kMaxTokenBytes) return format_error("token is too large");
  if (!token.starts_with(kPrefix)) return format_error("token is missing expected \"k8s-aws-v1.\" prefix");
  const std::string_view body = token.substr(kPrefix.size());
  std::string url_text;
  if (!crypto::base64url_decode(body, url_text)) return format_error(base64_problem(body));

  // 4-7: URL, scheme, host, path.
  auto parsed_url = parse_url(url_text);
  if (auto* err = std::get_if<TokenError>(&parsed_url)) return std::move(*err);
  const Url& url = std::get<Url>(parsed_url);
  if (url.scheme != "https") return format_error("unexpected scheme " + quoted(url.scheme) + " in pre-signed URL");
  // User info would make Go's client add an Authorization header, which STS refuses next to a
  // presigned query; refusing it here reaches the same end.
  if (url.authority.find('@') != std::string_view::npos)
    return format_error("unexpected user info in pre-signed URL host " + quoted(url.authority));
  const std::optional<std::string> host = signed_host(url.authority);
  bool own = false;
  if (host) {
    for (const std::string& h : policy.own_hosts) {
      std::optional<std::string> mine = signed_host(h);
      own = own || (mine && *mine == *host);
    }
  }
  if (!own) {
    if (auto problem = check_aws_sts_host(url.authority, policy.partition, policy.region))
      return format_error(std::move(*problem));
    // Unreachable in practice: an accepted AWS hostname is always a plain host.
    if (!host) return format_error("unexpected hostname " + quoted(url.authority) + " in pre-signed URL");
  }
  if (url.path != "/") return format_error("unexpected path in pre-signed URL");

  // 8-11: query syntax, case-insensitive duplicates, allow-list, single values.
  const std::optional<std::vector<Param>> params = parse_query(url.raw_query);
  if (!params) return format_error("malformed query parameter");
  for (size_t i = 0; i < params->size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (iequals((*params)[i].key, (*params)[j].key))
        return format_error("duplicate query parameter found: " + quoted((*params)[i].key));
  for (const Param& p : *params) {
    bool allowed = false;
    for (std::string_view name : kAllowedParams) allowed = allowed || iequals(p.key, name);
    if (!allowed) return format_error("non-whitelisted query parameter " + quoted(p.key));
    if (p.values.size() != 1) return format_error("query parameter with multiple values not supported");
  }

  // 12: the action, exactly.
  const std::string* action = single_value(*params, "action");
  if (!action || *action != "GetCallerIdentity") return format_error("unexpected action parameter in pre-signed URL");

  // 13: the cluster id header must be signed; its value is checked by the signature below.
  bool signs_cluster = false;
  if (const std::string* sh = single_value(*params, "x-amz-signedheaders")) {
    std::string_view rest = *sh;
    while (true) {
      size_t semi = rest.find(';');
      signs_cluster = signs_cluster || iequals(rest.substr(0, semi), kClusterIdHeader);
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  if (!signs_cluster) return format_error("client did not sign the x-k8s-aws-id header in the pre-signed URL");

  // 14: X-Amz-Expires present and within 0..900.
  const std::string* expires_text = single_value(*params, "x-amz-expires");
  const std::optional<int64_t> expires = expires_text ? atoi(*expires_text) : std::nullopt;
  if (!expires || *expires < 0 || *expires > kMaxExpires)
    return format_error("invalid X-Amz-Expires parameter in pre-signed URL: " +
                        (expires_text ? quoted(*expires_text) : std::string("(missing)")));

  // 15-16: X-Amz-Date present, well-formed, and not more than 15 minutes old. A date in the
  // future passes here, as in the authenticator; STS's ±15 minute window (below) catches it.
  const std::string* date = single_value(*params, "x-amz-date");
  if (!date || date->empty()) return format_error("X-Amz-Date parameter must be present in pre-signed URL");
  const std::optional<int64_t> signed_at = clock::parse_amz_date(*date);
  if (!signed_at)
    return format_error("error parsing X-Amz-Date parameter " + quoted(*date) + " into format 20060102T150405Z");
  if (now > *signed_at + kUrlLifetime)
    return format_error("X-Amz-Date parameter is expired (15 minute expiration) " + *date);

  // What STS decides. It reads parameter names with their case (the authenticator does not),
  // and checks the API version, which the authenticator leaves to it.
  if (!exact_value(*params, "Action"))
    return sts_error("MissingAction", "no parameter named exactly \"Action\" (names are case-sensitive)");
  const std::string* version = exact_value(*params, "Version");
  if (!version || *version != kStsVersion)
    return sts_error("InvalidAction", "unexpected Version parameter " + quoted(version ? *version : "") +
                                          " (GetCallerIdentity is version 2011-06-15)");

  // The request as the authenticator would send it: GET of the URL with the server's own
  // cluster name as x-k8s-aws-id; Host is what the client signed for that URL's authority.
  const std::vector<sigv4::Header> headers{{"Host", *host}, {std::string(kClusterIdHeader), std::string(cluster_name)}};
  const std::string target = "/?" + std::string(url.raw_query);
  const sigv4::RequestView view{"GET", target, &headers, {}};
  auto parsed = sigv4::parse(view);
  if (auto* err = std::get_if<sigv4::AuthError>(&parsed)) return sts_error(err->code, printable(err->message));
  const sigv4::ParsedAuth& auth = std::get<sigv4::ParsedAuth>(parsed);
  // Step 13 read the list the way Go decodes it; make sure the signer's reading agrees, or the
  // cluster name would not be bound by the signature.
  bool signer_signs_cluster = false;
  for (const std::string& h : auth.signed_headers) signer_signs_cluster = signer_signs_cluster || h == kClusterIdHeader;
  if (!signer_signs_cluster) return format_error("client did not sign the x-k8s-aws-id header in the pre-signed URL");

  // Same order as the AWS plane (src/aws/gateway.cpp): credentials, then scope and clock, then
  // the signature.
  auto resolved = identity::resolve(state, box, auth.credential.access_key_id, auth.security_token, now);
  if (auto* err = std::get_if<identity::CredentialError>(&resolved)) {
    return sts_error(err->code, printable(err->message) + " (access key " + quoted(auth.credential.access_key_id, 32) + ")");
  }
  const identity::Resolved& who = std::get<identity::Resolved>(resolved);
  if (auto err = sigv4::check_scope_and_time(auth, "sts", now)) return sts_error(err->code, printable(err->message));
  if (auto err = sigv4::verify(view, auth, who.secret)) {
    // The canonical request it appends would put the session token into logs; the first
    // sentence is enough to tell a mismatch (wrong cluster name, tampering) apart.
    std::string_view message = err->message;
    return sts_error(err->code, printable(message.substr(0, message.find("\n\n"))) + " (cluster " +
                                    quoted(cluster_name, 100) + ")");
  }

  TokenIdentity id;
  const identity::Caller& c = who.caller;
  id.account = c.account;
  id.arn = c.arn;
  id.access_key_id = auth.credential.access_key_id;
  if (c.kind == identity::Caller::Kind::RoleSession) {
    id.canonical_arn = "arn:aws:iam::" + c.account + ":role/" + c.role_name;
    id.user_id = c.role_id;
    id.session_name = c.session_name;
  } else {
    // IAM users and their GetSessionToken sessions: STS reports the user itself.
    id.canonical_arn = c.arn;
    id.user_id = c.user_id;
  }
  id.caller = c;
  return id;
}

}  // namespace orch::kube::authn
