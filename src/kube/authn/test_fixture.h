// Shared by the kube_authn tests: a Directory over a temporary SQLite store holding one account
// with an IAM user (and key) and a role, plus helpers that mint tokens with sigv4::presign the
// way `aws eks get-token` builds them.
#pragma once
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "base/crypto.h"
#include "identity/accounts.h"
#include "identity/directory.h"
#include "identity/principals.h"
#include "kube/authn/eks_token.h"
#include "sigv4/sigv4.h"

namespace orch::kube::authn::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "orch-kube-authn-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// What a presigned GetCallerIdentity URL is made of; defaults give a valid user-key token.
struct Mint {
  std::string scheme = "https";
  std::string url_host = "127.0.0.1:9443";  // as written in the URL
  std::string signed_host;                  // Host header signed; empty = url_host
  std::string cluster = "c1";
  std::string access_key_id, secret;
  std::optional<std::string> session_token;
  int64_t at = 0;
  int64_t expires = 60;
  std::string query = "Action=GetCallerIdentity&Version=2011-06-15";
  bool sign_cluster = true;
  std::string region = "us-east-1";
  std::string service = "sts";
};

inline std::string mint_url(const Mint& m) {
  sigv4::SigningInput in;
  in.method = "GET";
  in.target = "/?" + m.query;
  in.headers = {{"Host", m.signed_host.empty() ? m.url_host : m.signed_host}};
  if (m.sign_cluster) in.headers.push_back({"x-k8s-aws-id", m.cluster});
  in.access_key_id = m.access_key_id;
  in.secret = m.secret;
  in.session_token = m.session_token;
  in.region = m.region;
  in.service = m.service;
  in.now = m.at;
  return m.scheme + "://" + m.url_host + sigv4::presign(in, m.expires);
}

inline std::string token_of(std::string_view url) { return "k8s-aws-v1." + crypto::base64url_encode(url); }

inline std::string decode_token(std::string_view token) {
  std::string out;
  if (!token.starts_with("k8s-aws-v1.") || !crypto::base64url_decode(token.substr(11), out)) return {};
  return out;
}

class AuthnFixture : public ::testing::Test {
 protected:
  static constexpr int64_t kNow = 1796301749;  // 2026-12-03T12:42:29Z
  static constexpr const char* kAccount = "111122223333";

  TempDir dir_;
  std::unique_ptr<store::Store> store_ = store::open_sqlite((dir_.path() / "db").string());
  std::unique_ptr<identity::Directory> directory_ =
      std::make_unique<identity::Directory>(*store_, crypto::SecretBox(std::string(32, 'k')));
  identity::User admin_;
  identity::AccessKey key_;
  identity::User alice_;  // a user with a path, and a key made by hand
  identity::AccessKey alice_key_;
  identity::Role role_;
  TokenPolicy policy_{{"127.0.0.1:9443"}, "aws", "us-east-1"};

  void SetUp() override {
    directory_->write([&](identity::Txn& t) {
      identity::Account a;
      a.id = kAccount;
      a.name = "dev";
      t.put(a);
      std::tie(admin_, key_) = identity::create_admin_user(t, kAccount, "admin", kNow - 86400);

      alice_.account = kAccount;
      alice_.id = "AIDAALICEEXAMPLE00001";
      alice_.name = "alice";
      alice_.path = "/eng/";
      t.put(alice_);
      alice_key_.id = "AKIAALICEEXAMPLE0001";
      alice_key_.account = kAccount;
      alice_key_.user_id = alice_.id;
      alice_key_.secret = "alice/secret+key/0123456789abcdefghijk";
      t.put(alice_key_);

      role_.account = kAccount;
      role_.id = "AROAPLATFORMDEVS00001";
      role_.name = "orchestera-platform-devs";
      role_.path = "/team/";
      role_.trust_policy =
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]})";
      t.put(role_);
    });
  }

  // Role session credentials as AssumeRole would hand them out.
  struct Session {
    std::string access_key_id, secret, token;
  };
  Session role_session(std::string session_name = "botocore-session-1796301749", int64_t issued = kNow - 60,
                       int64_t expires = kNow + 3600) {
    identity::SessionClaims claims;  // by member: the struct grows (session tags, ...)
    claims.kind = "role";
    claims.account = kAccount;
    claims.access_key_id = "ASIAROLESESSION00001";
    claims.secret = "role/session+secret/xyz";
    claims.subject_id = role_.id;
    claims.session_name = std::move(session_name);
    claims.issued = issued;
    claims.expires = expires;
    return {claims.access_key_id, claims.secret, identity::seal_session(directory_->box(), claims)};
  }

  Mint user_mint() const {
    Mint m;
    m.access_key_id = key_.id;
    m.secret = key_.secret;
    m.at = kNow;
    return m;
  }

  std::variant<TokenIdentity, TokenError> verify(std::string_view token, std::string_view cluster = "c1",
                                                 int64_t now = kNow) {
    return directory_->read([&](const identity::State& s) {
      return verify_eks_token(token, cluster, policy_, s, directory_->box(), now);
    });
  }

  // The reason of a rejection, or "" (and a test failure) if the token was accepted.
  std::string reason(std::string_view token, std::string_view cluster = "c1", int64_t now = kNow) {
    auto r = verify(token, cluster, now);
    if (auto* e = std::get_if<TokenError>(&r)) return e->reason;
    ADD_FAILURE() << "token was accepted: " << decode_token(token);
    return {};
  }
};

// gtest's HasSubstr without gmock.
#define EXPECT_REASON(reason_expr, needle)                                       \
  do {                                                                           \
    const std::string r_ = (reason_expr);                                        \
    EXPECT_NE(r_.find(needle), std::string::npos) << "reason: " << r_;           \
  } while (0)

}  // namespace orch::kube::authn::testing
