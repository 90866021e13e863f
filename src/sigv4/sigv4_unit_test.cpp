// Focused checks of the server-side rules (reference §1), with requests made by sign_headers()
// and presign() or written by hand.
#include <gtest/gtest.h>

#include <cctype>
#include <limits>

#include "base/clock.h"
#include "base/crypto.h"
#include "sigv4/sigv4.h"

namespace orch::sigv4 {
namespace {

const int64_t kNow = clock::parse_amz_date("20261203T124028Z").value();
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kAkid[] = "AKIAIOSFODNN7EXAMPLE";
constexpr char kBody[] = "Action=GetCallerIdentity&Version=2011-06-15";
constexpr char kStandardMismatch[] =
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details.";

// Owns what a RequestView points into.
struct Req {
  std::string method = "POST";
  std::string target = "/";
  std::vector<Header> headers;
  std::string body;
  RequestView view() const { return RequestView{method, target, &headers, body}; }
};

SigningInput cli_input() {
  SigningInput in;
  in.method = "POST";
  in.target = "/";
  in.headers = {{"Host", "127.0.0.1:18765"},
                {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                {"User-Agent", "aws-cli/1.45.11"}};
  in.body = kBody;
  in.access_key_id = kAkid;
  in.secret = kSecret;
  in.region = "us-east-1";
  in.service = "sts";
  in.now = kNow;
  return in;
}

Req signed_request(const SigningInput& in) {
  return Req{in.method, in.target, sign_headers(in), in.body};
}

Req presigned_request(const SigningInput& in, int64_t expires) {
  return Req{in.method, presign(in, expires), in.headers, in.body};
}

ParsedAuth parse_ok(const Req& r) {
  auto p = parse(r.view());
  if (auto* e = std::get_if<AuthError>(&p)) ADD_FAILURE() << e->code << ": " << e->message;
  return std::holds_alternative<ParsedAuth>(p) ? std::get<ParsedAuth>(p) : ParsedAuth{};
}

AuthError parse_err(const Req& r) {
  auto p = parse(r.view());
  if (std::holds_alternative<ParsedAuth>(p)) {
    ADD_FAILURE() << "parse unexpectedly succeeded";
    return {};
  }
  return std::get<AuthError>(p);
}

Header* find(std::vector<Header>& hs, std::string_view name) {
  for (auto& h : hs) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

std::string canonical_or_error(const Req& r, const ParsedAuth& a) {
  auto c = canonical_request(r.view(), a);
  if (auto* e = std::get_if<AuthError>(&c)) return "ERROR " + e->message;
  return std::get<std::string>(c);
}

// A minimal parsed auth for canonicalization tests: only signed headers matter there.
ParsedAuth auth_signing(std::vector<std::string> names) {
  ParsedAuth a;
  a.signed_headers = std::move(names);
  return a;
}

// ---- round trips ----

TEST(SigV4RoundTrip, HeaderFormAsTheCliSendsIt) {
  const Req r = signed_request(cli_input());
  const ParsedAuth a = parse_ok(r);
  EXPECT_FALSE(a.presigned);
  EXPECT_EQ(a.credential.access_key_id, kAkid);
  EXPECT_EQ(a.credential.date, "20261203");
  EXPECT_EQ(a.credential.region, "us-east-1");
  EXPECT_EQ(a.credential.service, "sts");
  EXPECT_EQ(a.credential.terminator, "aws4_request");
  EXPECT_EQ(a.amz_date, "20261203T124028Z");
  EXPECT_EQ(a.request_time, kNow);
  // user-agent is on botocore's list of headers never signed.
  EXPECT_EQ(a.signed_headers, (std::vector<std::string>{"content-type", "host", "x-amz-date"}));
  EXPECT_EQ(a.signature.size(), 64u);
  EXPECT_FALSE(a.security_token.has_value());
  EXPECT_FALSE(check_scope_and_time(a, "sts", kNow).has_value());
  EXPECT_FALSE(verify(r.view(), a, kSecret).has_value());
}

TEST(SigV4RoundTrip, HeaderFormWithSessionToken) {
  SigningInput in = cli_input();
  in.session_token = "FwoGZXIvYXdzEBYaDH+token/with=chars";
  const Req r = signed_request(in);
  const ParsedAuth a = parse_ok(r);
  EXPECT_EQ(a.signed_headers,
            (std::vector<std::string>{"content-type", "host", "x-amz-date", "x-amz-security-token"}));
  EXPECT_EQ(a.security_token, in.session_token);
  EXPECT_FALSE(verify(r.view(), a, kSecret).has_value());

  Req changed = r;
  find(changed.headers, "X-Amz-Security-Token")->value += "x";
  EXPECT_TRUE(verify(changed.view(), parse_ok(changed), kSecret).has_value()) << "a signed token is bound";
}

TEST(SigV4RoundTrip, PresignedUrl) {
  SigningInput in = cli_input();
  in.method = "GET";
  in.target = "/?Action=GetCallerIdentity&Version=2011-06-15";
  in.headers = {{"Host", "sts.example.test"}};
  in.body.clear();
  const Req r = presigned_request(in, 60);
  const ParsedAuth a = parse_ok(r);
  EXPECT_TRUE(a.presigned);
  EXPECT_EQ(a.expires, 60);
  EXPECT_EQ(a.signed_headers, std::vector<std::string>{"host"});
  EXPECT_FALSE(check_scope_and_time(a, "sts", kNow).has_value());
  EXPECT_FALSE(verify(r.view(), a, kSecret).has_value());
  // EKS-style: X-Amz-Expires=60 is not enforced; the ±15 minute window is (reference §1.4).
  EXPECT_FALSE(check_scope_and_time(a, "sts", kNow + 14 * 60).has_value());
  EXPECT_TRUE(check_scope_and_time(a, "sts", kNow + 16 * 60).has_value());
}

TEST(SigV4RoundTrip, PresignedUrlWithSignedSessionToken) {
  SigningInput in = cli_input();
  in.method = "GET";
  in.headers = {{"Host", "sts.example.test"}};
  in.body.clear();
  in.session_token = "tok/en+with=specials";
  const Req r = presigned_request(in, 900);
  const ParsedAuth a = parse_ok(r);
  EXPECT_EQ(a.security_token, in.session_token);
  EXPECT_FALSE(verify(r.view(), a, kSecret).has_value());
}

TEST(SigV4RoundTrip, UppercaseSignatureHexIsAccepted) {
  Req r = signed_request(cli_input());
  Header* authz = find(r.headers, "Authorization");
  size_t at = authz->value.find("Signature=") + 10;
  for (size_t i = at; i < authz->value.size(); ++i) {
    authz->value[i] = static_cast<char>(toupper(authz->value[i]));
  }
  EXPECT_FALSE(verify(r.view(), parse_ok(r), kSecret).has_value());
}

TEST(SigV4RoundTrip, HeaderNamesAreCaseInsensitive) {
  Req r = signed_request(cli_input());
  for (auto& h : r.headers) {
    for (auto& c : h.name) c = static_cast<char>(toupper(c));
  }
  EXPECT_FALSE(verify(r.view(), parse_ok(r), kSecret).has_value());
}

// ---- unsigned security token (reference §1.2, suite post-sts-header-after) ----

TEST(SigV4Token, UnsignedHeaderTokenIsAccepted) {
  Req r = signed_request(cli_input());
  r.headers.push_back({"X-Amz-Security-Token", "added-after-signing"});
  const ParsedAuth a = parse_ok(r);
  EXPECT_EQ(a.security_token, "added-after-signing");
  EXPECT_FALSE(verify(r.view(), a, kSecret).has_value());
}

TEST(SigV4Token, UnsignedQueryTokenIsAccepted) {
  SigningInput in = cli_input();
  in.method = "GET";
  in.headers = {{"Host", "sts.example.test"}};
  in.body.clear();
  Req r = presigned_request(in, 900);
  r.target += "&X-Amz-Security-Token=added%2Fafter";
  const ParsedAuth a = parse_ok(r);
  EXPECT_EQ(a.security_token, "added/after");
  EXPECT_FALSE(verify(r.view(), a, kSecret).has_value());
  // Dropping the token is not the same as accepting any other change.
  r.target += "&Extra=1";
  EXPECT_TRUE(verify(r.view(), parse_ok(r), kSecret).has_value());
}

// ---- clock window and scope (reference §1.4) ----

ParsedAuth auth_at(std::string_view amz_date) {
  ParsedAuth a;
  a.credential = Credential{kAkid, std::string(amz_date.substr(0, 8)), "us-east-1", "sts", "aws4_request"};
  a.amz_date = amz_date;
  a.request_time = clock::parse_amz_date(amz_date).value();
  a.signed_headers = {"host", "x-amz-date"};
  return a;
}

TEST(SigV4Clock, WindowIsInclusiveFifteenMinutesEachWay) {
  const ParsedAuth a = auth_at("20261203T124028Z");
  EXPECT_FALSE(check_scope_and_time(a, "sts", kNow).has_value());
  EXPECT_FALSE(check_scope_and_time(a, "sts", kNow + 900).has_value());
  EXPECT_FALSE(check_scope_and_time(a, "sts", kNow - 900).has_value());
  EXPECT_TRUE(check_scope_and_time(a, "sts", kNow + 901).has_value());
  EXPECT_TRUE(check_scope_and_time(a, "sts", kNow - 901).has_value());
}

TEST(SigV4Clock, ExpiredMessageIsAwsWording) {
  const ParsedAuth a = auth_at("20160609T184512Z");
  auto e = check_scope_and_time(a, "sts", clock::parse_amz_date("20160610T014508Z").value());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->http_status, 403);
  EXPECT_EQ(e->message,
            "Signature expired: 20160609T184512Z is now earlier than 20160610T013008Z "
            "(20160610T014508Z - 15 min.)");
}

TEST(SigV4Clock, NotYetCurrentMessageIsAwsWording) {
  const ParsedAuth a = auth_at("20210112T194419Z");
  auto e = check_scope_and_time(a, "sts", clock::parse_amz_date("20210112T071125Z").value());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->http_status, 403);
  EXPECT_EQ(e->message,
            "Signature not yet current: 20210112T194419Z is still later than 20210112T072625Z "
            "(20210112T071125Z + 15 min.)");
}

TEST(SigV4Clock, ExtremeNowDoesNotOverflow) {
  const ParsedAuth a = auth_at("20261203T124028Z");
  EXPECT_TRUE(check_scope_and_time(a, "sts", std::numeric_limits<int64_t>::max()).has_value());
  EXPECT_TRUE(check_scope_and_time(a, "sts", std::numeric_limits<int64_t>::min()).has_value());
}

TEST(SigV4Scope, WrongServiceMessage) {
  auto e = check_scope_and_time(auth_at("20261203T124028Z"), "iam", kNow);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->http_status, 403);
  EXPECT_EQ(e->message, "Credential should be scoped to correct service: 'iam'. ");
}

TEST(SigV4Scope, EmptyExpectedServiceAcceptsAny) {
  EXPECT_FALSE(check_scope_and_time(auth_at("20261203T124028Z"), "", kNow).has_value());
}

TEST(SigV4Scope, WrongTerminatorMessage) {
  Req r = signed_request(cli_input());
  Header* authz = find(r.headers, "Authorization");
  authz->value.replace(authz->value.find("aws4_request"), 12, "aws4_requesx");
  auto e = check_scope_and_time(parse_ok(r), "sts", kNow);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->message, "Credential should be scoped with a valid terminator: 'aws4_request'");
}

