// verify_eks_token against tokens minted with sigv4::presign: the accepted shapes, then one test
// per rule of aws-iam-authenticator and of STS, then robustness against garbage.
#include <random>

#include "kube/authn/test_fixture.h"

namespace orch::kube::authn::testing {
namespace {

std::string replace(std::string s, std::string_view from, std::string_view to) {
  size_t i = s.find(from);
  EXPECT_NE(i, std::string::npos) << "'" << from << "' not in " << s;
  if (i != std::string::npos) s.replace(i, from.size(), to);
  return s;
}

using EksToken = AuthnFixture;

// ---- accepted tokens ----

TEST_F(EksToken, AcceptsUserKeyToken) {
  auto r = verify(token_of(mint_url(user_mint())));
  ASSERT_TRUE(std::holds_alternative<TokenIdentity>(r)) << std::get<TokenError>(r).reason;
  const TokenIdentity& id = std::get<TokenIdentity>(r);
  EXPECT_EQ(id.account, kAccount);
  EXPECT_EQ(id.arn, "arn:aws:iam::111122223333:user/admin");
  EXPECT_EQ(id.canonical_arn, id.arn);
  EXPECT_EQ(id.user_id, admin_.id);
  EXPECT_TRUE(id.user_id.starts_with("AIDA")) << id.user_id;
  EXPECT_EQ(id.session_name, "");
  EXPECT_EQ(id.access_key_id, key_.id);
  EXPECT_EQ(id.caller.kind, identity::Caller::Kind::User);
  EXPECT_EQ(id.caller.user_name, "admin");
}

TEST_F(EksToken, UserArnKeepsItsPath) {
  Mint m = user_mint();
  m.access_key_id = alice_key_.id;
  m.secret = alice_key_.secret;
  auto r = verify(token_of(mint_url(m)));
  ASSERT_TRUE(std::holds_alternative<TokenIdentity>(r)) << std::get<TokenError>(r).reason;
  const TokenIdentity& id = std::get<TokenIdentity>(r);
  EXPECT_EQ(id.arn, "arn:aws:iam::111122223333:user/eng/alice");
  EXPECT_EQ(id.canonical_arn, "arn:aws:iam::111122223333:user/eng/alice");
  EXPECT_EQ(id.user_id, "AIDAALICEEXAMPLE00001");
}

TEST_F(EksToken, AcceptsRoleSessionTokenAndDropsRolePath) {
  Session s = role_session();
  Mint m = user_mint();
  m.access_key_id = s.access_key_id;
  m.secret = s.secret;
  m.session_token = s.token;
  std::string token = token_of(mint_url(m));
  EXPECT_LE(token.size(), 4096u) << "our session tokens must leave room under the authenticator's limit";
  auto r = verify(token);
  ASSERT_TRUE(std::holds_alternative<TokenIdentity>(r)) << std::get<TokenError>(r).reason;
  const TokenIdentity& id = std::get<TokenIdentity>(r);
  EXPECT_EQ(id.arn, "arn:aws:sts::111122223333:assumed-role/orchestera-platform-devs/botocore-session-1796301749");
  EXPECT_EQ(id.canonical_arn, "arn:aws:iam::111122223333:role/orchestera-platform-devs");
  EXPECT_EQ(id.user_id, "AROAPLATFORMDEVS00001");
  EXPECT_EQ(id.session_name, "botocore-session-1796301749");
  EXPECT_EQ(id.access_key_id, "ASIAROLESESSION00001");
  EXPECT_EQ(id.caller.kind, identity::Caller::Kind::RoleSession);
  EXPECT_EQ(id.caller.role_arn, "arn:aws:iam::111122223333:role/team/orchestera-platform-devs");
}

TEST_F(EksToken, SessionNameWithAtSignIsKeptRaw) {
  Session s = role_session("jane@example.com");
  Mint m = user_mint();
  m.access_key_id = s.access_key_id;
  m.secret = s.secret;
  m.session_token = s.token;
  auto r = verify(token_of(mint_url(m)));
  ASSERT_TRUE(std::holds_alternative<TokenIdentity>(r)) << std::get<TokenError>(r).reason;
  EXPECT_EQ(std::get<TokenIdentity>(r).session_name, "jane@example.com");
  EXPECT_EQ(std::get<TokenIdentity>(r).arn,
            "arn:aws:sts::111122223333:assumed-role/orchestera-platform-devs/jane@example.com");
}

TEST_F(EksToken, AcceptsRealAwsStsHostnames) {
  for (const char* host : {"sts.amazonaws.com", "sts.us-east-1.amazonaws.com", "sts.eu-west-1.amazonaws.com",
                           "sts-fips.us-east-1.amazonaws.com", "sts.us-west-2.api.aws"}) {
    Mint m = user_mint();
    m.url_host = host;
    auto r = verify(token_of(mint_url(m)));
    EXPECT_TRUE(std::holds_alternative<TokenIdentity>(r))
        << host << ": " << (std::holds_alternative<TokenError>(r) ? std::get<TokenError>(r).reason : "");
  }
}

TEST_F(EksToken, OwnHostIsComparedAsBotocoreSignsIt) {
  // endpoint_url=https://Orch.Example:443: the URL keeps the spelling, the signature uses
  // host:orch.example (observed with aws-cli 1.45.11).
  policy_.own_hosts = {"orch.example"};
  Mint m = user_mint();
  m.url_host = "Orch.Example:443";
  m.signed_host = "orch.example";
  auto r = verify(token_of(mint_url(m)));
  ASSERT_TRUE(std::holds_alternative<TokenIdentity>(r)) << std::get<TokenError>(r).reason;

  policy_.own_hosts = {"ORCH.example:443"};  // the policy side is normalised too
  r = verify(token_of(mint_url(m)));
  EXPECT_TRUE(std::holds_alternative<TokenIdentity>(r));

  // Signed with the URL's spelling instead: not what any client does, and not what we check.
  m.signed_host = "Orch.Example:443";
  EXPECT_REASON(reason(token_of(mint_url(m))), "SignatureDoesNotMatch");
}

TEST_F(EksToken, ExpiresUpTo900AndDatesWithinTheWindowAreFine) {
  Mint m = user_mint();
  m.expires = 900;
  EXPECT_TRUE(std::holds_alternative<TokenIdentity>(verify(token_of(mint_url(m)))));
  m = user_mint();
  m.at = kNow - 14 * 60;
  EXPECT_TRUE(std::holds_alternative<TokenIdentity>(verify(token_of(mint_url(m)))));
  m.at = kNow - 15 * 60;  // exactly 15 minutes: still valid ("now after date + 15 min" rejects)
  EXPECT_TRUE(std::holds_alternative<TokenIdentity>(verify(token_of(mint_url(m)))));
  m.at = kNow + 14 * 60;
  EXPECT_TRUE(std::holds_alternative<TokenIdentity>(verify(token_of(mint_url(m)))));
}

TEST_F(EksToken, TokenFromGetSessionTokenReportsTheUser) {
  identity::SessionClaims claims;
  claims.kind = "user";
  claims.account = kAccount;
  claims.access_key_id = "ASIAUSERSESSION00001";
  claims.secret = "user-session-secret";
  claims.subject_id = alice_.id;
  claims.issued = kNow - 60;
  claims.expires = kNow + 3600;
  Mint m = user_mint();
  m.access_key_id = claims.access_key_id;
  m.secret = claims.secret;
  m.session_token = identity::seal_session(directory_->box(), claims);
  auto r = verify(token_of(mint_url(m)));
  ASSERT_TRUE(std::holds_alternative<TokenIdentity>(r)) << std::get<TokenError>(r).reason;
  EXPECT_EQ(std::get<TokenIdentity>(r).arn, "arn:aws:iam::111122223333:user/eng/alice");
  EXPECT_EQ(std::get<TokenIdentity>(r).user_id, alice_.id);
  EXPECT_EQ(std::get<TokenIdentity>(r).session_name, "");
}

// ---- cluster binding and tampering ----

TEST_F(EksToken, TokenForClusterARefusedForClusterB) {
  Mint m = user_mint();
  m.cluster = "cluster-a";
  std::string token = token_of(mint_url(m));
  EXPECT_TRUE(std::holds_alternative<TokenIdentity>(verify(token, "cluster-a")));
  EXPECT_REASON(reason(token, "cluster-b"), "SignatureDoesNotMatch");
  EXPECT_REASON(reason(token, "cluster-b"), "cluster \"cluster-b\"");
}

TEST_F(EksToken, TamperedSignatureIsRefused) {
  std::string url = mint_url(user_mint());
  char& last = url.back();
  last = last == '0' ? '1' : '0';
  EXPECT_REASON(reason(token_of(url)), "SignatureDoesNotMatch");
}

TEST_F(EksToken, TamperedQueryParameterIsRefused) {
  std::string url = mint_url(user_mint());
  EXPECT_REASON(reason(token_of(replace(url, "X-Amz-Expires=60", "X-Amz-Expires=61"))), "SignatureDoesNotMatch");
  EXPECT_REASON(reason(token_of(replace(url, "us-east-1", "us-west-2"))), "SignatureDoesNotMatch");
  // Another user's key id with this signature.
  EXPECT_REASON(reason(token_of(replace(url, key_.id, alice_key_.id))), "SignatureDoesNotMatch");
}

TEST_F(EksToken, SignatureIsNotLoggedWithTheCanonicalRequest) {
  Session s = role_session();
  Mint m = user_mint();
  m.access_key_id = s.access_key_id;
  m.secret = s.secret;
  m.session_token = s.token;
  std::string r = reason(token_of(mint_url(m)), "other-cluster");
  EXPECT_REASON(r, "SignatureDoesNotMatch");
  EXPECT_EQ(r.find("Canonical String"), std::string::npos) << r;
  EXPECT_EQ(r.find("X-Amz-Security-Token"), std::string::npos) << "session token leaked into the reason: " << r;
  EXPECT_EQ(r.find(s.token.substr(4, 20)), std::string::npos) << "session token leaked into the reason: " << r;
}

// ---- the authenticator's format rules ----

TEST_F(EksToken, ForeignHostIsRefused) {
  Mint m = user_mint();
  m.url_host = "evil.example.com";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected hostname \"evil.example.com\"");
  m.url_host = "127.0.0.1:9444";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected hostname \"127.0.0.1:9444\"");
  m.url_host = "localhost";
  EXPECT_REASON(reason(token_of(mint_url(m))), "could not parse region");
  m.url_host = "sts.amazonaws.com.evil.example";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected hostname");
  m.url_host = "sts.cn-north-1.amazonaws.com.cn";
  EXPECT_REASON(reason(token_of(mint_url(m))), "partition {aws} does not support hostname");
  m.url_host = "sts.amazonaws.com:443";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected hostname");
  m.url_host = "STS.AMAZONAWS.COM";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected hostname");
  // With no partition configured, only the own endpoint is accepted.
  policy_.partition.clear();
  m.url_host = "sts.amazonaws.com";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected hostname");
}

