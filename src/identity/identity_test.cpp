#include <gtest/gtest.h>

#include <filesystem>

#include "base/crypto.h"
#include "identity/accounts.h"
#include "identity/directory.h"
#include "identity/principals.h"
#include "identity/record.h"

using namespace orch;
using namespace orch::identity;

namespace {
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/orch-identity-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

crypto::SecretBox box() { return crypto::SecretBox(std::string(32, 'k')); }

struct Fixture : ::testing::Test {
  TempDir dir;
  std::unique_ptr<store::Store> store = store::open_sqlite((dir.path / "db").string());
  std::unique_ptr<Directory> directory = std::make_unique<Directory>(*store, box());
  std::string account;
  User admin;
  AccessKey key;

  void SetUp() override {
    directory->write([&](Txn& t) {
      Account a;
      a.id = account = "123456789012";
      a.name = "ws";
      t.put(a);
      std::tie(admin, key) = create_admin_user(t, account, "admin", 1000);
    });
  }
  void reopen() {
    directory.reset();
    store.reset();
    store = store::open_sqlite((dir.path / "db").string());
    directory = std::make_unique<Directory>(*store, box());
  }
};
}  // namespace

TEST_F(Fixture, WritesSurviveReopenWithSecretsSealed) {
  reopen();
  directory->read([&](const State& s) {
    ASSERT_NE(s.account(account), nullptr);
    auto u = s.account(account)->user("ADMIN");  // names are case-insensitive
    ASSERT_TRUE(u);
    EXPECT_EQ(u->name, "admin");
    ASSERT_TRUE(s.keys.count(key.id));
    EXPECT_EQ(s.keys.at(key.id)->secret, key.secret);
  });
  auto raw = store->get("/aws/iam/" + account + "/accesskey/" + key.id);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->value.find(key.secret), std::string::npos) << "secret stored in the clear";
}

TEST_F(Fixture, FailedMutationWritesNothing) {
  int64_t before = store->current_revision();
  EXPECT_THROW(directory->write([&](Txn& t) {
    User u = admin;
    u.name = "renamed";
    t.put(u);
    throw std::runtime_error("validation failed after the first op");
  }),
               std::runtime_error);
  EXPECT_EQ(store->current_revision(), before);
  directory->read([&](const State& s) { EXPECT_TRUE(s.account(account)->user("admin")); });
}

TEST_F(Fixture, RenameKeepsIdAndFreesOldName) {
  directory->write([&](Txn& t) {
    User u = admin;
    u.name = "root-admin";
    t.put(u);
  });
  directory->read([&](const State& s) {
    EXPECT_FALSE(s.account(account)->user("admin"));
    EXPECT_EQ(s.account(account)->user("root-admin")->id, admin.id);
  });
}

TEST_F(Fixture, ResolvesLongTermKeysAndRejectsInactiveOrUnknown) {
  directory->read([&](const State& s) {
    auto r = resolve(s, directory->box(), key.id, std::nullopt, 2000);
    ASSERT_TRUE(std::holds_alternative<Resolved>(r));
    EXPECT_EQ(std::get<Resolved>(r).caller.arn, "arn:aws:iam::123456789012:user/admin");
    EXPECT_EQ(std::get<Resolved>(r).secret, key.secret);
    auto unknown = resolve(s, directory->box(), "AKIAAAAAAAAAAAAAAAAA", std::nullopt, 2000);
    EXPECT_EQ(std::get<CredentialError>(unknown).code, "InvalidClientTokenId");
    auto with_token = resolve(s, directory->box(), key.id, std::string("x"), 2000);
    EXPECT_EQ(std::get<CredentialError>(with_token).code, "InvalidClientTokenId");
  });
  directory->write([&](Txn& t) {
    AccessKey k = *t.state().keys.at(key.id);
    k.status = "Inactive";
    t.put(k);
  });
  directory->read([&](const State& s) {
    EXPECT_EQ(std::get<CredentialError>(resolve(s, directory->box(), key.id, std::nullopt, 2000)).code,
              "InvalidClientTokenId");
  });
}