TEST(SigV4Scope, ExtraScopePartsFailTheTerminatorCheck) {
  ParsedAuth a = auth_at("20261203T124028Z");
  a.credential.terminator = "aws4_request/extra";
  auto e = check_scope_and_time(a, "sts", kNow);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message, "Credential should be scoped with a valid terminator: 'aws4_request'");
}

TEST(SigV4Scope, DateMismatchMessage) {
  ParsedAuth a = auth_at("20261203T124028Z");
  a.credential.date = "20261202";
  auto e = check_scope_and_time(a, "sts", kNow);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->http_status, 403);
  EXPECT_EQ(e->message,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP");
}

TEST(SigV4Scope, AnyWellFormedRegionIsAccepted) {
  ParsedAuth a = auth_at("20261203T124028Z");
  a.credential.region = "eu-west-1";
  EXPECT_FALSE(check_scope_and_time(a, "sts", kNow).has_value());
  a.credential.region = "EU_WEST";
  auto e = check_scope_and_time(a, "sts", kNow);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message, "Credential should be scoped to a valid region, not 'EU_WEST'. ");
}

// ---- presigned X-Amz-Expires ----

Req presigned_with_expires(std::string_view expires) {
  SigningInput in = cli_input();
  in.method = "GET";
  in.headers = {{"Host", "sts.example.test"}};
  in.body.clear();
  Req r = presigned_request(in, 3600);
  r.target.replace(r.target.find("X-Amz-Expires=3600"), 18, "X-Amz-Expires=" + std::string(expires));
  return r;
}

