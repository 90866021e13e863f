// Finding and parsing the signature (reference §1.1, §1.5), and the scope and clock checks (§1.4).
#include <algorithm>
#include <limits>

#include "base/clock.h"
#include "sigv4/internal.h"

namespace orch::sigv4 {

using namespace detail;

namespace {

constexpr int64_t kSkewSeconds = 15 * 60;
constexpr int64_t kMaxExpires = 604800;

AuthError incomplete(std::string message) {
  return AuthError{"IncompleteSignature", 400, std::move(message)};
}
AuthError does_not_match(std::string message) {
  return AuthError{"SignatureDoesNotMatch", 403, std::move(message)};
}

// Splits "AKID/yyyymmdd/region/service/aws4_request". Anything after the fourth '/' is the
// terminator, so an over-long scope is reported by the terminator check with AWS's wording.
bool parse_credential(std::string_view s, Credential& out) {
  std::string_view parts[4];
  for (auto& p : parts) {
    size_t slash = s.find('/');
    if (slash == std::string_view::npos || slash == 0) return false;
    p = s.substr(0, slash);
    s.remove_prefix(slash + 1);
  }
  if (s.empty()) return false;
  out.access_key_id.assign(parts[0]);
  out.date.assign(parts[1]);
  out.region.assign(parts[2]);
  out.service.assign(parts[3]);
  out.terminator.assign(s);
  return true;
}

AuthError bad_credential(std::string_view value) {
  return incomplete("Credential should be of the form '<access key id>/<yyyymmdd>/<region>/<service>/"
                    "aws4_request', not '" + std::string(value) + "'.");
}

// Empty entries are dropped: no signer writes them, and keeping them would only look up a
// header with an empty name.
std::vector<std::string> split_signed_headers(std::string_view s) {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(std::count(s.begin(), s.end(), ';')) + 1);
  while (!s.empty()) {
    size_t semi = s.find(';');
    std::string_view name = s.substr(0, semi);
    s = semi == std::string_view::npos ? std::string_view{} : s.substr(semi + 1);
    if (name.empty()) continue;
    std::string& n = out.emplace_back(name);
    for (char& c : n) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    }
  }
  return out;
}

