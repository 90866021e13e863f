// The AWS SigV4 test suite (../shared/testdata/sigv4, see its README), run as a server would:
// each signed request is parsed and verified, and the intermediate texts are compared.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/clock.h"
#include "sigv4/sigv4.h"

namespace orch::sigv4 {
namespace {

namespace fs = std::filesystem;

// ctest runs from the source directory (/work/main); the suite sits beside it.
const fs::path kSuiteDir = "../shared/testdata/sigv4";
constexpr size_t kSuiteCases = 38;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> discover_cases() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kSuiteDir, ec)) {
    if (e.is_directory() && fs::exists(e.path() / "context.json")) {
      names.push_back(e.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A request as the suite writes it: request line, "Name:value" lines, a blank line, the body.
// Lines that start with whitespace continue the previous header (obs-fold); they are kept with
// their CR LF, as a parser that does not unfold would hand them over.
struct WireRequest {
  std::string method;
  std::string target;
  std::vector<Header> headers;
  std::string body;
  RequestView view() const { return RequestView{method, target, &headers, body}; }
};

WireRequest parse_wire(const std::string& text) {
  WireRequest r;
  size_t pos = text.find('\n');
  std::string_view line = std::string_view(text).substr(0, pos);
  size_t first = line.find(' ');
  size_t last = line.rfind(' ');
  r.method = line.substr(0, first);
  // The target may hold raw spaces (get-space-*), so it runs to the last space.
  r.target = line.substr(first + 1, last - first - 1);
  while (pos != std::string::npos && pos + 1 <= text.size()) {
    size_t start = pos + 1;
    pos = text.find('\n', start);
    std::string_view l = std::string_view(text).substr(start, pos == std::string::npos ? std::string::npos
                                                                                         : pos - start);
    if (l.empty()) {
      if (pos != std::string::npos) r.body = text.substr(pos + 1);
      break;
    }
    if ((l.front() == ' ' || l.front() == '\t') && !r.headers.empty()) {
      r.headers.back().value.append("\r\n").append(l);
      continue;
    }
    size_t colon = l.find(':');
    r.headers.push_back(Header{std::string(l.substr(0, colon)), std::string(l.substr(colon + 1))});
  }
  return r;
}

struct Context {
  std::string access_key_id;
  std::string secret;
  std::optional<std::string> token;
  std::string region;
  std::string service;
  int64_t timestamp = 0;
  bool normalize = true;
  bool omit_session_token = false;
};

Context load_context(const fs::path& dir) {
  const boost::json::object o = boost::json::parse(read_file(dir / "context.json")).as_object();
  const auto& creds = o.at("credentials").as_object();
  Context c;
  c.access_key_id = creds.at("access_key_id").as_string().c_str();
  c.secret = creds.at("secret_access_key").as_string().c_str();
  if (auto* t = creds.if_contains("token")) c.token = t->as_string().c_str();
  c.region = o.at("region").as_string().c_str();
  c.service = o.at("service").as_string().c_str();
  c.timestamp = clock::parse_iso8601(o.at("timestamp").as_string().c_str()).value();
  c.normalize = o.at("normalize").as_bool();
  if (auto* v = o.if_contains("omit_session_token")) c.omit_session_token = v->as_bool();
  return c;
}

enum class Form { kHeader, kQuery };

// The *-unnormalized cases carry signatures made with S3's rules, which this server does not
// implement (reference §1.2). Every one of them has a "-normalized" twin holding the same request,
// so they are not skipped: our canonical request must equal the twin's, and the S3-made signature
// must be refused exactly when S3's canonical request differs from the non-S3 one.
fs::path normalized_twin(const std::string& name) {
  const std::string suffix = "-unnormalized";
  return kSuiteDir / (name.substr(0, name.size() - suffix.size()) + "-normalized");
}

class AwsSuite : public testing::TestWithParam<std::string> {
 protected:
  void run(Form form) {
    const std::string& name = GetParam();
    const fs::path dir = kSuiteDir / name;
    const Context ctx = load_context(dir);
    const std::string prefix = form == Form::kHeader ? "header-" : "query-";
    const fs::path expected_dir = ctx.normalize ? dir : normalized_twin(name);
    ASSERT_TRUE(fs::exists(expected_dir)) << "no normalized twin for " << name;

    const WireRequest wire = parse_wire(read_file(dir / (prefix + "signed-request.txt")));
    const RequestView req = wire.view();
    auto parsed = parse(req);
    ASSERT_TRUE(std::holds_alternative<ParsedAuth>(parsed)) << std::get<AuthError>(parsed).message;
    const ParsedAuth& auth = std::get<ParsedAuth>(parsed);
    EXPECT_EQ(auth.presigned, form == Form::kQuery);
    EXPECT_EQ(auth.credential.access_key_id, ctx.access_key_id);
    EXPECT_EQ(auth.security_token, ctx.token);
    if (form == Form::kQuery) {
      EXPECT_EQ(auth.expires, 3600);
    }

    // A token appended after presigning must stay out of the canonical query string.
    const QueryToken token_mode = form == Form::kQuery && ctx.omit_session_token ? QueryToken::kUnsigned
                                                                                : QueryToken::kSigned;
    auto canonical = canonical_request(req, auth, token_mode);
    ASSERT_TRUE(std::holds_alternative<std::string>(canonical)) << std::get<AuthError>(canonical).message;
    const std::string& cr = std::get<std::string>(canonical);
    const std::string expected_cr = read_file(expected_dir / (prefix + "canonical-request.txt"));
    EXPECT_EQ(cr, expected_cr);
    EXPECT_EQ(string_to_sign(auth, cr), read_file(expected_dir / (prefix + "string-to-sign.txt")));

    const bool same_as_signer = read_file(dir / (prefix + "canonical-request.txt")) == expected_cr;
    auto ok = verify(req, auth, ctx.secret);
    if (same_as_signer) {
      EXPECT_EQ(auth.signature, read_file(dir / (prefix + "signature.txt")));
      EXPECT_FALSE(ok.has_value()) << ok->message;
    } else {
      ASSERT_TRUE(ok.has_value()) << "an S3-rules signature must not verify under non-S3 rules";
      EXPECT_EQ(ok->code, "SignatureDoesNotMatch");
    }

    auto wrong = verify(req, auth, ctx.secret + "x");
    ASSERT_TRUE(wrong.has_value());
    EXPECT_EQ(wrong->code, "SignatureDoesNotMatch");
    EXPECT_EQ(wrong->http_status, 403);
    // With an unsigned query token the message quotes the first attempt, which includes it.
    if (token_mode == QueryToken::kSigned) {
      EXPECT_NE(wrong->message.find("\n'" + expected_cr + "'\n"), std::string::npos)
          << "the mismatch message should quote the canonical request";
    }

    ParsedAuth flipped = auth;
    flipped.signature.back() = flipped.signature.back() == '0' ? '1' : '0';
    auto tampered = verify(req, flipped, ctx.secret);
    ASSERT_TRUE(tampered.has_value());
    EXPECT_EQ(tampered->code, "SignatureDoesNotMatch");

    auto window = check_scope_and_time(auth, ctx.service, ctx.timestamp);
    EXPECT_FALSE(window.has_value()) << window->message;
  }
};

TEST_P(AwsSuite, HeaderForm) { run(Form::kHeader); }
TEST_P(AwsSuite, QueryForm) { run(Form::kQuery); }

INSTANTIATE_TEST_SUITE_P(V4, AwsSuite, testing::ValuesIn(discover_cases()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// Guards against a missing or partial copy: an empty directory list would otherwise run nothing.
TEST(AwsSuiteData, AllCasesPresent) {
  ASSERT_TRUE(fs::is_directory(kSuiteDir)) << fs::absolute(kSuiteDir) << " is missing";
  const auto names = discover_cases();
  EXPECT_EQ(names.size(), kSuiteCases);
  for (const auto& n : names) {
    for (const char* f : {"request.txt", "context.json", "header-canonical-request.txt",
                          "header-string-to-sign.txt", "header-signature.txt", "header-signed-request.txt",
                          "query-canonical-request.txt", "query-string-to-sign.txt", "query-signature.txt",
                          "query-signed-request.txt"}) {
      EXPECT_TRUE(fs::exists(kSuiteDir / n / f)) << n << "/" << f;
    }
  }
}

}  // namespace
}  // namespace orch::sigv4