TEST(SigV4Presigned, ExpiresBoundsAreInclusive) {
  for (const char* ok : {"1", "604800"}) {
    auto e = check_scope_and_time(parse_ok(presigned_with_expires(ok)), "sts", kNow);
    EXPECT_FALSE(e.has_value()) << ok << ": " << e->message;
  }
}

TEST(SigV4Presigned, ExpiresOutOfRangeIsRefused) {
  for (const char* bad : {"0", "604801", "-5", "99999999999999999999999"}) {
    auto e = check_scope_and_time(parse_ok(presigned_with_expires(bad)), "sts", kNow);
    ASSERT_TRUE(e.has_value()) << bad;
    EXPECT_EQ(e->code, "IncompleteSignature");
    EXPECT_EQ(e->http_status, 400);
    EXPECT_NE(e->message.find("X-Amz-Expires must be an integer from 1 to 604800"), std::string::npos);
  }
}

TEST(SigV4Presigned, ExpiresNotAnIntegerIsRefusedAtParse) {
  for (const char* bad : {"", "abc", "1.5", "-", "+3", "%33x"}) {
    AuthError e = parse_err(presigned_with_expires(bad));
    EXPECT_EQ(e.code, "IncompleteSignature") << bad;
    EXPECT_EQ(e.http_status, 400);
  }
}