TEST_F(EksToken, UserInfoInUrlIsRefused) {
  Mint m = user_mint();
  std::string url = replace(mint_url(m), "https://", "https://user:pw@");
  EXPECT_REASON(reason(token_of(url)), "user info");
}

TEST_F(EksToken, HttpSchemeIsRefused) {
  Mint m = user_mint();
  m.scheme = "http";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected scheme \"http\"");
  m.scheme = "HTTPS";  // Go lowercases the scheme; this one is fine
  EXPECT_TRUE(std::holds_alternative<TokenIdentity>(verify(token_of(mint_url(m)))));
  EXPECT_REASON(reason(token_of(replace(mint_url(user_mint()), "https:", ""))), "unexpected scheme \"\"");
  EXPECT_REASON(reason(token_of(":foo")), "missing protocol scheme");
}

TEST_F(EksToken, PathMustBeRoot) {
  std::string url = mint_url(user_mint());
  EXPECT_REASON(reason(token_of(replace(url, "9443/?", "9443/x?"))), "unexpected path in pre-signed URL");
  EXPECT_REASON(reason(token_of(replace(url, "9443/?", "9443?"))), "unexpected path in pre-signed URL");
  EXPECT_REASON(reason(token_of(replace(url, "9443/?", "9443//?"))), "unexpected path in pre-signed URL");
}

