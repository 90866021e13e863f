#include "base/tls/pki.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace orch::tls {
namespace {

namespace fs = std::filesystem;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using Cert = std::unique_ptr<X509, X509Free>;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::vector<Cert> read_certs(const std::string& path) {
  std::string pem = slurp(path);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  std::vector<Cert> out;
  while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) out.emplace_back(x);
  BIO_free(bio);
  ERR_clear_error();  // the loop ends on a "no start line" error
  return out;
}

EVP_PKEY* read_key(const std::string& path) {
  std::string pem = slurp(path);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return k;
}

struct Sans {
  std::set<std::string> dns;
  std::set<std::string> ips;  // as text
};

Sans sans_of(X509* x) {
  Sans s;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      s.dns.emplace(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                    ASN1_STRING_length(gn->d.dNSName));
    } else if (gn->type == GEN_IPADD) {
      char buf[INET6_ADDRSTRLEN] = {};
      int len = ASN1_STRING_length(gn->d.iPAddress);
      inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(gn->d.iPAddress), buf,
                sizeof buf);
      s.ips.insert(buf);
    }
  }
  GENERAL_NAMES_free(names);
  return s;
}

// 0 when `leaf` chains to `ca` for `purpose`; else the X509_V_ERR code. Strict mode is what
// Python 3.13+ turns on by default, so the certificates must pass it.
int verify(X509* leaf, X509* ca, int purpose) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);
  int rc = X509_verify_cert(ctx) == 1 ? 0 : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return rc;
}

bool critical(X509* x, int nid) {
  int idx = X509_get_ext_by_NID(x, nid, -1);
  return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, idx)) == 1;
}

// Days from now until the certificate's notAfter (and from notBefore to notAfter).
int days_left(X509* x) {
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(x));
  return days;
}
int lifetime_days(X509* x) {
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x));
  return days + (secs > 0 ? 1 : 0);
}

std::vector<std::string> subject_entries(X509* x, int nid) {
  std::vector<std::string> out;
  X509_NAME* n = X509_get_subject_name(x);
  for (int i = X509_NAME_get_index_by_NID(n, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(n, nid, i)) {
    ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     ASN1_STRING_length(s));
  }
  return out;
}

class PkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/orch-pki-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/nested/pki";  // parents are created too
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string root_, dir_;
};

TEST_F(PkiTest, CreatesCaWithPrivateModesEvenUnderPermissiveUmask) {
  mode_t old = ::umask(0);  // the worst case: nothing masked
  Authority a = Authority::load_or_create(dir_, "Orchestera Test CA");
  ::umask(old);

  EXPECT_EQ(mode_of(dir_), 0700u);
  EXPECT_EQ(mode_of(dir_ + "/ca.key"), 0600u);
  EXPECT_EQ(mode_of(dir_ + "/ca.crt"), 0644u);
  EXPECT_EQ(a.ca_cert_path(), dir_ + "/ca.crt");
  EXPECT_EQ(a.ca_cert_pem(), slurp(dir_ + "/ca.crt"));
  for (const auto& e : fs::directory_iterator(dir_))  // no temp files left behind
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();

  auto certs = read_certs(a.ca_cert_path());
  ASSERT_EQ(certs.size(), 1u);
  X509* ca = certs[0].get();
  EXPECT_EQ(X509_get_version(ca), X509_VERSION_3);
  EXPECT_EQ(subject_entries(ca, NID_commonName), std::vector<std::string>{"Orchestera Test CA"});
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(ca), X509_get_issuer_name(ca)), 0);
  EXPECT_EQ(X509_check_ca(ca), 1);
  EXPECT_TRUE(critical(ca, NID_basic_constraints));
  EXPECT_TRUE(critical(ca, NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(ca), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_NE(X509_get0_subject_key_id(ca), nullptr);
  EXPECT_GE(days_left(ca), 3650);
  EXPECT_LE(days_left(ca), 3653);

  // EC P-256, and the key on disk belongs to the certificate.
  EVP_PKEY* key = read_key(dir_ + "/ca.key");
  ASSERT_NE(key, nullptr);
  char group[64] = {};
  size_t glen = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(key, group, sizeof group, &glen), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_check_private_key(ca, key), 1);
  EVP_PKEY_free(key);

  // Self-signed signature is valid and the serial is a positive random number of up to 128 bits.
  EXPECT_EQ(verify(ca, ca, X509_PURPOSE_ANY), 0);
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(ca), nullptr);
  EXPECT_FALSE(BN_is_negative(serial));
  EXPECT_LE(BN_num_bits(serial), 128);
  EXPECT_GT(BN_num_bits(serial), 64);  // fails with probability 2^-64
  BN_free(serial);
}