TEST(SigV4Presigned, MissingParametersAreListed) {
  Req r{"GET", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261203T124028Z", {{"Host", "h"}}, ""};
  AuthError e = parse_err(r);
  EXPECT_EQ(e.code, "IncompleteSignature");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.message,
            "AWS query-string parameters must include 'X-Amz-Credential'. "
            "AWS query-string parameters must include 'X-Amz-Signature'. "
            "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
            "AWS query-string parameters must include 'X-Amz-Expires'. "
            "Re-examine the query-string parameters.");
}

TEST(SigV4Presigned, SignatureWithoutAlgorithmIsIncompleteNotMissing) {
  Req r{"GET", "/?X-Amz-Signature=abc", {{"Host", "h"}}, ""};
  EXPECT_EQ(parse_err(r).code, "IncompleteSignature");
}

TEST(SigV4Presigned, HostMustBeSigned) {
  SigningInput in = cli_input();
  in.method = "GET";
  in.headers = {{"X-Custom", "v"}};
  in.body.clear();
  Req r = presigned_request(in, 60);
  AuthError e = parse_err(r);
  EXPECT_EQ(e.code, "IncompleteSignature");
  EXPECT_EQ(e.message, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

// ---- parse errors (reference §1.5) ----

TEST(SigV4Parse, NoSignatureAtAll) {
  Req r{"POST", "/?Action=GetCallerIdentity", {{"Host", "h"}, {"X-Amz-Date", "20261203T124028Z"}}, kBody};
  AuthError e = parse_err(r);
  EXPECT_EQ(e.code, "MissingAuthenticationToken");
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.message, "Request is missing Authentication Token");

  const RequestView no_headers{"GET", "/", nullptr, ""};
  auto p = parse(no_headers);
  ASSERT_TRUE(std::holds_alternative<AuthError>(p));
  EXPECT_EQ(std::get<AuthError>(p).code, "MissingAuthenticationToken");
}

TEST(SigV4Parse, IncompleteHeaderListsOnlyMissingParts) {
  const std::string authz = "AWS4-HMAC-SHA256 Credential=AKID/20261203/us-east-1/sts/aws4_request";
  Req r{"POST", "/", {{"Host", "h"}, {"Authorization", authz}}, ""};
  AuthError e = parse_err(r);
  EXPECT_EQ(e.code, "IncompleteSignature");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.message,
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=" + authz);
}

TEST(SigV4Parse, NonSigV4AuthorizationListsEverything) {
  Req r{"POST", "/", {{"Host", "h"}, {"Authorization", "Basic dXNlcjpwYXNzd29yZA=="}}, ""};
  AuthError e = parse_err(r);
  EXPECT_EQ(e.code, "IncompleteSignature");
  EXPECT_EQ(e.message,
            "Authorization header requires 'Credential' parameter. "
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=Basic dXNlcjpwYXNzd29yZA==");
}

TEST(SigV4Parse, TokenWithoutEqualSign) {
  const std::string authz =
      "AWS4-HMAC-SHA256 Credential= AKID/20261203/us-east-1/sts/aws4_request, SignedHeaders=host, "
      "Signature=00";
  Req r{"POST", "/", {{"Host", "h"}, {"X-Amz-Date", "20261203T124028Z"}, {"Authorization", authz}}, ""};
  AuthError e = parse_err(r);
  EXPECT_EQ(e.code, "IncompleteSignature");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.message, "'AKID/20261203/us-east-1/sts/aws4_request' not a valid key=value pair "
                       "(missing equal-sign) in Authorization header: '" + authz + "'.");
}

TEST(SigV4Parse, BothFormsAtOnce) {
  SigningInput in = cli_input();
  Req r = signed_request(in);
  r.target = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256";
  AuthError e = parse_err(r);
  EXPECT_EQ(e.code, "IncompleteSignature");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_NE(e.message.find("Only one auth mechanism allowed"), std::string::npos);
}

TEST(SigV4Parse, UnsupportedAlgorithm) {
  Req r = signed_request(cli_input());
  Header* authz = find(r.headers, "Authorization");
  authz->value.replace(0, 16, "AWS4-HMAC-SHA512");
  AuthError e = parse_err(r);
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.http_status, 403);
}