TEST_F(EksToken, ExtraQueryParameterIsRefused) {
  Mint m = user_mint();
  m.query += "&Foo=bar";  // correctly signed, still not allowed
  EXPECT_REASON(reason(token_of(mint_url(m))), "non-whitelisted query parameter \"Foo\"");
  m = user_mint();
  m.query += "&DurationSeconds=900";
  EXPECT_REASON(reason(token_of(mint_url(m))), "non-whitelisted query parameter \"DurationSeconds\"");
}

TEST_F(EksToken, DuplicateAndMultiValuedParametersAreRefused) {
  Mint m = user_mint();
  m.query = "Action=GetCallerIdentity&action=GetCallerIdentity&Version=2011-06-15";
  EXPECT_REASON(reason(token_of(mint_url(m))), "duplicate query parameter found");
  m.query = "Action=GetCallerIdentity&Action=GetCallerIdentity&Version=2011-06-15";
  EXPECT_REASON(reason(token_of(mint_url(m))), "query parameter with multiple values not supported");
}

TEST_F(EksToken, MalformedQueryIsRefused) {
  std::string url = mint_url(user_mint());
  EXPECT_REASON(reason(token_of(url + "&X-Amz-Date=%zz")), "malformed query parameter");
  EXPECT_REASON(reason(token_of(url + "%")), "malformed query parameter");
  EXPECT_REASON(reason(token_of(replace(url, "&Version", ";Version"))), "malformed query parameter");
}

