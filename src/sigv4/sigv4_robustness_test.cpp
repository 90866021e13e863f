// Hostile and degenerate input: every entry point must return an answer, never crash or read out
// of bounds (run under ASan/UBSan with -DORCH_SANITIZE=ON), and stay linear in the input size.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "sigv4/sigv4.h"

namespace orch::sigv4 {
namespace {

constexpr char kGoodAuth[] =
    "AWS4-HMAC-SHA256 Credential=AKID/20261203/us-east-1/sts/aws4_request, "
    "SignedHeaders=host;x-amz-date, "
    "Signature=0000000000000000000000000000000000000000000000000000000000000000";

// Runs everything a server would on one request; returns whether parse accepted it.
bool exercise(const RequestView& req) {
  auto parsed = parse(req);
  if (std::holds_alternative<AuthError>(parsed)) {
    const AuthError& e = std::get<AuthError>(parsed);
    EXPECT_FALSE(e.code.empty());
    EXPECT_TRUE(e.http_status == 400 || e.http_status == 403);
    return false;
  }
  const ParsedAuth& auth = std::get<ParsedAuth>(parsed);
  (void)check_scope_and_time(auth, "sts", 1764765628);
  (void)canonical_request(req, auth, QueryToken::kSigned);
  (void)canonical_request(req, auth, QueryToken::kUnsigned);
  auto v = verify(req, auth, "secret");
  EXPECT_TRUE(v.has_value()) << "garbage must not verify";
  return true;
}

TEST(SigV4Robustness, TruncatedAndInvalidPercentEscapes) {
  for (const char* target : {"/%", "/%4", "/%4?", "/?%", "/?%4", "/?a=%", "/?a=%4", "/?%=%", "/?X-Amz-%",
                             "/?X-Amz-Algorithm=%", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%",
                             "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%2&X-Amz-SignedHeaders=host"
                             "&X-Amz-Signature=%&X-Amz-Date=%&X-Amz-Expires=%",
                             "/?%58-Amz-Algorithm=AWS4-HMAC-SHA256", "%%%%", "?", "??&&==", ""}) {
    std::vector<Header> headers{{"Host", "h"}, {"X-Amz-Date", "20261203T124028Z"}};
    exercise(RequestView{"GET", target, &headers, ""});
    headers.push_back({"Authorization", kGoodAuth});
    exercise(RequestView{"GET", target, &headers, ""});
  }
}

TEST(SigV4Robustness, EmptyAndOddHeaderValues) {
  for (const char* authz : {"", " ", ",", "=", ",,,", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ",
                            "AWS4-HMAC-SHA256 ,,, ,", "AWS4-HMAC-SHA256 =,=,=",
                            "AWS4-HMAC-SHA256 Credential=,SignedHeaders=,Signature=",
                            "AWS4-HMAC-SHA256 Credential=////,SignedHeaders=;;;,Signature=",
                            "AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=host,Signature=",
                            "\t\r\n",
                            "AWS4-HMAC-SHA256\tCredential=a/b/c/d/e\tSignedHeaders=host\tSignature=z"}) {
    for (const char* date : {"", "x", "20261203T124028", "20261203T124028Z"}) {
      std::vector<Header> headers{{"", ""}, {"Host", ""}, {"X-Amz-Date", date}, {"Date", ""},
                                  {"Authorization", authz}, {"x-amz-content-sha256", ""},
                                  {"X-Amz-Security-Token", ""}};
      exercise(RequestView{"", "", &headers, ""});
    }
  }
}

TEST(SigV4Robustness, HugeSlashAndDotDotCountsStayLinear) {
  std::vector<Header> headers{
      {"Host", "h"}, {"X-Amz-Date", "20261203T124028Z"}, {"Authorization", kGoodAuth}};
  ParsedAuth auth;
  auth.signed_headers = {"host"};
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& path : {std::string(1'000'000, '/'), [] {
                                    std::string s;
                                    for (int i = 0; i < 200'000; ++i) s += "/..";
                                    return s;
                                  }(),
                                  [] {
                                    std::string s;
                                    for (int i = 0; i < 100'000; ++i) s += "/a";
                                    for (int i = 0; i < 100'000; ++i) s += "/..";
                                    return s + "/";
                                  }(),
                                  std::string(500'000, '%'), std::string(500'000, '.')}) {
    auto c = canonical_request(RequestView{"GET", path, &headers, ""}, auth);
    ASSERT_TRUE(std::holds_alternative<std::string>(c));
    exercise(RequestView{"GET", path, &headers, ""});
  }
  auto c = canonical_request(RequestView{"GET", std::string(1'000'000, '/'), &headers, ""}, auth);
  EXPECT_EQ(std::get<std::string>(c).substr(0, 6), "GET\n/\n");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // Generous even for a sanitizer build; a quadratic walk over these inputs would take minutes.
  EXPECT_LT(elapsed, std::chrono::seconds(20));
}

TEST(SigV4Robustness, HugeQueryStringsAndHeaderCounts) {
  std::string query = "/?";
  for (int i = 0; i < 50'000; ++i) query += "k" + std::to_string(i % 97) + "=%" + (i % 2 ? "4" : "") + "&";
  std::vector<Header> headers{
      {"Host", "h"}, {"X-Amz-Date", "20261203T124028Z"}, {"Authorization", kGoodAuth}};
  for (int i = 0; i < 5'000; ++i) headers.push_back({"host", std::string(static_cast<size_t>(i % 7), ' ')});
  exercise(RequestView{"POST", query, &headers, std::string(100'000, 'x')});
}

// Random mixtures of the characters that steer the parsers, with a fixed seed so a failure
// reproduces.
TEST(SigV4Robustness, RandomGarbage) {
  std::mt19937 rng(20261203);
  static const std::vector<std::string> kPieces = {
      "/", ".", "..", "%", "%4", "%41", "%2F", "?", "&", "=", "+", " ", "\t", "\r\n", ",", ";", "\xff",
      std::string(1, '\0'), "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
      "X-Amz-SignedHeaders", "X-Amz-Date",
      "X-Amz-Expires", "X-Amz-Security-Token", "AWS4-HMAC-SHA256", "Credential", "SignedHeaders",
      "Signature", "host", "aws4_request", "20261203T124028Z", "20261203", "-", "9"};
  auto garbage = [&](size_t max_pieces) {
    std::string s;
    size_t n = rng() % (max_pieces + 1);
    for (size_t i = 0; i < n; ++i) s += kPieces[rng() % kPieces.size()];
    return s;
  };
  int accepted = 0;
  for (int iter = 0; iter < 20'000; ++iter) {
    std::vector<Header> headers;
    size_t nh = rng() % 5;
    for (size_t i = 0; i < nh; ++i) {
      static const char* kNames[] = {"Host", "Authorization", "X-Amz-Date", "Date", "x-amz-content-sha256",
                                     "X-Amz-Security-Token", "x"};
      headers.push_back({kNames[rng() % 7], garbage(12)});
    }
    if (rng() % 2) headers.push_back({"Authorization", "AWS4-HMAC-SHA256 " + garbage(16)});
    std::string target = garbage(20);
    std::string body = garbage(4);
    accepted += exercise(RequestView{garbage(1), target, rng() % 8 ? &headers : nullptr, body}) ? 1 : 0;
  }
  RecordProperty("accepted", accepted);
}

}  // namespace
}  // namespace orch::sigv4