TEST(SigV4Parse, HostMustBeSigned) {
  Req r = signed_request(cli_input());
  Header* authz = find(r.headers, "Authorization");
  authz->value.replace(authz->value.find("host;"), 5, "");
  AuthError e = parse_err(r);
  EXPECT_EQ(e.code, "IncompleteSignature");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.message, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST(SigV4Parse, MalformedCredential) {
  for (const char* cred : {"AKID", "AKID/20261203/us-east-1/sts", "/20261203/us-east-1/sts/aws4_request",
                           "AKID//us-east-1/sts/aws4_request", "AKID/20261203/us-east-1/sts/"}) {
    Req r{"POST",
          "/",
          {{"Host", "h"},
           {"X-Amz-Date", "20261203T124028Z"},
           {"Authorization", std::string("AWS4-HMAC-SHA256 Credential=") + cred +
                                 ", SignedHeaders=host;x-amz-date, Signature=00"}},
          ""};
    AuthError e = parse_err(r);
    EXPECT_EQ(e.code, "IncompleteSignature") << cred;
  }
}

TEST(SigV4Parse, BadAmzDate) {
  Req r = signed_request(cli_input());
  find(r.headers, "X-Amz-Date")->value = "2026-12-03T12:40:28Z";
  AuthError e = parse_err(r);
  EXPECT_EQ(e.code, "IncompleteSignature");
  EXPECT_EQ(e.message, "Date must be in ISO-8601 'basic format'. Got '2026-12-03T12:40:28Z'. "
                       "See http://en.wikipedia.org/wiki/ISO_8601");
}

TEST(SigV4Parse, HttpDateIsUsedWithoutXAmzDate) {
  // A signer that sends only Date signs the X-Amz-Date rendering of it.
  Req r{"POST", "/", {{"Host", "h"}, {"Date", "Thu, 03 Dec 2026 12:40:28 GMT"}}, kBody};
  ParsedAuth draft = auth_at("20261203T124028Z");
  draft.signed_headers = {"date", "host"};
  const std::string cr = canonical_or_error(r, draft);
  const std::string sig = crypto::to_hex(crypto::hmac_sha256(
      signing_key(kSecret, "20261203", "us-east-1", "sts"), string_to_sign(draft, cr)));
  r.headers.push_back({"Authorization", "AWS4-HMAC-SHA256 Credential=" + std::string(kAkid) +
                                            "/20261203/us-east-1/sts/aws4_request, "
                                            "SignedHeaders=date;host, Signature=" + sig});
  const ParsedAuth a = parse_ok(r);
  EXPECT_EQ(a.amz_date, "20261203T124028Z");
  EXPECT_EQ(a.request_time, kNow);
  EXPECT_FALSE(check_scope_and_time(a, "sts", kNow).has_value());
  EXPECT_FALSE(verify(r.view(), a, kSecret).has_value());

  find(r.headers, "Date")->value = "yesterday";
  EXPECT_EQ(parse_err(r).code, "IncompleteSignature");
}

// ---- verification failures ----

TEST(SigV4Verify, WrongSecretQuotesCanonicalRequestAndStringToSign) {
  const Req r = signed_request(cli_input());
  const ParsedAuth a = parse_ok(r);
  auto e = verify(r.view(), a, "not-the-secret");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->http_status, 403);
  const std::string cr = canonical_or_error(r, a);
  EXPECT_EQ(e->message, std::string(kStandardMismatch) +
                            "\n\nThe Canonical String for this request should have been\n'" + cr +
                            "'\n\nThe String-to-Sign should have been\n'" + string_to_sign(a, cr) + "'\n");
  EXPECT_EQ(e->message.find(kSecret), std::string::npos);
}

