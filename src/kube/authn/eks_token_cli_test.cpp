// Tokens made by the real `aws eks get-token` (aws CLI v1) with credentials from a temporary
// Directory, checked by verify_eks_token. The CLI presigns locally and makes no network call,
// so the endpoint host can be a name that does not resolve. Skipped only when `aws` is not on
// PATH.
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "base/clock.h"
#include "kube/authn/test_fixture.h"

namespace orch::kube::authn::testing {
namespace {

namespace json = boost::json;

bool aws_on_path() {
  const char* path = ::getenv("PATH");
  if (!path) return false;
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((dir + "/aws").c_str(), X_OK) == 0) return true;
  }
  return false;
}

struct CliResult {
  int status = -1;
  std::string out, err;
};

// Runs `aws eks get-token` for `profile` in `config`, isolated from the caller's AWS settings:
// every variable that could pick other credentials, another endpoint or another region is
// removed (HOME stays, pyenv shims need it).
CliResult get_token(const std::filesystem::path& dir, const std::string& profile, const std::string& cluster) {
  const std::string err_file = (dir / "stderr.txt").string();
  std::string cmd =
      "env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN"
      " -u AWS_SECURITY_TOKEN -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_STS -u AWS_ENDPOINT_URL_EKS -u AWS_REGION"
      " -u AWS_DEFAULT_REGION -u AWS_STS_REGIONAL_ENDPOINTS -u AWS_CA_BUNDLE -u AWS_ROLE_ARN"
      " -u AWS_WEB_IDENTITY_TOKEN_FILE -u KUBERNETES_EXEC_INFO"
      " AWS_CONFIG_FILE='" + (dir / "config").string() + "' AWS_SHARED_CREDENTIALS_FILE='" +
      (dir / "credentials").string() + "' AWS_EC2_METADATA_DISABLED=true AWS_PAGER=''"
      " timeout 120 aws --profile " + profile + " eks get-token --cluster-name " + cluster + " --output json 2>'" +
      err_file + "'";
  CliResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream e(err_file);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  return r;
}

std::string token_from(const CliResult& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.out, ec);
  if (ec || !v.is_object()) return {};
  const json::value* t = v.find_pointer("/status/token", ec);
  return t && t->is_string() ? std::string(t->as_string()) : std::string();
}

using AwsCli = AuthnFixture;

TEST_F(AwsCli, GetTokenFromTheRealCliVerifies) {
  if (!aws_on_path()) GTEST_SKIP() << "the aws CLI is not on PATH; install aws-cli v1 to run this test";

  Session session = role_session("cli-session", clock::now_seconds() - 60, clock::now_seconds() + 3600);
  TempDir tmp;
  {
    std::ofstream config(tmp.path() / "config");
    config << "[profile orch-user]\n"
           << "region = us-east-1\n"
           << "endpoint_url = https://orchestera.test:9443\n"
           << "aws_access_key_id = " << key_.id << "\n"
           << "aws_secret_access_key = " << key_.secret << "\n\n"
           << "[profile orch-role]\n"
           << "region = eu-west-1\n"
           << "endpoint_url = https://Orchestera.Test:443\n"
           << "aws_access_key_id = " << session.access_key_id << "\n"
           << "aws_secret_access_key = " << session.secret << "\n"
           << "aws_session_token = " << session.token << "\n";
    std::ofstream credentials(tmp.path() / "credentials");
  }
  policy_.own_hosts = {"orchestera.test:9443", "orchestera.test"};

  // Long-term user key.
  CliResult user = get_token(tmp.path(), "orch-user", "c1");
  ASSERT_EQ(user.status, 0) << user.err;
  const std::string user_token = token_from(user);
  ASSERT_FALSE(user_token.empty()) << user.out;
  const std::string user_url = decode_token(user_token);
  // Observation: the URL carries endpoint_url's host and port verbatim.
  EXPECT_TRUE(user_url.starts_with("https://orchestera.test:9443/?Action=GetCallerIdentity&Version=2011-06-15&"))
      << user_url;
  EXPECT_NE(user_url.find("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"), std::string::npos) << user_url;
  EXPECT_NE(user_url.find("X-Amz-Expires=60"), std::string::npos) << user_url;

  const int64_t now = clock::now_seconds();
  auto r = verify(user_token, "c1", now);
  ASSERT_TRUE(std::holds_alternative<TokenIdentity>(r)) << std::get<TokenError>(r).reason << "\n" << user_url;
  EXPECT_EQ(std::get<TokenIdentity>(r).arn, "arn:aws:iam::111122223333:user/admin");
  EXPECT_EQ(std::get<TokenIdentity>(r).user_id, admin_.id);
  EXPECT_REASON(reason(user_token, "c2", now), "SignatureDoesNotMatch");
  EXPECT_REASON(reason(user_token, "c1", now + 16 * 60), "X-Amz-Date parameter is expired");

  // Role session with a session token, endpoint written with capitals and the default port:
  // the URL keeps "Orchestera.Test:443", the signature covers "host:orchestera.test".
  CliResult role = get_token(tmp.path(), "orch-role", "spark-dev");
  ASSERT_EQ(role.status, 0) << role.err;
  const std::string role_token = token_from(role);
  const std::string role_url = decode_token(role_token);
  EXPECT_TRUE(role_url.starts_with("https://Orchestera.Test:443/?Action=GetCallerIdentity&")) << role_url;
  EXPECT_NE(role_url.find("X-Amz-Security-Token="), std::string::npos) << role_url;
  EXPECT_NE(role_url.find("%2Feu-west-1%2Fsts%2Faws4_request"), std::string::npos) << role_url;
  r = verify(role_token, "spark-dev", clock::now_seconds());
  ASSERT_TRUE(std::holds_alternative<TokenIdentity>(r)) << std::get<TokenError>(r).reason << "\n" << role_url;
  const TokenIdentity& id = std::get<TokenIdentity>(r);
  EXPECT_EQ(id.arn, "arn:aws:sts::111122223333:assumed-role/orchestera-platform-devs/cli-session");
  EXPECT_EQ(id.canonical_arn, "arn:aws:iam::111122223333:role/orchestera-platform-devs");
  EXPECT_EQ(id.user_id, role_.id);
  EXPECT_EQ(id.session_name, "cli-session");
  EXPECT_EQ(id.access_key_id, session.access_key_id);

  // Not one of our hosts any more: refused before any signature work.
  policy_.own_hosts = {"orchestera.test:9443"};
  EXPECT_REASON(reason(role_token, "spark-dev", clock::now_seconds()), "could not parse region for pre-signed URL \"Orchestera.Test:443\"");
}

}  // namespace
}  // namespace orch::kube::authn::testing
