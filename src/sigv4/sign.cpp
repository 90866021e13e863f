// Client-side signing for tests and load generators. It reuses the server's canonicalization, so
// a round trip checks parsing and verification, not canonicalization itself; the AWS suite does
// that.
#include <algorithm>
#include <stdexcept>

#include "base/clock.h"
#include "base/crypto.h"
#include "sigv4/internal.h"

namespace orch::sigv4 {

using namespace detail;

namespace {

// botocore's SIGNED_HEADERS_BLACKLIST (reference §1.2), plus the Authorization header itself.
bool is_unsignable(std::string_view lower_name) {
  static constexpr std::string_view kSkip[] = {
      "authorization", "connection", "expect", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "user-agent",
      "x-amzn-trace-id"};
  return std::find(std::begin(kSkip), std::end(kSkip), lower_name) != std::end(kSkip);
}

std::vector<std::string> signable_names(const std::vector<Header>& headers) {
  std::vector<std::string> names;
  names.reserve(headers.size());
  for (const Header& h : headers) {
    std::string n = h.name;
    for (char& c : n) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    }
    if (!is_unsignable(n)) names.push_back(std::move(n));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out.push_back(';');
    out.append(n);
  }
  return out;
}

ParsedAuth auth_for(const SigningInput& in, std::string amz_date, std::vector<std::string> names) {
  ParsedAuth a;
  a.credential = Credential{in.access_key_id, amz_date.substr(0, 8), in.region, in.service,
                            std::string(kTerminator)};
  a.amz_date = std::move(amz_date);
  a.signed_headers = std::move(names);
  return a;
}

std::string signature_for(const RequestView& req, const ParsedAuth& a, std::string_view secret) {
  auto canonical = canonical_request(req, a);
  if (auto* err = std::get_if<AuthError>(&canonical)) throw std::invalid_argument(err->message);
  const std::string key = signing_key(secret, a.credential.date, a.credential.region, a.credential.service);
  return crypto::to_hex(crypto::hmac_sha256(key, string_to_sign(a, std::get<std::string>(canonical))));
}

}  // namespace

std::vector<Header> sign_headers(const SigningInput& in) {
  std::vector<Header> out = in.headers;
  out.reserve(out.size() + 3);
  std::string amz_date;
  if (const Header* d = find_header(&out, "x-amz-date")) {
    amz_date.assign(trim(d->value));
  } else {
    amz_date = clock::amz_date(in.now);
    out.push_back({"X-Amz-Date", amz_date});
  }
  if (in.session_token && !find_header(&out, "x-amz-security-token")) {
    out.push_back({"X-Amz-Security-Token", *in.session_token});
  }
  ParsedAuth a = auth_for(in, std::move(amz_date), signable_names(out));
  const RequestView req{in.method, in.target, &out, in.body};
  const std::string sig = signature_for(req, a, in.secret);
  out.push_back({"Authorization", std::string(kAlgorithm) + " Credential=" + in.access_key_id + "/" +
                                      scope_of(a.credential) + ", SignedHeaders=" +
                                      join(a.signed_headers) + ", Signature=" + sig});
  return out;
}

std::string presign(const SigningInput& in, int64_t expires_seconds) {
  ParsedAuth a = auth_for(in, clock::amz_date(in.now), signable_names(in.headers));
  a.presigned = true;
  a.expires = expires_seconds;
  std::string target = in.target;
  if (target.find('?') == std::string::npos) {
    target.push_back('?');
  } else if (target.back() != '?' && target.back() != '&') {
    target.push_back('&');
  }
  target.append("X-Amz-Algorithm=").append(kAlgorithm);
  target.append("&X-Amz-Credential=");
  append_encoded(target, in.access_key_id + "/" + scope_of(a.credential), /*keep_slash=*/false);
  target.append("&X-Amz-Date=").append(a.amz_date);
  target.append("&X-Amz-Expires=").append(std::to_string(expires_seconds));
  target.append("&X-Amz-SignedHeaders=");
  append_encoded(target, join(a.signed_headers), /*keep_slash=*/false);
  if (in.session_token) {
    target.append("&X-Amz-Security-Token=");
    append_encoded(target, *in.session_token, /*keep_slash=*/false);
  }
  const std::string sig = signature_for(RequestView{in.method, target, &in.headers, in.body}, a, in.secret);
  target.append("&X-Amz-Signature=").append(sig);
  return target;
}

}  // namespace orch::sigv4