TEST(SigV4Verify, TamperedBody) {
  Req r = signed_request(cli_input());
  r.body += "&UserName=eve";
  auto e = verify(r.view(), parse_ok(r), kSecret);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->message.rfind(kStandardMismatch, 0), 0u);
}

TEST(SigV4Verify, TamperedTargetMethodAndHeader) {
  const Req good = signed_request(cli_input());
  Req r = good;
  r.target = "/prefix/";
  EXPECT_TRUE(verify(r.view(), parse_ok(r), kSecret).has_value());
  r = good;
  r.method = "PUT";
  EXPECT_TRUE(verify(r.view(), parse_ok(r), kSecret).has_value());
  r = good;
  find(r.headers, "Host")->value = "127.0.0.1:18766";
  EXPECT_TRUE(verify(r.view(), parse_ok(r), kSecret).has_value());
  // Headers outside SignedHeaders do not matter.
  r = good;
  r.headers.push_back({"Content-Length", "43"});
  find(r.headers, "User-Agent")->value = "other";
  EXPECT_FALSE(verify(r.view(), parse_ok(r), kSecret).has_value());
}

TEST(SigV4Verify, SignedHeaderMissingFromRequest) {
  Req r = signed_request(cli_input());
  std::erase_if(r.headers, [](const Header& h) { return h.name == "Content-Type"; });
  const ParsedAuth a = parse_ok(r);
  auto e = verify(r.view(), a, kSecret);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->http_status, 403);
  EXPECT_NE(e->message.find("'content-type'"), std::string::npos) << e->message;
  EXPECT_TRUE(std::holds_alternative<AuthError>(canonical_request(r.view(), a)));
}

TEST(SigV4Verify, ContentSha256IsCheckedAgainstTheBody) {
  SigningInput in = cli_input();
  in.headers.push_back({"X-Amz-Content-Sha256", crypto::sha256_hex(in.body)});
  Req r = signed_request(in);
  const ParsedAuth a = parse_ok(r);
  EXPECT_FALSE(verify(r.view(), a, kSecret).has_value());

  r.body += "x";
  auto e = verify(r.view(), a, kSecret);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->message, "The provided 'x-amz-content-sha256' header does not match what was computed.");
}

