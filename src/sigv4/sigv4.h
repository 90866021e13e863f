// AWS Signature Version 4: parsing and verifying signed requests on the server, and signing on
// the client side (for tests and load generators). Pure logic: no I/O, no clock (callers pass
// "now"). Reference: ../shared/docs/iam-and-sts.md §1.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace orch::sigv4 {

struct Header {
  std::string name;   // as received (any case)
  std::string value;  // as received (untrimmed)
};

// The request as it arrived on the wire.
struct RequestView {
  std::string_view method;
  std::string_view target;  // raw request-target: path and optional ?query, still percent-encoded
  const std::vector<Header>* headers = nullptr;
  std::string_view body;
};

// An authentication failure, in AWS's words (code, HTTP status, message).
struct AuthError {
  std::string code;  // MissingAuthenticationToken, IncompleteSignature, SignatureDoesNotMatch, ...
  int http_status = 403;
  std::string message;
};

struct Credential {
  std::string access_key_id;
  std::string date;     // yyyymmdd
  std::string region;
  std::string service;
  std::string terminator;  // should be aws4_request
};

struct ParsedAuth {
  bool presigned = false;
  Credential credential;
  std::string amz_date;          // yyyymmddThhmmssZ (from X-Amz-Date or converted from Date)
  int64_t request_time = 0;      // amz_date as epoch seconds
  std::vector<std::string> signed_headers;  // lowercase, in the order given
  std::string signature;         // lowercase hex
  std::optional<std::string> security_token;  // X-Amz-Security-Token (header or query), if any
  std::optional<int64_t> expires;             // X-Amz-Expires (presigned only)
};

// Finds and parses the signature (header or query form). Errors: MissingAuthenticationToken (no
// signature at all), IncompleteSignature (missing/garbled parts, both forms at once),
// SignatureDoesNotMatch for a non-AWS4-HMAC-SHA256 algorithm.
std::variant<ParsedAuth, AuthError> parse(const RequestView& req);

// Checks scope terminator, date-vs-scope, expected service (if non-empty), and the ±15 minute
// window around now (messages exactly as in the reference §1.4). Presigned: X-Amz-Expires must
// be an integer in 1..604800, then the same window.
std::optional<AuthError> check_scope_and_time(const ParsedAuth& auth, std::string_view expected_service,
                                              int64_t now);

// The canonical request and string to sign, as the reference §1.2-1.3 defines them.
// Returns an AuthError (SignatureDoesNotMatch) if a signed header is missing from the request.
std::variant<std::string, AuthError> canonical_request(const RequestView& req, const ParsedAuth& auth);
// Presigned requests only: some signers append X-Amz-Security-Token to the URL after signing
// (reference §1.2), so verify() also tries the canonical query string without it. The overload
// above is kSigned. The header form needs no such switch: an unsigned token header is simply not
// among SignedHeaders.
enum class QueryToken { kSigned, kUnsigned };
std::variant<std::string, AuthError> canonical_request(const RequestView& req, const ParsedAuth& auth,
                                                       QueryToken token);
std::string string_to_sign(const ParsedAuth& auth, std::string_view canonical_request);

// kSigning for (secret, date, region, service); callers may cache it.
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);

// Full verification given the secret: recomputes and compares in constant time. On mismatch the
// AuthError is SignatureDoesNotMatch with AWS's message plus the canonical request and the string
// to sign (no secrets), as Query services do.
std::optional<AuthError> verify(const RequestView& req, const ParsedAuth& auth, std::string_view secret);

// ---- client side (tests, benchmarks) ----
struct SigningInput {
  std::string method = "POST";
  std::string target = "/";       // path?query, already encoded as it will be sent
  std::vector<Header> headers;    // must include Host; X-Amz-Date is added if absent
  std::string body;
  std::string access_key_id;
  std::string secret;
  std::optional<std::string> session_token;
  std::string region = "us-east-1";
  std::string service;
  int64_t now = 0;
};
// Returns the headers to send (input headers + X-Amz-Date [+ X-Amz-Security-Token] + Authorization).
std::vector<Header> sign_headers(const SigningInput& in);
// Returns the presigned target (path?query with X-Amz-* parameters) for a request with no body.
std::string presign(const SigningInput& in, int64_t expires_seconds);

}  // namespace orch::sigv4
