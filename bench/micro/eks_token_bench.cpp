// EKS bearer-token verification (k8s-aws-v1.<presigned GetCallerIdentity URL>) as the cluster
// plane does it: the authenticator's format rules, the credential lookup in the in-memory
// Directory and the SigV4 check — no network round trip. A user-key token and a role-session
// token (whose session token is opened with AES-256-GCM), over a Directory holding 1,000 users.
// Also the identity mapping through the cluster's access entry.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <variant>

#include "base/crypto.h"
#include "identity/accounts.h"
#include "identity/directory.h"
#include "identity/principals.h"
#include "kube/authn/eks_token.h"
#include "kube/authn/identity_mapping.h"
#include "sigv4/sigv4.h"

namespace {

using namespace orch;

constexpr int64_t kNow = 1796301749;
const char* kAccount = "111122223333";

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<identity::Directory> directory;
  identity::AccessKey key;
  identity::Role role;
  identity::Cluster cluster;
  kube::authn::TokenPolicy policy{{"127.0.0.1:9443"}, "aws", "us-east-1"};

  Fixture() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "orch-bench-eks-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    store = store::open_sqlite((dir / "db").string());
    directory = std::make_unique<identity::Directory>(*store, crypto::SecretBox(std::string(32, 'k')));
    directory->write([&](identity::Txn& t) {
      identity::Account a;
      a.id = kAccount;
      a.name = "dev";
      t.put(a);
      identity::User admin;
      std::tie(admin, key) = identity::create_admin_user(t, kAccount, "admin", kNow - 86400);
      for (int i = 0; i < 1000; ++i) {
        identity::User u;
        u.account = kAccount;
        char id[32];
        std::snprintf(id, sizeof id, "AIDABENCHUSER%08d", i);
        u.id = id;
        u.name = "user-" + std::to_string(i);
        t.put(u);
        identity::AccessKey k;
        std::snprintf(id, sizeof id, "AKIABENCHKEY%08d", i);
        k.id = id;
        k.account = kAccount;
        k.user_id = u.id;
        k.secret = "bench/secret/" + std::to_string(i) + "/0123456789abcdefghijk";
        t.put(k);
      }
      role.account = kAccount;
      role.id = "AROAPLATFORMDEVS00001";
      role.name = "orchestera-platform-devs";
      role.trust_policy =
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]})";
      t.put(role);
    });
    cluster.account = kAccount;
    cluster.name = "c1";
    cluster.id = "c1-id";
    cluster.status = "ACTIVE";
    identity::AccessEntry e;
    e.principal_arn = "arn:aws:iam::111122223333:user/admin";
    e.username = "arn:aws:iam::111122223333:user/admin";
    e.groups = {"system:masters"};
    cluster.access_entries.push_back(e);
    identity::AccessEntry r;
    r.principal_arn = "arn:aws:iam::111122223333:role/orchestera-platform-devs";
    r.username = "dev:{{SessionName}}";
    r.groups = {"orchestera:platform-devs"};
    cluster.access_entries.push_back(r);
  }
  ~Fixture() {
    directory.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  std::string token(const std::string& akid, const std::string& secret, std::optional<std::string> session) const {
    sigv4::SigningInput in;
    in.method = "GET";
    in.target = "/?Action=GetCallerIdentity&Version=2011-06-15";
    in.headers = {{"Host", "127.0.0.1:9443"}, {"x-k8s-aws-id", "c1"}};
    in.access_key_id = akid;
    in.secret = secret;
    in.session_token = std::move(session);
    in.service = "sts";
    in.now = kNow;
    return "k8s-aws-v1." + crypto::base64url_encode("https://127.0.0.1:9443" + sigv4::presign(in, 60));
  }
  std::string user_token() const { return token(key.id, key.secret, std::nullopt); }
  std::string role_token() const {
    identity::SessionClaims claims;
    claims.kind = "role";
    claims.account = kAccount;
    claims.access_key_id = "ASIAROLESESSION00001";
    claims.secret = "role/session+secret/xyz";
    claims.subject_id = role.id;
    claims.session_name = "botocore-session-1796301749";
    claims.issued = kNow - 60;
    claims.expires = kNow + 3600;
    return token(claims.access_key_id, claims.secret, identity::seal_session(directory->box(), claims));
  }
  std::variant<kube::authn::TokenIdentity, kube::authn::TokenError> verify(const std::string& t) const {
    return directory->read([&](const identity::State& s) {
      return kube::authn::verify_eks_token(t, "c1", policy, s, directory->box(), kNow);
    });
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void run(benchmark::State& state, const std::string& token, bool map) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    auto r = f.verify(token);
    auto* id = std::get_if<kube::authn::TokenIdentity>(&r);
    if (!id) {
      state.SkipWithError(("token refused: " + std::get<kube::authn::TokenError>(r).reason).c_str());
      return;
    }
    if (map) {
      auto user = kube::authn::map_identity(*id, f.cluster);
      if (!user) {
        state.SkipWithError("no access entry");
        return;
      }
      benchmark::DoNotOptimize(user);
    }
    benchmark::DoNotOptimize(r);
  }
  state.counters["network_round_trips"] = 0;  // verified locally, by construction
}

void BM_EksTokenVerify_UserKey(benchmark::State& state) { run(state, fixture().user_token(), false); }
BENCHMARK(BM_EksTokenVerify_UserKey);

void BM_EksTokenVerify_RoleSession(benchmark::State& state) { run(state, fixture().role_token(), false); }
BENCHMARK(BM_EksTokenVerify_RoleSession);

void BM_EksTokenVerifyAndMap_RoleSession(benchmark::State& state) { run(state, fixture().role_token(), true); }
BENCHMARK(BM_EksTokenVerifyAndMap_RoleSession);

// The part of a role-session token that a user token does not have: opening the sealed session.
void BM_SessionTokenOpen(benchmark::State& state) {
  const Fixture& f = fixture();
  identity::SessionClaims claims;
  claims.kind = "role";
  claims.account = kAccount;
  claims.access_key_id = "ASIAROLESESSION00001";
  claims.secret = "role/session+secret/xyz";
  claims.subject_id = f.role.id;
  claims.session_name = "botocore-session-1796301749";
  claims.issued = kNow - 60;
  claims.expires = kNow + 3600;
  std::string sealed = identity::seal_session(f.directory->box(), claims);
  for (auto _ : state) benchmark::DoNotOptimize(identity::open_session(f.directory->box(), sealed));
}
BENCHMARK(BM_SessionTokenOpen);

}  // namespace
