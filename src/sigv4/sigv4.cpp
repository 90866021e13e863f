// Signing key derivation and full verification (reference §1.3).
#include <algorithm>

#include "base/crypto.h"
#include "sigv4/internal.h"

namespace orch::sigv4 {

using namespace detail;

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  std::string k;
  k.reserve(4 + secret.size());
  k.append("AWS4").append(secret);
  const crypto::Sha256Digest k_date = crypto::hmac_sha256(k, date);
  std::fill(k.begin(), k.end(), '\0');  // the secret should not linger in freed heap memory
  const crypto::Sha256Digest k_region = crypto::hmac_sha256(crypto::as_view(k_date), region);
  const crypto::Sha256Digest k_service = crypto::hmac_sha256(crypto::as_view(k_region), service);
  const crypto::Sha256Digest k_signing = crypto::hmac_sha256(crypto::as_view(k_service), kTerminator);
  return std::string(crypto::as_view(k_signing));
}

namespace {

bool signature_matches(std::string_view key, std::string_view sts, std::string_view given) {
  return crypto::constant_time_equal(crypto::to_hex(crypto::hmac_sha256(key, sts)), given);
}

}  // namespace

std::optional<AuthError> verify(const RequestView& req, const ParsedAuth& auth, std::string_view secret) {
  auto canonical = canonical_request(req, auth, QueryToken::kSigned);
  if (auto* err = std::get_if<AuthError>(&canonical)) return std::move(*err);
  const std::string& cr = std::get<std::string>(canonical);
  const Credential& c = auth.credential;
  const std::string key = signing_key(secret, c.date, c.region, c.service);
  std::string sts = string_to_sign(auth, cr);
  if (signature_matches(key, sts, auth.signature)) return std::nullopt;

  // Only reached on a mismatch, so the common path pays for one canonical request.
  if (auth.presigned && auth.security_token) {
    auto without = canonical_request(req, auth, QueryToken::kUnsigned);
    if (auto* s = std::get_if<std::string>(&without)) {
      if (signature_matches(key, string_to_sign(auth, *s), auth.signature)) return std::nullopt;
    }
  }

  // Query services append both texts; they help a client debug and reveal no secret.
  std::string msg;
  msg.reserve(300 + cr.size() + sts.size());
  msg.append(
      "The request signature we calculated does not match the signature you provided. Check your AWS "
      "Secret Access Key and signing method. Consult the service documentation for details.");
  msg.append("\n\nThe Canonical String for this request should have been\n'").append(cr);
  msg.append("'\n\nThe String-to-Sign should have been\n'").append(sts).append("'\n");
  return AuthError{"SignatureDoesNotMatch", 403, std::move(msg)};
}

}  // namespace orch::sigv4