TEST(SigV4Verify, UnsignedPayloadIsRefused) {
  for (const char* v : {"UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "not-hex", ""}) {
    Req r{"POST", "/", {{"Host", "h"}, {"x-amz-content-sha256", v}}, kBody};
    auto c = canonical_request(r.view(), auth_signing({"host"}));
    ASSERT_TRUE(std::holds_alternative<AuthError>(c)) << v;
    EXPECT_EQ(std::get<AuthError>(c).code, "SignatureDoesNotMatch");
  }
}

// ---- canonicalization rules (reference §1.2) ----

std::string uri_line(std::string_view target) {
  Req r{"GET", std::string(target), {{"Host", "h"}}, ""};
  std::string cr = canonical_or_error(r, auth_signing({"host"}));
  size_t a = cr.find('\n') + 1;
  return cr.substr(a, cr.find('\n', a) - a);
}

std::string query_line(std::string_view target) {
  Req r{"GET", std::string(target), {{"Host", "h"}}, ""};
  std::string cr = canonical_or_error(r, auth_signing({"host"}));
  size_t a = cr.find('\n', cr.find('\n') + 1) + 1;
  return cr.substr(a, cr.find('\n', a) - a);
}

TEST(SigV4Canonical, UriIsNormalizedThenEncodedAgain) {
  EXPECT_EQ(uri_line("/example%20space/"), "/example%2520space/");
  EXPECT_EQ(uri_line(""), "/");
  EXPECT_EQ(uri_line("?a=b"), "/");
  EXPECT_EQ(uri_line("/"), "/");
  EXPECT_EQ(uri_line("//"), "/");
  EXPECT_EQ(uri_line("/a/b/../c/./d//"), "/a/c/d/");
  EXPECT_EQ(uri_line("/a/.."), "/");
  EXPECT_EQ(uri_line("/../../a"), "/a");
  EXPECT_EQ(uri_line("/a/b/.."), "/a");
  EXPECT_EQ(uri_line("/%2E%2E/x"), "/%252E%252E/x");
  EXPECT_EQ(uri_line("/a+b~c_d-e.f"), "/a%2Bb~c_d-e.f");
  EXPECT_EQ(uri_line("/%4"), "/%254");
  EXPECT_EQ(uri_line("relative/path"), "/relative/path");
}

TEST(SigV4Canonical, QueryIsDecodedReencodedAndSorted) {
  EXPECT_EQ(query_line("/"), "");
  EXPECT_EQ(query_line("/?"), "");
  EXPECT_EQ(query_line("/?b=2&a=1"), "a=1&b=2");
  EXPECT_EQ(query_line("/?a=2&a=1&a=10"), "a=1&a=10&a=2");
  EXPECT_EQ(query_line("/?key"), "key=");
  EXPECT_EQ(query_line("/?a=b+c&d=e%20f"), "a=b%2Bc&d=e%20f");
  EXPECT_EQ(query_line("/?p=%2Fdivision%2f"), "p=%2Fdivision%2F");
  EXPECT_EQ(query_line("/?p=/x&q=%7E"), "p=%2Fx&q=~");
  EXPECT_EQ(query_line("/?a=%4&b=%&c=%zz&d=%%41"), "a=%254&b=%25&c=%25zz&d=%25A");
  EXPECT_EQ(query_line("/?a=1&&b=2&"), "a=1&b=2");
  EXPECT_EQ(query_line("/?x=1&X-Amz-Signature=ff"), "x=1");
  EXPECT_EQ(query_line("/?a=x=y"), "a=x%3Dy");
}

TEST(SigV4Canonical, HeaderValuesAreTrimmedCollapsedAndJoined) {
  Req r{"GET",
        "/",
        {{"Host", "h"},
         {"My-Header", "  a   b\t\tc  "},
         {"Other", "x"},
         {"my-header", "second"},
         {"MY-HEADER", "folded\r\n   line"},
         {"Empty", ""}},
        ""};
  std::string cr = canonical_or_error(r, auth_signing({"empty", "host", "my-header"}));
  EXPECT_EQ(cr, "GET\n/\n\nempty:\nhost:h\nmy-header:a b c,second,folded line\n\nempty;host;my-header\n"
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SigV4Canonical, StringToSignLayout) {
  ParsedAuth a = auth_at("20261203T124028Z");
  EXPECT_EQ(string_to_sign(a, "x"),
            "AWS4-HMAC-SHA256\n20261203T124028Z\n20261203/us-east-1/sts/aws4_request\n" +
                crypto::sha256_hex("x"));
}

TEST(SigV4Canonical, SigningKeyMatchesTheChainedHmacs) {
  auto k = crypto::hmac_sha256(std::string("AWS4") + kSecret, "20261203");
  k = crypto::hmac_sha256(crypto::as_view(k), "us-east-1");
  k = crypto::hmac_sha256(crypto::as_view(k), "iam");
  k = crypto::hmac_sha256(crypto::as_view(k), "aws4_request");
  EXPECT_EQ(signing_key(kSecret, "20261203", "us-east-1", "iam"), std::string(crypto::as_view(k)));
}

}  // namespace
}  // namespace orch::sigv4
