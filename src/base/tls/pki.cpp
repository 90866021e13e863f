#include "base/tls/pki.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <set>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "base/crypto.h"
#include "base/tls/openssl_error.h"

namespace orch::tls {
namespace {

// ---- OpenSSL object ownership -------------------------------------------------------------

template <auto Fn>
struct FreeWith {
  template <class T>
  void operator()(T* p) const noexcept {
    Fn(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, FreeWith<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, FreeWith<X509_free>>;
using BioPtr = std::unique_ptr<BIO, FreeWith<BIO_free_all>>;
using NamePtr = std::unique_ptr<X509_NAME, FreeWith<X509_NAME_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, FreeWith<X509_EXTENSION_free>>;
using GenNamesPtr = std::unique_ptr<GENERAL_NAMES, FreeWith<GENERAL_NAMES_free>>;
using GenNamePtr = std::unique_ptr<GENERAL_NAME, FreeWith<GENERAL_NAME_free>>;
using OctetsPtr = std::unique_ptr<ASN1_OCTET_STRING, FreeWith<ASN1_OCTET_STRING_free>>;
using Ia5Ptr = std::unique_ptr<ASN1_IA5STRING, FreeWith<ASN1_IA5STRING_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, FreeWith<BN_free>>;
using StorePtr = std::unique_ptr<X509_STORE, FreeWith<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, FreeWith<X509_STORE_CTX_free>>;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(openssl_error(what)); }

[[noreturn]] void fail_errno(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

constexpr long kDay = 24L * 60 * 60;
constexpr int kCaDays = 3652;          // ten years, counting leap days
constexpr int kLeafDays = 365;         // under the 397-day ceiling browsers and Apple enforce
constexpr int kRenewBeforeDays = 30;   // reissue a serving cert with less than this left
constexpr long kBackdateSeconds = 3600;  // tolerate clients whose clocks run a little behind

// ---- Files ---------------------------------------------------------------------------------

bool exists(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) return true;
  if (errno != ENOENT) fail_errno("cannot stat " + path);
  return false;
}

std::string read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open " + path);
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      fail_errno("cannot read " + path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// Writes to a fresh temp file in the same directory and renames it over `path`, so readers (and a
// crash) only ever see the old or the new content. The temp file is created with `mode` by
// open(2) itself, so a key is never readable by others for even an instant, whatever the umask.
void write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
  const std::string tmp = path + ".tmp-" + crypto::to_hex(reinterpret_cast<const unsigned char*>(
                                               crypto::random_bytes(8).data()), 8);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) fail_errno("cannot create " + tmp);
  auto abandon = [&](const std::string& what) {
    int saved = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    errno = saved;
    fail_errno(what);
  };
  // The umask may have removed bits; set the exact mode so the result does not depend on it.
  if (::fchmod(fd, mode) != 0) abandon("cannot chmod " + tmp);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) abandon("cannot write " + tmp);
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) abandon("cannot fsync " + tmp);
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    fail_errno("cannot close " + tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail_errno("cannot rename " + tmp + " to " + path);
  }
  // Make the rename itself durable; failure here is not worth failing the operation for.
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
}

void ensure_private_dir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) throw std::runtime_error(dir + " exists and is not a directory");
    return;  // an existing directory keeps the permissions its owner chose
  }
  if (errno != ENOENT) fail_errno("cannot stat " + dir);
  std::filesystem::path parent = std::filesystem::path(dir).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw std::runtime_error("cannot create " + parent.string() + ": " + ec.message());
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail_errno("cannot create " + dir);
  // mkdir's mode is filtered by the umask; insist on exactly owner-only access.
  if (::chmod(dir.c_str(), 0700) != 0) fail_errno("cannot chmod " + dir);
}

// Serializes certificate work between processes (two servers started at once against the same
// directory must not each write half of a CA). flock is per open file description, so it also
// serializes threads of this process that each open the lock file.
class DirLock {
 public:
  explicit DirLock(const std::string& dir) {
    std::string path = dir + "/.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) fail_errno("cannot open " + path);
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd_);
      errno = saved;
      fail_errno("cannot lock " + path);
    }
  }
  ~DirLock() { ::close(fd_); }  // closing releases the lock
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