// Missing host is IncompleteSignature (400), not SignatureDoesNotMatch: the request is malformed
// whatever the secret, and AWS front ends answer it before any signature is computed, with this
// wording. Without host a signature could be replayed against another endpoint.
// The date header is deliberately not required in the list (the reference asks for it): the string
// to sign carries X-Amz-Date itself, so the time is bound whether or not the header is listed.
std::optional<AuthError> require_host(const std::vector<std::string>& signed_headers) {
  for (const std::string& h : signed_headers) {
    if (h == "host") return std::nullopt;
  }
  return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

std::string lower_copy(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return out;
}

AuthError bad_amz_date(std::string_view v) {
  return incomplete("Date must be in ISO-8601 'basic format'. Got '" + std::string(v) +
                    "'. See http://en.wikipedia.org/wiki/ISO_8601");
}

// An optional '-' then digits. Long digit strings saturate, so they fail the range check in
// check_scope_and_time() with the same message instead of overflowing.
std::optional<int64_t> parse_integer(std::string_view s) {
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v < std::numeric_limits<int64_t>::max() / 10 - 10) v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

AuthError bad_expires(std::string_view v) {
  return incomplete("X-Amz-Expires must be an integer from 1 to 604800 (seconds, one week), not '" +
                    std::string(v) + "'.");
}

std::variant<ParsedAuth, AuthError> parse_header_form(const RequestView& req, const Header& authz) {
  const std::string_view value = trim(authz.value);
  size_t sp = value.find_first_of(" \t");
  std::string_view algorithm = value.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view{} : value.substr(sp + 1);

  // AWS splits the parameters on commas and whitespace alike (a stray space inside Credential is
  // reported as a token without '='), so this does too.
  std::optional<std::string_view> credential, signed_headers, signature;
  size_t i = 0;
  while (i < rest.size()) {
    if (rest[i] == ',' || is_space(rest[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < rest.size() && rest[end] != ',' && !is_space(rest[end])) ++end;
    std::string_view token = rest.substr(i, end - i);
    i = end;
    size_t eq = token.find('=');
    if (eq == std::string_view::npos) {
      return incomplete("'" + std::string(token) +
                        "' not a valid key=value pair (missing equal-sign) in Authorization header: '" +
                        std::string(value) + "'.");
    }
    std::string_view key = token.substr(0, eq);
    std::string_view val = token.substr(eq + 1);
    if (key == "Credential" && !credential) credential = val;
    else if (key == "SignedHeaders" && !signed_headers) signed_headers = val;
    else if (key == "Signature" && !signature) signature = val;
  }

  const Header* amz_date = find_header(req.headers, "x-amz-date");
  const Header* http_date = amz_date ? nullptr : find_header(req.headers, "date");
  std::string missing;
  if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!amz_date && !http_date) {
    missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!missing.empty()) return incomplete(missing + "Authorization=" + std::string(value));

  // Completeness comes first so that "Authorization: Basic ..." gets AWS's list of missing parts.
  if (algorithm != kAlgorithm) {
    return does_not_match("Unsupported AWS 'algorithm': '" + std::string(algorithm) +
                          "'; only AWS4-HMAC-SHA256 is accepted.");
  }

  ParsedAuth auth;
  if (!parse_credential(*credential, auth.credential)) return bad_credential(*credential);
  auth.signed_headers = split_signed_headers(*signed_headers);
  if (auto err = require_host(auth.signed_headers)) return std::move(*err);
  auth.signature = lower_copy(*signature);

  if (amz_date) {
    std::string_view v = trim(amz_date->value);
    auto t = clock::parse_amz_date(v);
    if (!t) return bad_amz_date(v);
    auth.amz_date.assign(v);
    auth.request_time = *t;
  } else {
    std::string_view v = trim(http_date->value);
    auto t = clock::parse_http_date(v);
    if (!t) {
      return incomplete("Date must be in RFC 1123 format (e.g. 'Tue, 02 Jan 2024 03:04:05 GMT'). Got '" +
                        std::string(v) + "'.");
    }
    auth.amz_date = clock::amz_date(*t);
    auth.request_time = *t;
  }
  if (const Header* tok = find_header(req.headers, "x-amz-security-token")) {
    auth.security_token.emplace(trim(tok->value));
  }
  return auth;
}

struct QueryAuth {
  std::optional<std::string_view> algorithm, credential, date, expires, signed_headers, signature,
      token;
};

QueryAuth scan_query(std::string_view query) {
  QueryAuth q;
  for_each_query_param(query, [&q](std::string_view name, std::string_view value) {
    // Cheap reject: every name of interest starts with 'X' (possibly as %58).
    if (name.empty() || (name.front() != 'X' && name.front() != '%')) return;
    auto take = [&](std::optional<std::string_view>& slot, std::string_view literal) {
      if (!slot && decoded_equals(name, literal)) slot = value;
    };
    take(q.algorithm, "X-Amz-Algorithm");
    take(q.credential, "X-Amz-Credential");
    take(q.date, "X-Amz-Date");
    take(q.expires, "X-Amz-Expires");
    take(q.signed_headers, "X-Amz-SignedHeaders");
    take(q.signature, "X-Amz-Signature");
    take(q.token, "X-Amz-Security-Token");
  });
  return q;
}

std::variant<ParsedAuth, AuthError> parse_query_form(const RequestView& req, const QueryAuth& q) {
  std::string missing;
  auto require = [&missing](const std::optional<std::string_view>& v, std::string_view name) {
    if (!v) missing.append("AWS query-string parameters must include '").append(name).append("'. ");
  };
  require(q.algorithm, "X-Amz-Algorithm");
  require(q.credential, "X-Amz-Credential");
  require(q.signature, "X-Amz-Signature");
  require(q.signed_headers, "X-Amz-SignedHeaders");
  require(q.date, "X-Amz-Date");
  require(q.expires, "X-Amz-Expires");
  if (!missing.empty()) return incomplete(missing + "Re-examine the query-string parameters.");

  const std::string algorithm = percent_decode(*q.algorithm);
  if (algorithm != kAlgorithm) {
    return does_not_match("Unsupported AWS 'algorithm': '" + algorithm +
                          "'; only AWS4-HMAC-SHA256 is accepted.");
  }
  ParsedAuth auth;
  auth.presigned = true;
  const std::string credential = percent_decode(*q.credential);
  if (!parse_credential(credential, auth.credential)) return bad_credential(credential);
  auth.signed_headers = split_signed_headers(percent_decode(*q.signed_headers));
  if (auto err = require_host(auth.signed_headers)) return std::move(*err);
  auth.signature = lower_copy(percent_decode(*q.signature));

  std::string date = percent_decode(*q.date);
  auto t = clock::parse_amz_date(date);
  if (!t) return bad_amz_date(date);
  auth.amz_date = std::move(date);
  auth.request_time = *t;

  const std::string expires = percent_decode(*q.expires);
  auth.expires = parse_integer(expires);
  if (!auth.expires) return bad_expires(expires);

  if (q.token) {
    auth.security_token = percent_decode(*q.token);
  } else if (const Header* tok = find_header(req.headers, "x-amz-security-token")) {
    auth.security_token.emplace(trim(tok->value));
  }
  return auth;
}

bool valid_region(std::string_view r) {
  if (r.empty() || r.size() > 64) return false;
  for (char c : r) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

int64_t saturating_add(int64_t a, int64_t b) {
  if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) return std::numeric_limits<int64_t>::max();
  if (b < 0 && a < std::numeric_limits<int64_t>::min() - b) return std::numeric_limits<int64_t>::min();
  return a + b;
}

}  // namespace

std::variant<ParsedAuth, AuthError> parse(const RequestView& req) {
  const Target t = split_target(req.target);
  const Header* authz = find_header(req.headers, "authorization");
  const QueryAuth q = scan_query(t.query);
  // A presigned URL is recognised by any of its defining parameters, so one that lost its
  // X-Amz-Algorithm is told what is missing instead of "missing authentication token".
  const bool query_form = q.algorithm || q.credential || q.signature; 
  if (authz && query_form) {
    return incomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or "
                      "the Authorization header should be specified.");
  }
  if (authz) return parse_header_form(req, *authz);
  if (query_form) return parse_query_form(req, q);
  return AuthError{"MissingAuthenticationToken", 403, "Request is missing Authentication Token"};
}

