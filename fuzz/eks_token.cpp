// EKS bearer tokens ("k8s-aws-v1." + base64url of a presigned STS GetCallerIdentity URL): the
// authenticator's format rules, the STS host rules and the SigV4 check against a Directory that
// holds one user and key, as the cluster plane calls it (kube/authn/eks_token.h). Input: the
// bearer token. Seeds are minted for kKeyId/kSecret at kNow, so they verify.
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "fuzz/fuzz_input.h"
#include "identity/directory.h"
#include "kube/authn/eks_token.h"
#include "kube/authn/sts_hosts.h"
#include "store/store.h"

namespace {
using namespace orch;

constexpr int64_t kNow = 1796301749;  // 2026-12-03T12:42:29Z, the kube_authn tests' clock
constexpr const char* kAccount = "111122223333";
constexpr const char* kKeyId = "AKIAFUZZEXAMPLE00001";
constexpr const char* kSecret = "fuzz/secret+key/0123456789abcdefghijklm";

// The Directory lives in a temporary SQLite store made once per process (removed at exit).
struct World {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<identity::Directory> directory;
  kube::authn::TokenPolicy policy{{"127.0.0.1:9443"}, "aws", "us-east-1"};

  World() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "orch-fuzz-eks-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) abort();
    dir = tmpl;
    store = store::open_sqlite((dir / "db").string());
    directory = std::make_unique<identity::Directory>(*store, crypto::SecretBox(std::string(32, 'k')));
    directory->write([](identity::Txn& t) {
      identity::Account a;
      a.id = kAccount;
      a.name = "dev";
      t.put(a);
      identity::User u;
      u.account = kAccount;
      u.id = "AIDAFUZZEXAMPLE000001";
      u.name = "alice";
      u.path = "/eng/";
      t.put(u);
      identity::AccessKey k;
      k.id = kKeyId;
      k.account = kAccount;
      k.user_id = u.id;
      k.secret = kSecret;
      t.put(k);
    });
  }
  ~World() {
    directory.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

World& world() {
  static World w;
  return w;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view token = fuzz::view(data, size);
  World& w = world();
  w.directory->read([&](const identity::State& s) {
    (void)kube::authn::verify_eks_token(token, "c1", w.policy, s, w.directory->box(), kNow);
    return 0;
  });
  // The host rules on their own, with the token's text as the authority.
  (void)kube::authn::signed_host(token);
  (void)kube::authn::endpoint_host(token);
  (void)kube::authn::check_aws_sts_host(token, "aws", "us-east-1");
  return 0;
}
