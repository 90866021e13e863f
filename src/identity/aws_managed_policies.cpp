// The AWS managed policies administrators expect to attach. Their documents are ours, written to
// grant what the AWS policy of the same name grants for the services Orchestera serves.
#include "identity/directory.h"

namespace orch::identity {
namespace {
struct Builtin {
  const char* name;
  const char* path;
  const char* description;
  const char* document;
};

constexpr Builtin kBuiltins[] = {
    {"AdministratorAccess", "/", "Provides full access to AWS services and resources.",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"},
    {"ReadOnlyAccess", "/", "Provides read-only access to AWS services and resources.",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:Generate*","iam:Simulate*","sts:GetCallerIdentity","eks:Describe*","eks:List*","organizations:Describe*","organizations:List*"],"Resource":"*"}]})"},
    {"IAMFullAccess", "/", "Provides full access to IAM via the AWS Management Console.",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]})"},
    {"IAMReadOnlyAccess", "/", "Provides read only access to IAM via the AWS Management Console.",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]})"},
    {"PowerUserAccess", "/", "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions","account:GetAccountInformation"],"Resource":"*"}]})"},
};

std::map<std::string, Ref<ManagedPolicy>> build() {
  std::map<std::string, Ref<ManagedPolicy>> out;
  int n = 0;
  for (const auto& b : kBuiltins) {
    ManagedPolicy p;
    p.account = "aws";
    // Stable ids so ListPolicies answers the same across restarts.
    p.id = "ANPAORCHESTERAAWS" + std::to_string(1000 + n++);
    p.name = b.name;
    p.path = b.path;
    p.description = b.description;
    p.created = p.updated = 1423526400;  // 2015-02-10, when AWS published most of these
    p.default_version = "v1";
    p.next_version = 2;
    PolicyVersion v{"v1", b.document, p.created, nullptr};
    auto parsed = policy::parse(v.document, policy::DocKind::Identity);
    v.parsed = std::get<std::shared_ptr<const policy::Policy>>(parsed);  // ours: must parse
    p.versions.push_back(std::move(v));
    std::string arn = p.arn();  // before the move below
    out[arn] = std::make_shared<const ManagedPolicy>(std::move(p));
  }
  return out;
}
}  // namespace

const std::map<std::string, Ref<ManagedPolicy>>& aws_managed_policies() {
  static const auto policies = build();
  return policies;
}

}  // namespace orch::identity