TEST_F(EksToken, ActionAndVersionMustBeGetCallerIdentity) {
  Mint m = user_mint();
  m.query = "Action=AssumeRole&Version=2011-06-15";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected action parameter in pre-signed URL");
  m.query = "Action=getcalleridentity&Version=2011-06-15";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected action parameter in pre-signed URL");
  m.query = "Version=2011-06-15";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected action parameter in pre-signed URL");
  m.query = "Action=GetCallerIdentity&Version=2010-05-08";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected Version parameter");
  m.query = "Action=GetCallerIdentity";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected Version parameter");
  // The authenticator compares names without case, but STS reads them as written.
  m.query = "ACTION=GetCallerIdentity&Version=2011-06-15";
  EXPECT_REASON(reason(token_of(mint_url(m))), "MissingAction");
  m.query = "Action=GetCallerIdentity&version=2011-06-15";
  EXPECT_REASON(reason(token_of(mint_url(m))), "unexpected Version parameter");
}

TEST_F(EksToken, ClusterHeaderMustBeSigned) {
  Mint m = user_mint();
  m.sign_cluster = false;
  EXPECT_REASON(reason(token_of(mint_url(m))), "client did not sign the x-k8s-aws-id header");
}

TEST_F(EksToken, ExpiresMustBePresentAndAtMost900) {
  Mint m = user_mint();
  m.expires = 901;
  EXPECT_REASON(reason(token_of(mint_url(m))), "invalid X-Amz-Expires parameter in pre-signed URL: \"901\"");
  m.expires = -1;
  EXPECT_REASON(reason(token_of(mint_url(m))), "invalid X-Amz-Expires parameter");
  std::string url = mint_url(user_mint());
  EXPECT_REASON(reason(token_of(replace(url, "&X-Amz-Expires=60", ""))),
                "invalid X-Amz-Expires parameter in pre-signed URL: (missing)");
  EXPECT_REASON(reason(token_of(replace(url, "X-Amz-Expires=60", "X-Amz-Expires=6x"))), "invalid X-Amz-Expires");
  EXPECT_REASON(reason(token_of(replace(url, "X-Amz-Expires=60", "X-Amz-Expires="))), "invalid X-Amz-Expires");
  // 0 passes the authenticator but not STS here: the AWS plane requires 1..604800.
  m.expires = 0;
  EXPECT_REASON(reason(token_of(mint_url(m))), "IncompleteSignature");
}

TEST_F(EksToken, DateMustBeWithinFifteenMinutes) {
  Mint m = user_mint();
  m.at = kNow - 16 * 60;
  EXPECT_REASON(reason(token_of(mint_url(m))), "X-Amz-Date parameter is expired (15 minute expiration)");
  m.at = kNow - 15 * 60 - 1;
  EXPECT_REASON(reason(token_of(mint_url(m))), "X-Amz-Date parameter is expired");
  // The authenticator lets a future date through; STS's window refuses it.
  m.at = kNow + 16 * 60;
  EXPECT_REASON(reason(token_of(mint_url(m))), "Signature not yet current");
  std::string url = mint_url(user_mint());
  EXPECT_REASON(reason(token_of(replace(url, "&X-Amz-Date=20261203T124229Z", ""))),
                "X-Amz-Date parameter must be present");
  EXPECT_REASON(reason(token_of(replace(url, "X-Amz-Date=20261203T124229Z", "X-Amz-Date=2026-12-03T12:42:29Z"))),
                "error parsing X-Amz-Date parameter");
  EXPECT_REASON(reason(token_of(replace(url, "X-Amz-Date=20261203T124229Z", "X-Amz-Date=20261232T124229Z"))),
                "error parsing X-Amz-Date parameter");
}