// ---- PEM -----------------------------------------------------------------------------------

std::string bio_contents(BIO* bio) {
  char* p = nullptr;
  long n = BIO_get_mem_data(bio, &p);
  return n > 0 ? std::string(p, static_cast<size_t>(n)) : std::string();
}

// Wipes a string holding key material before its memory is released.
struct Scrubbed {
  std::string s;
  ~Scrubbed() { OPENSSL_cleanse(s.data(), s.size()); }
};

// PKCS#8 PEM ("BEGIN PRIVATE KEY"), which OpenSSL, Python and Go all read.
void key_to_pem(EVP_PKEY* key, Scrubbed& out) {
  // A secure-memory BIO clears its buffer when freed, so the key does not linger in the heap.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("cannot encode private key");
  out.s = bio_contents(bio.get());
}

std::string cert_to_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) fail("cannot encode certificate");
  return bio_contents(bio.get());
}

CertPtr parse_cert(const std::string& pem, const std::string& origin) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) fail("cannot parse certificate " + origin);
  return cert;
}

PkeyPtr parse_key(const Scrubbed& pem, const std::string& origin) {
  BioPtr bio(BIO_new_mem_buf(pem.s.data(), static_cast<int>(pem.s.size())));
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) fail("cannot parse private key " + origin);
  return key;
}

CertPtr load_cert(const std::string& path) { return parse_cert(read_file(path), path); }

PkeyPtr load_key(const std::string& path) {
  Scrubbed pem{read_file(path)};
  return parse_key(pem, path);
}

// ---- Names ---------------------------------------------------------------------------------

// A certificate name becomes a file name; keep it to a safe character set and keep it from
// clobbering the CA's own files.
void check_cert_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 && name.front() != '.' && name != "ca";
  for (char c : name)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.');
  if (!ok) throw std::runtime_error("invalid certificate name '" + name + "'");
}

// Lower-cased, trailing dot removed, syntax checked (letters, digits, '-', '_'; an optional
// leading "*." wildcard), because a malformed SAN makes Go reject the whole certificate.
std::string normalize_dns_name(const std::string& in) {
  std::string s = in;
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (!s.empty() && s.back() == '.') s.pop_back();
  bool ok = !s.empty() && s.size() <= 253;
  size_t start = 0;
  while (ok && start <= s.size()) {
    size_t dot = s.find('.', start);
    if (dot == std::string::npos) dot = s.size();
    std::string_view label(s.data() + start, dot - start);
    bool wildcard = start == 0 && label == "*" && dot != s.size();
    ok = !label.empty() && label.size() <= 63;
    if (ok && !wildcard) {
      ok = label.front() != '-' && label.back() != '-';
      for (char c : label)
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
    }
    start = dot + 1;
  }
  if (!ok) throw std::runtime_error("invalid DNS name '" + in + "' for a certificate");
  return s;
}

// The address in network byte order (4 or 16 bytes): the form a SAN stores, so "::1" and
// "0:0::1" compare equal.
std::string ip_octets(const std::string& in) {
  std::string text = in;
  if (text.size() > 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  OctetsPtr oct(a2i_IPADDRESS(text.c_str()));
  if (!oct) {
    ERR_clear_error();
    throw std::runtime_error("invalid IP address '" + in + "' for a certificate");
  }
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(oct.get())),
                     static_cast<size_t>(ASN1_STRING_length(oct.get())));
}

struct SanSet {
  std::set<std::string> dns;  // normalized
  std::set<std::string> ips;  // octets
};

SanSet requested_sans(const std::vector<std::string>& dns, const std::vector<std::string>& ips) {
  SanSet s;
  for (const auto& d : dns) s.dns.insert(normalize_dns_name(d));
  for (const auto& ip : ips) s.ips.insert(ip_octets(ip));
  if (s.dns.empty() && s.ips.empty())
    throw std::runtime_error("a server certificate needs at least one DNS name or IP address");
  return s;
}