TEST_F(PkiTest, SecondLoadReusesTheSameCa) {
  Authority::load_or_create(dir_, "CA one");
  std::string crt = slurp(dir_ + "/ca.crt"), key = slurp(dir_ + "/ca.key");
  Authority again = Authority::load_or_create(dir_, "ignored on reuse");
  EXPECT_EQ(slurp(dir_ + "/ca.crt"), crt);
  EXPECT_EQ(slurp(dir_ + "/ca.key"), key);
  EXPECT_EQ(again.ca_cert_pem(), crt);
}

TEST_F(PkiTest, DistinctCasGetDistinctSerials) {
  Authority a = Authority::load_or_create(root_ + "/a", "CA");
  Authority b = Authority::load_or_create(root_ + "/b", "CA");
  auto ca = read_certs(a.ca_cert_path()), cb = read_certs(b.ca_cert_path());
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(ca[0].get()),
                             X509_get0_serialNumber(cb[0].get())),
            0);
}

TEST_F(PkiTest, RefusesAnIncompleteCa) {
  Authority::load_or_create(dir_, "CA");
  fs::remove(dir_ + "/ca.key");
  try {
    Authority::load_or_create(dir_, "CA");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("ca.key is missing"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::exists(dir_ + "/ca.crt"));  // never silently replaced
}

TEST_F(PkiTest, ServerCertificateHasTheRightExtensionsAndVerifies) {
  Authority a = Authority::load_or_create(dir_, "CA");
  Issued s = a.ensure_server_cert("server", {"localhost", "Orch.Example.COM"},
                                  {"127.0.0.1", "::1", "10.1.2.3"});
  EXPECT_EQ(s.cert_path, dir_ + "/server.crt");
  EXPECT_EQ(s.key_path, dir_ + "/server.key");
  EXPECT_EQ(mode_of(s.key_path), 0600u);

  auto chain = read_certs(s.cert_path);
  ASSERT_EQ(chain.size(), 2u);  // leaf, then the CA
  auto ca = read_certs(a.ca_cert_path());
  EXPECT_EQ(X509_cmp(chain[1].get(), ca[0].get()), 0);
  X509* leaf = chain[0].get();

  Sans sans = sans_of(leaf);
  EXPECT_EQ(sans.dns, (std::set<std::string>{"localhost", "orch.example.com"}));
  EXPECT_EQ(sans.ips, (std::set<std::string>{"127.0.0.1", "::1", "10.1.2.3"}));
  EXPECT_FALSE(critical(leaf, NID_subject_alt_name));

  EXPECT_EQ(X509_check_ca(leaf), 0);
  EXPECT_TRUE(critical(leaf, NID_basic_constraints));
  EXPECT_TRUE(critical(leaf, NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(leaf),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  EXPECT_EQ(X509_get_extended_key_usage(leaf), static_cast<uint32_t>(XKU_SSL_SERVER));
  ASSERT_NE(X509_get0_authority_key_id(leaf), nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(leaf),
                                  X509_get0_subject_key_id(ca[0].get())),
            0);
  EXPECT_LE(lifetime_days(leaf), 397);
  EXPECT_GE(days_left(leaf), 360);

  EXPECT_EQ(verify(leaf, ca[0].get(), X509_PURPOSE_SSL_SERVER), 0);
  EXPECT_NE(verify(leaf, ca[0].get(), X509_PURPOSE_SSL_CLIENT), 0);  // serverAuth only
  // The name checks TLS clients do (SAN only; IPs as IP entries).
  EXPECT_EQ(X509_check_host(leaf, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(leaf, "orch.example.com", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(leaf, "other.example.com", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(leaf, "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf, "10.1.2.3", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf, "10.1.2.4", 0), 0);

  EVP_PKEY* key = read_key(s.key_path);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(leaf, key), 1);
  EVP_PKEY_free(key);
}

TEST_F(PkiTest, ReusesServerCertificateWhileItCoversTheRequest) {
  Authority a = Authority::load_or_create(dir_, "CA");
  Issued s = a.ensure_server_cert("server", {"localhost"}, {"127.0.0.1", "::1"});
  std::string crt = slurp(s.cert_path), key = slurp(s.key_path);

  a.ensure_server_cert("server", {"localhost"}, {"127.0.0.1", "::1"});
  EXPECT_EQ(slurp(s.cert_path), crt);
  EXPECT_EQ(slurp(s.key_path), key);
  // A subset, other spellings of the same names and a fresh Authority object also reuse it.
  Authority::load_or_create(dir_, "CA").ensure_server_cert("server", {"LOCALHOST."},
                                                           {"0:0::1"});
  EXPECT_EQ(slurp(s.cert_path), crt);
  EXPECT_EQ(slurp(s.key_path), key);
}

TEST_F(PkiTest, ReissuesWhenANewAddressIsRequested) {
  Authority a = Authority::load_or_create(dir_, "CA");
  Issued s = a.ensure_server_cert("server", {"localhost"}, {"127.0.0.1"});
  std::string crt = slurp(s.cert_path), key = slurp(s.key_path);

  a.ensure_server_cert("server", {"localhost"}, {"127.0.0.1", "192.168.7.9"});
  EXPECT_NE(slurp(s.cert_path), crt);
  EXPECT_NE(slurp(s.key_path), key);
  auto chain = read_certs(s.cert_path);
  EXPECT_EQ(sans_of(chain[0].get()).ips, (std::set<std::string>{"127.0.0.1", "192.168.7.9"}));

  crt = slurp(s.cert_path);
  a.ensure_server_cert("server", {"localhost", "orch.internal"}, {"127.0.0.1"});
  EXPECT_NE(slurp(s.cert_path), crt);  // a new DNS name too
  EXPECT_EQ(sans_of(read_certs(s.cert_path)[0].get()).dns,
            (std::set<std::string>{"localhost", "orch.internal"}));
}

TEST_F(PkiTest, ReissuesCertificatesFromAnotherCaOrWithAMismatchedKey) {
  Authority a = Authority::load_or_create(root_ + "/a", "CA A");
  Authority b = Authority::load_or_create(root_ + "/b", "CA B");
  Issued sa = a.ensure_server_cert("server", {"localhost"}, {});
  fs::copy_file(sa.cert_path, root_ + "/b/server.crt");
  fs::copy_file(sa.key_path, root_ + "/b/server.key");

  Issued sb = b.ensure_server_cert("server", {"localhost"}, {});
  EXPECT_NE(slurp(sb.cert_path), slurp(sa.cert_path));
  auto cab = read_certs(b.ca_cert_path());
  EXPECT_EQ(verify(read_certs(sb.cert_path)[0].get(), cab[0].get(), X509_PURPOSE_SSL_SERVER), 0);

  // A key that does not match the certificate (e.g. a crash between the two writes).
  Issued other = b.ensure_server_cert("other", {"localhost"}, {});
  fs::copy_file(other.key_path, sb.key_path, fs::copy_options::overwrite_existing);
  std::string crt = slurp(sb.cert_path);
  b.ensure_server_cert("server", {"localhost"}, {});
  EXPECT_NE(slurp(sb.cert_path), crt);

  // Garbage in the certificate file is replaced, not fatal.
  std::ofstream(sb.cert_path) << "not a certificate";
  b.ensure_server_cert("server", {"localhost"}, {});
  EXPECT_EQ(read_certs(sb.cert_path).size(), 2u);
}

// Signs a serving certificate for "localhost" that expires in `days`, with the CA in `dir`.
void write_short_lived_cert(const std::string& dir, int days) {
  EVP_PKEY* ca_key = read_key(dir + "/ca.key");
  auto ca = read_certs(dir + "/ca.crt");
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* x = X509_new();
  X509_set_version(x, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_time_adj_ex(X509_getm_notAfter(x), days, 0, nullptr);
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_subject_name(x, name);
  X509_NAME_free(name);
  X509_set_issuer_name(x, X509_get_subject_name(ca[0].get()));
  X509_set_pubkey(x, key);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca[0].get(), x, nullptr, nullptr, 0);
  for (auto [nid, value] : std::vector<std::pair<int, const char*>>{
           {NID_basic_constraints, "critical,CA:FALSE"},
           {NID_ext_key_usage, "serverAuth"},
           {NID_subject_alt_name, "DNS:localhost"},
           {NID_authority_key_identifier, "keyid:always"}}) {
    X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, ca_key, EVP_sha256());
  BIO* kb = BIO_new_file((dir + "/server.key").c_str(), "w");
  PEM_write_bio_PrivateKey(kb, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO_free(kb);
  BIO* cb = BIO_new_file((dir + "/server.crt").c_str(), "w");
  PEM_write_bio_X509(cb, x);
  BIO_free(cb);
  X509_free(x);
  EVP_PKEY_free(key);
  EVP_PKEY_free(ca_key);
}

TEST_F(PkiTest, ReissuesWhenCloseToExpiry) {
  Authority a = Authority::load_or_create(dir_, "CA");
  write_short_lived_cert(dir_, 45);  // more than 30 days left: still good
  std::string crt = slurp(dir_ + "/server.crt");
  a.ensure_server_cert("server", {"localhost"}, {});
  EXPECT_EQ(slurp(dir_ + "/server.crt"), crt);

  write_short_lived_cert(dir_, 20);  // under 30 days: replaced by a fresh year-long one
  crt = slurp(dir_ + "/server.crt");
  a.ensure_server_cert("server", {"localhost"}, {});
  EXPECT_NE(slurp(dir_ + "/server.crt"), crt);
  EXPECT_GE(days_left(read_certs(dir_ + "/server.crt")[0].get()), 360);
}

TEST_F(PkiTest, ClientCertificateCarriesUserAndGroups) {
  Authority a = Authority::load_or_create(dir_, "CA");
  Issued c = a.issue_client_cert("admin", "orch:admin", {"system:masters", "operators"});
  EXPECT_EQ(c.cert_path, dir_ + "/admin.crt");
  EXPECT_EQ(mode_of(c.key_path), 0600u);
  auto chain = read_certs(c.cert_path);
  ASSERT_EQ(chain.size(), 2u);
  X509* leaf = chain[0].get();
  EXPECT_EQ(subject_entries(leaf, NID_commonName), std::vector<std::string>{"orch:admin"});
  EXPECT_EQ(subject_entries(leaf, NID_organizationName),
            (std::vector<std::string>{"system:masters", "operators"}));
  EXPECT_EQ(X509_get_extended_key_usage(leaf), static_cast<uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(X509_check_ca(leaf), 0);
  auto ca = read_certs(a.ca_cert_path());
  EXPECT_EQ(verify(leaf, ca[0].get(), X509_PURPOSE_SSL_CLIENT), 0);
  EXPECT_NE(verify(leaf, ca[0].get(), X509_PURPOSE_SSL_SERVER), 0);

  // Issuing again makes a new credential.
  std::string first = slurp(c.cert_path);
  a.issue_client_cert("admin", "orch:admin", {});
  EXPECT_NE(slurp(c.cert_path), first);
  EXPECT_TRUE(subject_entries(read_certs(c.cert_path)[0].get(), NID_organizationName).empty());
}

TEST_F(PkiTest, RejectsBadInput) {
  Authority a = Authority::load_or_create(dir_, "CA");
  EXPECT_THROW(a.ensure_server_cert("../escape", {"localhost"}, {}), std::runtime_error);
  EXPECT_THROW(a.ensure_server_cert("ca", {"localhost"}, {}), std::runtime_error);
  EXPECT_THROW(a.ensure_server_cert("", {"localhost"}, {}), std::runtime_error);
  EXPECT_THROW(a.ensure_server_cert("server", {}, {}), std::runtime_error);
  EXPECT_THROW(a.ensure_server_cert("server", {}, {"300.1.1.1"}), std::runtime_error);
  EXPECT_THROW(a.ensure_server_cert("server", {"bad name,IP:1.2.3.4"}, {}), std::runtime_error);
  EXPECT_THROW(a.issue_client_cert("user", "", {}), std::runtime_error);
  EXPECT_FALSE(fs::exists(dir_ + "/server.crt"));
  // The CA was not touched by any of it.
  EXPECT_EQ(read_certs(a.ca_cert_path()).size(), 1u);

  std::ofstream(root_ + "/file") << "x";
  EXPECT_THROW(Authority::load_or_create(root_ + "/file", "CA"), std::runtime_error);
}

}  // namespace
}  // namespace orch::tls
