#include "kube/authn/identity_mapping.h"

#include <gtest/gtest.h>

using namespace orch;
using namespace orch::kube::authn;

namespace {
TokenIdentity role_session() {
  TokenIdentity t;
  t.account = "111122223333";
  t.arn = "arn:aws:sts::111122223333:assumed-role/devs/botocore-session-1";
  t.canonical_arn = "arn:aws:iam::111122223333:role/devs";
  t.user_id = "AROAEXAMPLEROLEID0001";
  t.session_name = "botocore-session-1";
  t.access_key_id = "ASIAEXAMPLEKEY000001";
  t.caller.kind = identity::Caller::Kind::RoleSession;
  t.caller.role_arn = "arn:aws:iam::111122223333:role/team/devs";  // with its path
  t.caller.arn = t.arn;
  return t;
}

identity::Cluster cluster_with(identity::AccessEntry e) {
  identity::Cluster c;
  c.account = "111122223333";
  c.name = "spark";
  c.access_entries.push_back(std::move(e));
  return c;
}
}  // namespace

TEST(IdentityMapping, RoleSessionThroughTheRoleEntry) {
  identity::AccessEntry e;
  e.principal_arn = "arn:aws:iam::111122223333:role/team/devs";
  e.principal_id = "AROAEXAMPLEROLEID0001";
  e.username = "arn:aws:sts::111122223333:assumed-role/devs/{{SessionName}}";
  e.groups = {"orchestera:platform-devs"};
  auto u = map_identity(role_session(), cluster_with(e));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->username, "arn:aws:sts::111122223333:assumed-role/devs/botocore-session-1");
  EXPECT_EQ(u->uid, "aws-iam-authenticator:111122223333:AROAEXAMPLEROLEID0001");
  EXPECT_EQ(u->groups, (std::vector<std::string>{"orchestera:platform-devs", "system:authenticated"}));
  EXPECT_EQ(u->extra.at("sessionName"), std::vector<std::string>{"botocore-session-1"});
  EXPECT_EQ(u->extra.at("canonicalArn"), std::vector<std::string>{"arn:aws:iam::111122223333:role/devs"});
  EXPECT_EQ(u->extra.at("accessKeyId"), std::vector<std::string>{"ASIAEXAMPLEKEY000001"});
}

TEST(IdentityMapping, TemplatesAndUsers) {
  TokenIdentity t;
  t.account = "111122223333";
  t.arn = t.canonical_arn = "arn:aws:iam::111122223333:user/alice";
  t.user_id = "AIDAEXAMPLEUSERID0001";
  t.caller.kind = identity::Caller::Kind::User;
  t.caller.arn = t.arn;
  identity::AccessEntry e;
  e.principal_arn = t.arn;
  e.username = "user-{{AccountID}}";
  auto u = map_identity(t, cluster_with(e));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->username, "user-111122223333");
  EXPECT_EQ(u->groups, std::vector<std::string>{"system:authenticated"});
  EXPECT_FALSE(u->extra.count("sessionName"));
}

TEST(IdentityMapping, NoEntryOrAnotherPrincipalOfTheSameArnIsNobody) {
  identity::AccessEntry other;
  other.principal_arn = "arn:aws:iam::111122223333:role/other";
  EXPECT_FALSE(map_identity(role_session(), cluster_with(other)));
  identity::AccessEntry stale;
  stale.principal_arn = "arn:aws:iam::111122223333:role/team/devs";
  stale.principal_id = "AROADELETEDROLEID0001";  // made for a role since deleted and re-created
  EXPECT_FALSE(map_identity(role_session(), cluster_with(stale)));
}