std::optional<AuthError> check_scope_and_time(const ParsedAuth& auth, std::string_view expected_service,
                                              int64_t now) {
  const Credential& c = auth.credential;
  if (c.terminator != kTerminator) {
    return does_not_match("Credential should be scoped with a valid terminator: 'aws4_request'");
  }
  if (auth.amz_date.size() < 8 || std::string_view(auth.amz_date).substr(0, 8) != c.date) {
    return does_not_match(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP");
  }
  if (!expected_service.empty() && c.service != expected_service) {
    return does_not_match("Credential should be scoped to correct service: '" +
                          std::string(expected_service) + "'. ");
  }
  if (!valid_region(c.region)) {
    return does_not_match("Credential should be scoped to a valid region, not '" + c.region + "'. ");
  }
  if (auth.presigned) {
    // X-Amz-Expires only has to be sane; the window below governs, as STS does (§1.4).
    if (!auth.expires) return bad_expires("");
    if (*auth.expires < 1 || *auth.expires > kMaxExpires) return bad_expires(std::to_string(*auth.expires));
  }
  // Unsigned differences: both operands may be anything a caller put in, and the true distance
  // between two int64 values always fits in uint64.
  const auto un = static_cast<uint64_t>(now);
  const auto ut = static_cast<uint64_t>(auth.request_time);
  if (auth.request_time <= now && un - ut > static_cast<uint64_t>(kSkewSeconds)) {
    return does_not_match("Signature expired: " + auth.amz_date + " is now earlier than " +
                          clock::amz_date(saturating_add(now, -kSkewSeconds)) + " (" +
                          clock::amz_date(now) + " - 15 min.)");
  }
  if (auth.request_time > now && ut - un > static_cast<uint64_t>(kSkewSeconds)) {
    return does_not_match("Signature not yet current: " + auth.amz_date + " is still later than " +
                          clock::amz_date(saturating_add(now, kSkewSeconds)) + " (" +
                          clock::amz_date(now) + " + 15 min.)");
  }
  return std::nullopt;
}

}  // namespace orch::sigv4