SanSet cert_sans(X509* cert) {
  SanSet s;
  GenNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return s;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    int type = 0;
    auto* value = static_cast<ASN1_STRING*>(GENERAL_NAME_get0_value(gn, &type));
    std::string v(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                  static_cast<size_t>(ASN1_STRING_length(value)));
    if (type == GEN_DNS) {
      for (char& c : v)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      s.dns.insert(std::move(v));
    } else if (type == GEN_IPADD) {
      s.ips.insert(std::move(v));
    }
  }
  return s;
}

GenNamesPtr make_san(const SanSet& sans) {
  GenNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) fail("cannot allocate subjectAltName");
  auto push = [&](int type, ASN1_STRING* value) {
    GenNamePtr gn(GENERAL_NAME_new());
    if (!gn) {
      ASN1_STRING_free(value);
      fail("cannot allocate subjectAltName entry");
    }
    GENERAL_NAME_set0_value(gn.get(), type, value);  // gn owns value from here on
    if (sk_GENERAL_NAME_push(names.get(), gn.get()) <= 0) fail("cannot build subjectAltName");
    gn.release();
  };
  // Built as structures, not as an OpenSSL config string, so no name can smuggle in extra
  // entries with a comma.
  for (const auto& d : sans.dns) {
    Ia5Ptr s(ASN1_IA5STRING_new());
    if (!s || ASN1_STRING_set(s.get(), d.data(), static_cast<int>(d.size())) != 1)
      fail("cannot encode DNS name");
    push(GEN_DNS, s.release());
  }
  for (const auto& ip : sans.ips) {
    OctetsPtr o(ASN1_OCTET_STRING_new());
    if (!o || ASN1_OCTET_STRING_set(o.get(), reinterpret_cast<const unsigned char*>(ip.data()),
                                    static_cast<int>(ip.size())) != 1)
      fail("cannot encode IP address");
    push(GEN_IPADD, o.release());
  }
  return names;
}

// ---- Keys and certificates -----------------------------------------------------------------

PkeyPtr new_ec_key() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) fail("cannot generate an EC P-256 key");
  return key;
}

struct CertSpec {
  std::vector<std::pair<std::string, std::string>> subject;  // ("CN", ...), ("O", ...)
  int days = 0;
  std::vector<std::pair<int, const char*>> extensions;  // NID and OpenSSL config value
  const SanSet* sans = nullptr;
};

// issuer == nullptr makes a self-signed certificate (subject_key then signs it).
CertPtr make_cert(const CertSpec& spec, EVP_PKEY* subject_key, X509* issuer,
                  EVP_PKEY* issuer_key) {
  CertPtr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) fail("cannot allocate certificate");

  // A random positive 128-bit serial: unique without any state, and unpredictable.
  BignumPtr serial(BN_new());
  do {
    if (!serial || BN_rand(serial.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1)
      fail("cannot generate a serial number");
  } while (BN_is_zero(serial.get()));
  if (!BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
    fail("cannot set serial number");

  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) ||
      !X509_time_adj_ex(X509_getm_notAfter(cert.get()), spec.days, 0, nullptr))
    fail("cannot set validity");

  NamePtr subject(X509_NAME_new());
  if (!subject) fail("cannot allocate subject");
  for (const auto& [field, value] : spec.subject) {
    if (X509_NAME_add_entry_by_txt(subject.get(), field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1)
      fail("cannot set subject " + field + "=" + value);
  }
  if (X509_set_subject_name(cert.get(), subject.get()) != 1 ||
      X509_set_issuer_name(cert.get(),
                           issuer ? X509_get_subject_name(issuer) : subject.get()) != 1 ||
      X509_set_pubkey(cert.get(), subject_key) != 1)
    fail("cannot fill certificate");

  // The extension context needs the subject's public key (subjectKeyIdentifier) and the
  // issuer's subjectKeyIdentifier (authorityKeyIdentifier), so both are set before any is made.
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : spec.extensions) {
    ExtPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1)
      fail(std::string("cannot add extension ") + OBJ_nid2sn(nid) + "=" + value);
  }
  if (spec.sans) {
    GenNamesPtr san = make_san(*spec.sans);
    // Not critical: the subject is not empty (RFC 5280 4.2.1.6).
    if (X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, san.get(), 0, X509V3_ADD_DEFAULT) != 1)
      fail("cannot add subjectAltName");
  }
  if (X509_sign(cert.get(), issuer_key ? issuer_key : subject_key, EVP_sha256()) <= 0)
    fail("cannot sign certificate");
  return cert;
}

