#include "base/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace orch::crypto {

Sha256Digest sha256(std::string_view data) {
  Sha256Digest d{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data());
  return d;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

std::string sha1_hex(std::string_view data) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d);
  return to_hex(d, sizeof d);
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
  // OpenSSL 3's one-shot HMAC() fetches the algorithms on every call, which costs about four
  // times the hashing itself (SigV4 does five HMACs per request). The MAC is fetched once and
  // each thread keeps a context set to SHA-256, re-keyed per call.
  struct Ctx {
    Ctx() {
      static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
      ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
      char digest[] = "SHA256";
      OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end()};
      if (ctx && EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = nullptr;
      }
    }
    ~Ctx() { EVP_MAC_CTX_free(ctx); }
    EVP_MAC_CTX* ctx;
  };
  thread_local Ctx t;
  Sha256Digest d{};
  size_t len = 0;
  // A null key would mean "keep the previous one": an empty key must still be a pointer.
  static const unsigned char kEmpty[1] = {0};
  const unsigned char* k = key.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (!t.ctx || EVP_MAC_init(t.ctx, k, key.size(), nullptr) != 1 ||
      EVP_MAC_update(t.ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(t.ctx, d.data(), &len, d.size()) != 1 || len != d.size())
    throw std::runtime_error("HMAC-SHA256 failed");
  return d;
}

std::string to_hex(const unsigned char* data, size_t len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(len * 2, '\0');
  for (size_t i = 0; i < len; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xF];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return out;
}

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode64(std::string_view data, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  auto b = [&](size_t k) { return static_cast<unsigned char>(data[k]); };
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (i + 1 == data.size()) {
    uint32_t v = b(i) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (i + 2 == data.size()) {
    uint32_t v = (b(i) << 16) | (b(i + 1) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

bool decode64(std::string_view in, std::string& out, bool url) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return false;
  out.clear();
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == (url ? '-' : '+')) v = 62;
    else if (c == (url ? '_' : '/')) v = 63;
    else return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return true;
}
}  // namespace

std::string base64_encode(std::string_view data) { return encode64(data, kB64, true); }
bool base64_decode(std::string_view in, std::string& out) { return decode64(in, out, false); }
std::string base64url_encode(std::string_view data) { return encode64(data, kB64Url, false); }
bool base64url_decode(std::string_view in, std::string& out) {
  if (in.find('=') != std::string_view::npos) return false;
  return decode64(in, out, true);
}

SecretBox::SecretBox(std::string key) : key_(std::move(key)) {
  if (key_.size() != 32) throw std::invalid_argument("SecretBox key must be 32 bytes");
}

namespace {
struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;
constexpr size_t kNonce = 12, kTag = 16;
const unsigned char* u(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
}  // namespace

std::string SecretBox::seal(std::string_view plaintext, std::string_view aad) const {
  std::string out = random_bytes(kNonce);
  out.resize(kNonce + plaintext.size() + kTag);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key_), o) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(ctx.get(), o + kNonce, &len, u(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + kNonce + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, o + kNonce + plaintext.size()) != 1)
    throw std::runtime_error("AES-GCM seal failed");
  return out;
}

bool SecretBox::open(std::string_view box, std::string& plaintext, std::string_view aad) const {
  if (box.size() < kNonce + kTag) return false;
  size_t n = box.size() - kNonce - kTag;
  plaintext.assign(n, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  auto* p = reinterpret_cast<unsigned char*>(plaintext.data());
  std::string tag(box.substr(kNonce + n));
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key_), u(box)) != 1 ||
      (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx.get(), p, &len, u(box) + kNonce, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), p + len, &len) != 1) {
    plaintext.clear();
    return false;
  }
  return true;
}

namespace {
constexpr uint64_t kScryptN = 1u << 15;
constexpr uint64_t kScryptR = 8, kScryptP = 1;

std::string scrypt(std::string_view password, std::string_view salt, uint64_t n, uint64_t r, uint64_t p) {
  std::string out(32, '\0');
  if (EVP_PBE_scrypt(password.data(), password.size(), u(salt), salt.size(), n, r, p,
                     64ull * 1024 * 1024, reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1)
    throw std::runtime_error("scrypt failed");
  return out;
}
}  // namespace

std::string password_hash(std::string_view password) {
  std::string salt = random_bytes(16);
  return "scrypt$" + std::to_string(kScryptN) + "$" + std::to_string(kScryptR) + "$" +
         std::to_string(kScryptP) + "$" + base64_encode(salt) + "$" +
         base64_encode(scrypt(password, salt, kScryptN, kScryptR, kScryptP));
}

bool password_verify(std::string_view password, std::string_view encoded) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= encoded.size(); ++i) {
    if (i == encoded.size() || encoded[i] == '$') {
      parts.push_back(encoded.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  std::string salt, hash;
  if (!base64_decode(parts[4], salt) || !base64_decode(parts[5], hash)) return false;
  try {
    uint64_t n = std::stoull(std::string(parts[1])), r = std::stoull(std::string(parts[2])),
             p = std::stoull(std::string(parts[3]));
    if (n > (1u << 20) || r > 16 || p > 4) return false;
    return constant_time_equal(scrypt(password, salt, n, r, p), hash);
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace orch::crypto
