// IAM policy evaluation for realistic identity policies of 1, 10 and 50 statements: action and
// resource wildcards, NotAction, policy variables and conditions (StringEquals, StringLike,
// IpAddress, Bool, DateLessThan), with the request context the gateway builds. The allowing
// statement is the last one (every statement is looked at); the implicit-deny case matches none.
#include <benchmark/benchmark.h>

#include <string>
#include <variant>

#include "policy/policy.h"

namespace {

using namespace orch;

std::string statement(int i, int n) {
  std::string si = std::to_string(i);
  if (i == n - 1)  // the one that allows the request
    return R"({"Sid":"ListIam","Effect":"Allow","Action":["iam:List*","iam:Get*"],"Resource":"arn:aws:iam::111122223333:*",)"
           R"("Condition":{"StringLike":{"aws:userid":"AIDA*"},"Bool":{"aws:SecureTransport":"true"}}})";
  switch (i % 5) {
    case 0:
      return R"({"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data-)" + si +
             R"(","arn:aws:s3:::data-)" + si + R"(/*"]})";
    case 1:
      return R"({"Effect":"Allow","Action":"ec2:Describe*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":["us-west-2","eu-west-)" +
             si + R"("]}}})";
    case 2:
      return R"({"Effect":"Deny","Action":["iam:DeleteUser","iam:DeleteRole"],"Resource":"arn:aws:iam::111122223333:user/admin-)" + si +
             R"("})";
    case 3:
      return R"({"Effect":"Allow","Action":["iam:CreateAccessKey","iam:UpdateAccessKey"],"Resource":"arn:aws:iam::111122223333:user/team-)" +
             si + R"(/${aws:username}","Condition":{"IpAddress":{"aws:SourceIp":["10.)" + std::to_string(i % 250) +
             R"(.0.0/16","192.168.0.0/24"]},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}})";
    default:
      return R"({"Effect":"Allow","NotAction":["iam:*","organizations:*","sts:*"],"Resource":"arn:aws:eks:us-east-1:111122223333:cluster/c)" +
             si + R"("})";
  }
}

std::string document(int n) {
  std::string doc = R"({"Version":"2012-10-17","Statement":[)";
  for (int i = 0; i < n; ++i) doc += (i ? "," : "") + statement(i, n);
  return doc + "]}";
}

policy::Request request(std::string action) {
  policy::Request r;
  r.action = std::move(action);
  r.resource = "arn:aws:iam::111122223333:user/";
  r.principal = {policy::Principal::Type::User, "111122223333", "arn:aws:iam::111122223333:user/alice", "",
                 "AIDAALICEALICEALICE22"};
  auto& c = r.context;
  c.set("aws:CurrentTime", "2026-12-03T12:42:29Z");
  c.set("aws:EpochTime", "1796301749");
  c.set("aws:SecureTransport", "true");
  c.set("aws:SourceIp", "127.0.0.1");
  c.set("aws:UserAgent", "aws-cli/1.45.11 md/Botocore#1.43.11");
  c.set("aws:RequestedRegion", "us-east-1");
  c.set("aws:PrincipalAccount", "111122223333");
  c.set("aws:userid", "AIDAALICEALICEALICE22");
  c.set("aws:PrincipalType", "User");
  c.set("aws:PrincipalArn", "arn:aws:iam::111122223333:user/alice");
  c.set("aws:username", "alice");
  return r;
}

policy::EvalInput input(int n) {
  auto parsed = policy::parse(document(n), policy::DocKind::Identity);
  if (auto* e = std::get_if<policy::ParseError>(&parsed)) throw std::runtime_error(e->message);
  policy::EvalInput in;
  in.identity.push_back({"bench", "user", std::get<std::shared_ptr<const policy::Policy>>(parsed)});
  return in;
}

void BM_PolicyEvaluate_Allow(benchmark::State& state) {
  auto in = input(static_cast<int>(state.range(0)));
  auto req = request("iam:ListUsers");
  for (auto _ : state) {
    auto d = policy::evaluate(in, req);
    if (!d.allowed()) state.SkipWithError(("not allowed: " + d.reason).c_str());
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_PolicyEvaluate_Allow)->Arg(1)->Arg(10)->Arg(50);

void BM_PolicyEvaluate_ImplicitDeny(benchmark::State& state) {
  auto in = input(static_cast<int>(state.range(0)));
  auto req = request("iam:CreateUser");
  for (auto _ : state) {
    auto d = policy::evaluate(in, req);
    if (d.effect != policy::Decision::Effect::ImplicitDeny) state.SkipWithError("expected an implicit deny");
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_PolicyEvaluate_ImplicitDeny)->Arg(1)->Arg(10)->Arg(50);

// Parsing and validating the document (done when a policy is stored, not per request).
void BM_PolicyParse(benchmark::State& state) {
  std::string doc = document(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(policy::parse(doc, policy::DocKind::Identity));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * doc.size()));
}
BENCHMARK(BM_PolicyParse)->Arg(1)->Arg(10)->Arg(50);

}  // namespace