// Chain check with OpenSSL's verifier, the same one Python and curl use, for the given purpose.
bool verifies(X509* leaf, X509* ca, int purpose) {
  StorePtr store(X509_STORE_new());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr) != 1 ||
      X509_STORE_CTX_set_purpose(ctx.get(), purpose) != 1)
    fail("cannot set up certificate verification");
  bool ok = X509_verify_cert(ctx.get()) == 1;
  ERR_clear_error();
  return ok;
}

struct LoadedCa {
  CertPtr cert;
  PkeyPtr key;
};

LoadedCa load_ca(const std::string& cert_path, const std::string& key_path) {
  LoadedCa ca{load_cert(cert_path), load_key(key_path)};
  if (X509_check_private_key(ca.cert.get(), ca.key.get()) != 1)
    fail(key_path + " does not belong to " + cert_path);
  if (X509_check_ca(ca.cert.get()) == 0)
    throw std::runtime_error(cert_path + " is not a CA certificate");
  return ca;
}

// Writes <base>.key then <base>.crt (leaf + CA). The key goes first: a crash in between leaves
// a certificate that does not match its key, which the next ensure_server_cert detects.
Issued write_issued(const std::string& base, EVP_PKEY* key, X509* leaf, X509* ca) {
  Issued out{base + ".crt", base + ".key"};
  Scrubbed key_pem;
  key_to_pem(key, key_pem);
  write_file_atomic(out.key_path, key_pem.s, 0600);
  write_file_atomic(out.cert_path, cert_to_pem(leaf) + cert_to_pem(ca), 0644);
  return out;
}

// Why an existing serving certificate cannot be reused, or empty when it can.
std::string reuse_problem(const std::string& cert_path, const std::string& key_path,
                          const LoadedCa& ca, const SanSet& wanted) {
  if (!exists(cert_path) || !exists(key_path)) return "missing";
  CertPtr leaf;
  PkeyPtr key;
  try {
    leaf = load_cert(cert_path);
    key = load_key(key_path);
  } catch (const std::exception& e) {
    return std::string("unreadable (") + e.what() + ")";
  }
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    ERR_clear_error();
    return "key does not match";
  }
  if (!verifies(leaf.get(), ca.cert.get(), X509_PURPOSE_SSL_SERVER))
    return "not a valid serving certificate from this CA";
  time_t renew_at = std::time(nullptr) + kRenewBeforeDays * kDay;
  if (X509_cmp_time(X509_get0_notAfter(leaf.get()), &renew_at) <= 0) return "expires soon";
  SanSet have = cert_sans(leaf.get());
  for (const auto& d : wanted.dns)
    if (!have.dns.count(d)) return "does not cover " + d;
  for (const auto& ip : wanted.ips)
    if (!have.ips.count(ip)) return "does not cover a requested IP address";
  return {};
}

}  // namespace

