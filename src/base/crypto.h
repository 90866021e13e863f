// Cryptographic primitives over OpenSSL 3, shared by every layer: hashing and HMAC for SigV4,
// AES-256-GCM for secrets at rest, scrypt for console passwords, and a CSPRNG.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace orch::crypto {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);
std::string sha1_hex(std::string_view data);

std::string to_hex(const unsigned char* data, size_t len);
inline std::string to_hex(const Sha256Digest& d) { return to_hex(d.data(), d.size()); }
inline std::string_view as_view(const Sha256Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// Compares in time that depends only on the lengths, never on where the first difference is.
bool constant_time_equal(std::string_view a, std::string_view b);

// Bytes from the OS CSPRNG (RAND_bytes). Throws std::runtime_error if the RNG fails.
std::string random_bytes(size_t n);

std::string base64_encode(std::string_view data);
// Standard alphabet, padding optional; returns false on any invalid character.
bool base64_decode(std::string_view in, std::string& out);
// RFC 4648 base64url without padding (used by EKS tokens and session tokens).
std::string base64url_encode(std::string_view data);
bool base64url_decode(std::string_view in, std::string& out);

// AES-256-GCM with a 32-byte key: seal() returns nonce(12) || ciphertext || tag(16);
// open() returns false when the box was tampered with or made with another key/aad.
class SecretBox {
 public:
  explicit SecretBox(std::string key);  // must be 32 bytes
  std::string seal(std::string_view plaintext, std::string_view aad = {}) const;
  bool open(std::string_view box, std::string& plaintext, std::string_view aad = {}) const;

 private:
  std::string key_;
};

// scrypt (N=2^15, r=8, p=1) in a self-describing string: "scrypt$N$r$p$salt_b64$hash_b64".
std::string password_hash(std::string_view password);
bool password_verify(std::string_view password, std::string_view encoded);

}  // namespace orch::crypto
