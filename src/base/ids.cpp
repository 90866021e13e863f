#include "base/ids.h"

#include "base/crypto.h"

namespace orch::ids {
namespace {
std::string random_from(std::string_view alphabet, size_t n) {
  // Rejection sampling keeps every character equally likely.
  std::string out;
  out.reserve(n);
  const unsigned limit = 256 - (256 % alphabet.size());
  while (out.size() < n) {
    for (unsigned char c : crypto::random_bytes(n * 2)) {
      if (c < limit) out += alphabet[c % alphabet.size()];
      if (out.size() == n) break;
    }
  }
  return out;
}
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
}  // namespace

std::string unique_id(std::string_view prefix) {
  return std::string(prefix) + random_from(kBase32, 21 - prefix.size());
}
std::string access_key_id(std::string_view prefix) {
  return std::string(prefix) + random_from(kBase32, 20 - prefix.size());
}
std::string secret_access_key() {
  return random_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
}
std::string random_digits(size_t n) {
  std::string s = random_from("0123456789", n);
  if (s[0] == '0') s[0] = '1';
  return s;
}
std::string uuid4() {
  std::string b = crypto::random_bytes(16);
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  std::string h = crypto::to_hex(reinterpret_cast<const unsigned char*>(b.data()), b.size());
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}
}  // namespace orch::ids