Authority Authority::load_or_create(const std::string& dir, const std::string& common_name) {
  ensure_private_dir(dir);
  DirLock lock(dir);
  Authority a;
  a.dir_ = dir;
  a.ca_cert_path_ = dir + "/ca.crt";
  a.ca_key_path_ = dir + "/ca.key";
  bool have_cert = exists(a.ca_cert_path_), have_key = exists(a.ca_key_path_);
  if (have_cert && have_key) {
    LoadedCa ca = load_ca(a.ca_cert_path_, a.ca_key_path_);
    time_t soon = std::time(nullptr) + kRenewBeforeDays * kDay;
    if (X509_cmp_time(X509_get0_notAfter(ca.cert.get()), &soon) <= 0)
      spdlog::warn("tls: CA certificate {} expires within {} days", a.ca_cert_path_,
                   kRenewBeforeDays);
    return a;
  }
  // Never replace half of a CA: whoever trusts the surviving half would silently stop working.
  if (have_cert || have_key)
    throw std::runtime_error("incomplete CA in " + dir + ": " +
                             (have_cert ? a.ca_key_path_ : a.ca_cert_path_) +
                             " is missing; restore it or remove " +
                             (have_cert ? a.ca_cert_path_ : a.ca_key_path_) +
                             " to create a new CA");
  if (common_name.empty()) throw std::runtime_error("CA common name must not be empty");

  PkeyPtr key = new_ec_key();
  CertSpec spec;
  spec.subject = {{"CN", common_name}};
  spec.days = kCaDays;
  spec.extensions = {
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,keyCertSign,cRLSign"},
      {NID_subject_key_identifier, "hash"},
  };
  CertPtr cert = make_cert(spec, key.get(), nullptr, nullptr);
  Scrubbed key_pem;
  key_to_pem(key.get(), key_pem);
  write_file_atomic(a.ca_key_path_, key_pem.s, 0600);
  write_file_atomic(a.ca_cert_path_, cert_to_pem(cert.get()), 0644);
  spdlog::info("tls: created certificate authority '{}' in {}", common_name, dir);
  return a;
}

std::string Authority::ca_cert_pem() const { return read_file(ca_cert_path_); }

Issued Authority::ensure_server_cert(const std::string& name,
                                     const std::vector<std::string>& dns_names,
                                     const std::vector<std::string>& ip_addresses) const {
  check_cert_name(name);
  SanSet wanted = requested_sans(dns_names, ip_addresses);
  DirLock lock(dir_);
  LoadedCa ca = load_ca(ca_cert_path_, ca_key_path_);
  const std::string base = dir_ + "/" + name;
  std::string problem = reuse_problem(base + ".crt", base + ".key", ca, wanted);
  if (problem.empty()) return Issued{base + ".crt", base + ".key"};

  PkeyPtr key = new_ec_key();
  CertSpec spec;
  // Clients match names against the SAN only; the CN is for humans reading the certificate.
  std::string cn = dns_names.empty() ? name : normalize_dns_name(dns_names.front());
  spec.subject = {{"CN", cn.size() <= 64 ? cn : name}};  // X.509 caps CN at 64 characters
  spec.days = kLeafDays;
  spec.extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"},
  };
  spec.sans = &wanted;
  CertPtr leaf = make_cert(spec, key.get(), ca.cert.get(), ca.key.get());
  Issued out = write_issued(base, key.get(), leaf.get(), ca.cert.get());
  spdlog::info("tls: issued server certificate {} ({})", out.cert_path, problem);
  return out;
}

Issued Authority::issue_client_cert(const std::string& name, const std::string& common_name,
                                    const std::vector<std::string>& organizations) const {
  check_cert_name(name);
  if (common_name.empty()) throw std::runtime_error("client certificate needs a common name");
  DirLock lock(dir_);
  LoadedCa ca = load_ca(ca_cert_path_, ca_key_path_);

  PkeyPtr key = new_ec_key();
  CertSpec spec;
  // Kubernetes reads the user from CN and one group from each O attribute.
  spec.subject.emplace_back("CN", common_name);
  for (const auto& o : organizations) spec.subject.emplace_back("O", o);
  spec.days = kLeafDays;
  spec.extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
      {NID_ext_key_usage, "clientAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"},
  };
  CertPtr leaf = make_cert(spec, key.get(), ca.cert.get(), ca.key.get());
  Issued out = write_issued(dir_ + "/" + name, key.get(), leaf.get(), ca.cert.get());
  spdlog::info("tls: issued client certificate {} for '{}'", out.cert_path, common_name);
  return out;
}

}  // namespace orch::tls
