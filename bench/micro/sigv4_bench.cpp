// SigV4 verification as the gateway does it (parse, scope/time check, verify), header form and
// presigned form, next to its floor: the HMAC/SHA-256 work any verifier must do for the same
// request (derive the signing key: 4 HMACs; hash the payload; hash the canonical request; HMAC
// the string to sign), timed on the very bytes the verifier hashes. bench/run reports the ratio.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "base/crypto.h"
#include "sigv4/sigv4.h"

namespace {

using namespace orch;

constexpr int64_t kNow = 1796301749;  // any fixed time: the check is against the same "now"
const char* kKey = "AKIAIOSFODNN7EXAMPLE";
const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

struct Signed {
  std::string method, target, body;
  std::vector<sigv4::Header> headers;
  sigv4::RequestView view() const { return {method, target, &headers, body}; }
};

// What botocore sends for iam list-users: a form POST with its usual headers.
Signed header_request() {
  sigv4::SigningInput in;
  in.method = "POST";
  in.target = "/";
  in.body = "Action=ListUsers&Version=2010-05-08&MaxItems=100";
  in.headers = {{"Host", "127.0.0.1:9443"},
                {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                {"User-Agent", "aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.2"},
                {"Content-Length", "48"}};
  in.access_key_id = kKey;
  in.secret = kSecret;
  in.service = "iam";
  in.now = kNow;
  Signed s{in.method, in.target, in.body, sigv4::sign_headers(in)};
  return s;
}

// A presigned sts GetCallerIdentity GET, as EKS tokens and bench/loadgen use.
Signed presigned_request() {
  sigv4::SigningInput in;
  in.method = "GET";
  in.target = "/?Action=GetCallerIdentity&Version=2011-06-15";
  in.headers = {{"Host", "127.0.0.1:9443"}};
  in.access_key_id = kKey;
  in.secret = kSecret;
  in.service = "sts";
  in.now = kNow;
  Signed s{"GET", sigv4::presign(in, 900), "", {{"Host", "127.0.0.1:9443"}, {"User-Agent", "orch-loadgen"}}};
  return s;
}

void verify_once(const Signed& s, benchmark::State& state) {
  auto view = s.view();
  auto parsed = sigv4::parse(view);
  auto* auth = std::get_if<sigv4::ParsedAuth>(&parsed);
  if (!auth) {
    state.SkipWithError("parse failed");
    return;
  }
  if (sigv4::check_scope_and_time(*auth, "", kNow)) {
    state.SkipWithError("scope/time failed");
    return;
  }
  if (auto err = sigv4::verify(view, *auth, kSecret)) {
    state.SkipWithError(("verify failed: " + err->message).c_str());
    return;
  }
  benchmark::DoNotOptimize(auth);
}

void BM_SigV4Verify_Header(benchmark::State& state) {
  Signed s = header_request();
  for (auto _ : state) verify_once(s, state);
}
BENCHMARK(BM_SigV4Verify_Header);

void BM_SigV4Verify_Presigned(benchmark::State& state) {
  Signed s = presigned_request();
  for (auto _ : state) verify_once(s, state);
}
BENCHMARK(BM_SigV4Verify_Presigned);

// SHA-256 and HMAC-SHA256 with the digest fetched once and one context reused: the cheapest way
// to drive OpenSSL 3 (its one-shot SHA256()/HMAC() look the algorithm up on every call).
struct FastSha256 {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~FastSha256() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
  crypto::Sha256Digest hash(std::string_view a, std::string_view b = {}) {
    crypto::Sha256Digest d{};
    EVP_DigestInit_ex2(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, a.data(), a.size());
    if (!b.empty()) EVP_DigestUpdate(ctx, b.data(), b.size());
    EVP_DigestFinal_ex(ctx, d.data(), nullptr);
    return d;
  }
  crypto::Sha256Digest hmac(std::string_view key, std::string_view data) {
    unsigned char k[64] = {};
    if (key.size() > 64) {
      auto kh = hash(key);
      std::memcpy(k, kh.data(), kh.size());
    } else {
      std::memcpy(k, key.data(), key.size());
    }
    unsigned char ipad[64], opad[64];
    for (int i = 0; i < 64; ++i) ipad[i] = k[i] ^ 0x36, opad[i] = k[i] ^ 0x5c;
    auto inner = hash(std::string_view(reinterpret_cast<char*>(ipad), 64), data);
    return hash(std::string_view(reinterpret_cast<char*>(opad), 64), crypto::as_view(inner));
  }
};

// The floor: only the cryptography a verifier must do, on the same canonical request and string
// to sign, as cheaply as OpenSSL allows.
void floor_of(const Signed& s, benchmark::State& state) {
  FastSha256 f;
  auto view = s.view();
  auto auth = std::get<sigv4::ParsedAuth>(sigv4::parse(view));
  std::string creq = std::get<std::string>(sigv4::canonical_request(view, auth));
  std::string sts = sigv4::string_to_sign(auth, creq);
  std::string secret = std::string("AWS4") + kSecret;
  for (auto _ : state) {
    auto k1 = f.hmac(secret, auth.credential.date);
    auto k2 = f.hmac(crypto::as_view(k1), auth.credential.region);
    auto k3 = f.hmac(crypto::as_view(k2), auth.credential.service);
    auto k4 = f.hmac(crypto::as_view(k3), "aws4_request");
    auto payload = f.hash(s.body);
    auto ch = f.hash(creq);
    auto sig = f.hmac(crypto::as_view(k4), sts);
    benchmark::DoNotOptimize(payload);
    benchmark::DoNotOptimize(ch);
    benchmark::DoNotOptimize(sig);
  }
}

void BM_SigV4Floor_Header(benchmark::State& state) { floor_of(header_request(), state); }
BENCHMARK(BM_SigV4Floor_Header);

void BM_SigV4Floor_Presigned(benchmark::State& state) { floor_of(presigned_request(), state); }
BENCHMARK(BM_SigV4Floor_Presigned);

// The parts, to see where the time above the floor goes.
void BM_SigV4Parse_Header(benchmark::State& state) {
  Signed s = header_request();
  auto view = s.view();
  for (auto _ : state) benchmark::DoNotOptimize(sigv4::parse(view));
}
BENCHMARK(BM_SigV4Parse_Header);

void BM_SigV4CanonicalRequest_Header(benchmark::State& state) {
  Signed s = header_request();
  auto view = s.view();
  auto auth = std::get<sigv4::ParsedAuth>(sigv4::parse(view));
  for (auto _ : state) benchmark::DoNotOptimize(sigv4::canonical_request(view, auth));
}
BENCHMARK(BM_SigV4CanonicalRequest_Header);

// One HMAC-SHA256 of a short message: base/crypto's (OpenSSL's one-shot HMAC()) and the floor's.
void BM_HmacSha256_BaseCrypto(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(crypto::hmac_sha256("AWS4secretsecretsecret", "20261203"));
}
BENCHMARK(BM_HmacSha256_BaseCrypto);

void BM_HmacSha256_Prefetched(benchmark::State& state) {
  FastSha256 f;
  for (auto _ : state) benchmark::DoNotOptimize(f.hmac("AWS4secretsecretsecret", "20261203"));
}
BENCHMARK(BM_HmacSha256_Prefetched);

void BM_SigV4SigningKey(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(sigv4::signing_key(kSecret, "20261203", "us-east-1", "iam"));
}
BENCHMARK(BM_SigV4SigningKey);

}  // namespace