TEST_F(EksToken, PaddedBase64IsRefused) {
  // Find a URL whose base64 needs padding, then write it padded (StdEncoding-style).
  Mint m = user_mint();
  std::string url;
  for (int64_t expires : {60, 600}) {  // two lengths in a row: one of them is not a multiple of 3
    m.expires = expires;
    url = mint_url(m);
    if (url.size() % 3 != 0) break;
  }
  ASSERT_NE(url.size() % 3, 0u);
  std::string padded = token_of(url) + (url.size() % 3 == 1 ? "==" : "=");
  EXPECT_TRUE(std::holds_alternative<TokenIdentity>(verify(token_of(url), m.cluster)));
  EXPECT_REASON(reason(padded, m.cluster), "padding is not allowed");
  // The standard alphabet is not RawURL either.
  std::string std_alphabet = token_of(url);
  for (char& c : std_alphabet.replace(0, 11, "")) c = c == '-' ? '+' : c == '_' ? '/' : c;
  if (std_alphabet.find_first_of("+/") != std::string::npos)
    EXPECT_REASON(reason("k8s-aws-v1." + std_alphabet, m.cluster), "illegal base64 data");
  EXPECT_REASON(reason("k8s-aws-v1.a"), "illegal base64 data");
}

TEST_F(EksToken, WrongPrefixIsRefused) {
  std::string body = token_of(mint_url(user_mint())).substr(11);
  EXPECT_REASON(reason("k8s-aws-v2." + body), "token is missing expected \"k8s-aws-v1.\" prefix");
  EXPECT_REASON(reason("K8S-AWS-V1." + body), "missing expected");
  EXPECT_REASON(reason(body), "missing expected");
  EXPECT_REASON(reason("Bearer k8s-aws-v1." + body), "missing expected");
  EXPECT_REASON(reason(""), "missing expected");
}

TEST_F(EksToken, OversizeTokenIsRefused) {
  EXPECT_REASON(reason("k8s-aws-v1." + std::string(4096 - 11 + 1, 'A')), "token is too large");
  // A correctly signed URL that is simply too long (a huge session token, as with large
  // session policies) is refused before anything else.
  Session s = role_session(std::string(64, 's'));
  Mint m = user_mint();
  m.access_key_id = s.access_key_id;
  m.secret = s.secret;
  m.session_token = s.token + std::string(3000, 'A');
  std::string token = token_of(mint_url(m));
  ASSERT_GT(token.size(), 4096u);
  EXPECT_REASON(reason(token), "token is too large");
}

// ---- credentials, as STS judges them ----

TEST_F(EksToken, InactiveKeyIsRefused) {
  std::string token = token_of(mint_url(user_mint()));
  directory_->write([&](identity::Txn& t) {
    identity::AccessKey k = *t.state().keys.at(key_.id);
    k.status = "Inactive";
    t.put(k);
  });
  EXPECT_REASON(reason(token), "InvalidClientTokenId");
}

TEST_F(EksToken, DeletedKeyIsRefused) {
  std::string token = token_of(mint_url(user_mint()));
  directory_->write([&](identity::Txn& t) { t.remove(*t.state().keys.at(key_.id)); });
  EXPECT_REASON(reason(token), "InvalidClientTokenId");
}

TEST_F(EksToken, UnknownKeyIsRefused) {
  Mint m = user_mint();
  m.access_key_id = "AKIAUNKNOWNUNKNOWN00";
  EXPECT_REASON(reason(token_of(mint_url(m))), "InvalidClientTokenId");
}

TEST_F(EksToken, LongTermKeyWithSessionTokenIsRefused) {
  Mint m = user_mint();
  m.session_token = role_session().token;
  EXPECT_REASON(reason(token_of(mint_url(m))), "InvalidClientTokenId");
}