TEST_F(Fixture, RoleSessionsExpireAndDieWithTheirRole) {
  Role role;
  directory->write([&](Txn& t) {
    role.account = account;
    role.id = "AROAEXAMPLEEXAMPLE123";
    role.name = "dev";
    role.path = "/team/";
    role.trust_policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]})";
    t.put(role);
  });
  SessionClaims claims{"role", account, "ASIAEXAMPLEEXAMPLE12", "secret", role.id, "s1", 1000, 1900, std::nullopt, {}, {}};
  std::string token = seal_session(directory->box(), claims);
  directory->read([&](const State& s) {
    auto ok = resolve(s, directory->box(), claims.access_key_id, token, 1500);
    ASSERT_TRUE(std::holds_alternative<Resolved>(ok));
    const Caller& c = std::get<Resolved>(ok).caller;
    EXPECT_EQ(c.arn, "arn:aws:sts::123456789012:assumed-role/dev/s1");  // the path is dropped
    EXPECT_EQ(c.role_arn, "arn:aws:iam::123456789012:role/team/dev");
    EXPECT_EQ(c.userid, role.id + ":s1");
    EXPECT_EQ(std::get<CredentialError>(resolve(s, directory->box(), claims.access_key_id, token, 1900)).code,
              "ExpiredToken");
    EXPECT_EQ(std::get<CredentialError>(resolve(s, directory->box(), "ASIAOTHEROTHEROTHER1", token, 1500)).code,
              "InvalidClientTokenId");
    std::string tampered = token;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    EXPECT_EQ(std::get<CredentialError>(resolve(s, directory->box(), claims.access_key_id, tampered, 1500)).code,
              "InvalidClientTokenId");
    EXPECT_EQ(std::get<CredentialError>(resolve(s, directory->box(), claims.access_key_id, std::nullopt, 1500)).code,
              "InvalidClientTokenId");
  });
  directory->write([&](Txn& t) { t.remove(role); });
  directory->read([&](const State& s) {
    EXPECT_EQ(std::get<CredentialError>(resolve(s, directory->box(), claims.access_key_id, token, 1500)).code,
              "InvalidClientTokenId");
  });
}

TEST(Sessions, TokensFromAnotherKeyDoNotOpen) {
  SessionClaims claims{"user", "123456789012", "ASIAX", "s", "AIDAX", "n", 1, 2, std::nullopt, {}, {}};
  std::string token = seal_session(box(), claims);
  EXPECT_TRUE(open_session(box(), token));
  EXPECT_FALSE(open_session(crypto::SecretBox(std::string(32, 'z')), token));
  EXPECT_FALSE(open_session(box(), "garbage"));
}

TEST_F(Fixture, IdentityPoliciesGatherUserGroupsAndManaged) {
  directory->write([&](Txn& t) {
    Group g;
    g.account = account;
    g.id = "AGPAEXAMPLEEXAMPLE123";
    g.name = "devs";
    g.inline_policies.push_back({"assume", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]})", nullptr});
    t.put(g);
    User u = admin;
    u.group_ids.push_back(g.id);
    t.put(u);
  });
  directory->read([&](const State& s) {
    auto r = std::get<Resolved>(resolve(s, directory->box(), key.id, std::nullopt, 2000));
    policy::EvalInput in = identity_policies(s, r.caller);
    ASSERT_EQ(in.identity.size(), 2u);  // AdministratorAccess + the group's inline policy
    EXPECT_EQ(in.identity[0].type, "aws-managed");
    EXPECT_EQ(in.identity[1].type, "group");
    EXPECT_TRUE(in.identity[1].policy);
  });
}

TEST(Records, OlderAndNewerRecordsStillLoad) {
  // A cluster stored before access entries had a principal_id, with a member from the future.
  std::string stored = R"({"account":"123456789012","name":"c","id":"x","status":"ACTIVE","future":1,
    "access_entries":[{"principal_arn":"arn:aws:iam::123456789012:role/r","username":"u","groups":["g"]}]})";
  Cluster c = decode_record<Cluster>(stored);
  EXPECT_EQ(c.name, "c");
  EXPECT_EQ(c.version, "1.32");  // absent: the default
  ASSERT_EQ(c.access_entries.size(), 1u);
  EXPECT_EQ(c.access_entries[0].groups, std::vector<std::string>{"g"});
  EXPECT_EQ(c.access_entries[0].type, "STANDARD");
  EXPECT_TRUE(c.access_entries[0].principal_id.empty());
  // And what is written reads back the same.
  EXPECT_EQ(encode_record(decode_record<Cluster>(encode_record(c))), encode_record(c));
}