TEST_F(EksToken, ExpiredSessionIsRefused) {
  // Credentials that expired a minute ago; the token itself is fresh.
  Session s = role_session("old", kNow - 3600, kNow - 60);
  Mint m = user_mint();
  m.access_key_id = s.access_key_id;
  m.secret = s.secret;
  m.session_token = s.token;
  EXPECT_REASON(reason(token_of(mint_url(m))), "ExpiredToken");
  // A token signed while the session was alive dies with the session, not 15 minutes later.
  Session live = role_session("live", kNow - 3600, kNow + 60);
  m.access_key_id = live.access_key_id;
  m.secret = live.secret;
  m.session_token = live.token;
  std::string token = token_of(mint_url(m));
  EXPECT_TRUE(std::holds_alternative<TokenIdentity>(verify(token)));
  EXPECT_REASON(reason(token, "c1", kNow + 61), "ExpiredToken");
}

TEST_F(EksToken, SessionTokenMissingOrTamperedIsRefused) {
  Session s = role_session();
  Mint m = user_mint();
  m.access_key_id = s.access_key_id;
  m.secret = s.secret;
  EXPECT_REASON(reason(token_of(mint_url(m))), "InvalidClientTokenId");
  std::string bad = s.token;
  bad[bad.size() / 2] = bad[bad.size() / 2] == 'A' ? 'B' : 'A';
  m.session_token = bad;
  EXPECT_REASON(reason(token_of(mint_url(m))), "InvalidClientTokenId");
}

TEST_F(EksToken, DeletedRoleRevokesItsSessions) {
  Session s = role_session();
  Mint m = user_mint();
  m.access_key_id = s.access_key_id;
  m.secret = s.secret;
  m.session_token = s.token;
  std::string token = token_of(mint_url(m));
  ASSERT_TRUE(std::holds_alternative<TokenIdentity>(verify(token)));
  directory_->write([&](identity::Txn& t) { t.remove(role_); });
  EXPECT_REASON(reason(token), "InvalidClientTokenId");
  // A namesake re-created with a new id does not inherit the session.
  directory_->write([&](identity::Txn& t) {
    identity::Role again = role_;
    again.id = "AROAPLATFORMDEVS00002";
    t.put(again);
  });
  EXPECT_REASON(reason(token), "InvalidClientTokenId");
}

TEST_F(EksToken, CredentialScopedToAnotherServiceIsRefused) {
  Mint m = user_mint();
  m.service = "iam";
  EXPECT_REASON(reason(token_of(mint_url(m))), "Credential should be scoped to correct service: 'sts'");
}

// ---- robustness ----

TEST_F(EksToken, GarbageNeverCrashesAndNeverForgesAnIdentity) {
  std::mt19937_64 rng(20261203);
  auto byte = [&] { return static_cast<char>(rng() & 0xff); };
  const std::string url = mint_url(user_mint());
  const std::string valid = token_of(url);
  int accepted = 0;
  auto check = [&](const std::string& token) {
    auto r = verify(token);
    if (auto* id = std::get_if<TokenIdentity>(&r)) {
      // Only a harmless respelling of the genuine URL may pass (e.g. %2F vs %2f), and then only
      // as the genuine caller.
      ++accepted;
      EXPECT_EQ(id->arn, "arn:aws:iam::111122223333:user/admin") << decode_token(token);
    } else {
      EXPECT_FALSE(std::get<TokenError>(r).reason.empty());
    }
  };
  for (int i = 0; i < 1500; ++i) {  // random bytes, random length, with and without the prefix
    std::string s(rng() % 600, '\0');
    for (char& c : s) c = byte();
    check(s);
    check("k8s-aws-v1." + s);
    check("k8s-aws-v1." + crypto::base64url_encode(s));
    check(token_of("https://127.0.0.1:9443/?" + s));
  }
  for (int i = 0; i < 3000; ++i) {  // one to three mutated characters of a valid token
    std::string t = valid;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) t[11 + rng() % (t.size() - 11)] = byte();
    check(t);
  }
  for (int i = 0; i < 3000; ++i) {  // mutated, truncated or extended URLs, correctly encoded
    std::string u = url;
    switch (rng() % 3) {
      case 0: u[rng() % u.size()] = byte(); break;
      case 1: u.resize(rng() % u.size()); break;
      default: u.insert(rng() % u.size(), 1, byte()); break;
    }
    check(token_of(u));
  }
  EXPECT_LT(accepted, 50) << "mutations should almost never verify";
}

}  // namespace
}  // namespace orch::kube::authn::testing
