// The AWS plane's SigV4 steps (aws::Gateway::handle) on one request, for the two SigV4 targets.
#pragma once
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sigv4/sigv4.h"

namespace orch::fuzz {

// The secret of the AWS SigV4 test suite's key, so seeds from its vectors verify and the fuzzer
// starts from requests that reach the end of verification.
inline constexpr std::string_view kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

inline void check_signed_request(std::string method, std::string target,
                                 std::vector<std::pair<std::string, std::string>> header_pairs, std::string body) {
  std::vector<sigv4::Header> headers;
  for (auto& [n, v] : header_pairs) headers.push_back({std::move(n), std::move(v)});
  sigv4::RequestView req{method, target, &headers, body};
  auto parsed = sigv4::parse(req);
  auto* auth = std::get_if<sigv4::ParsedAuth>(&parsed);
  if (!auth) return;
  // Once at the request's own time (the window passes, the expiry rules run) and once far off.
  (void)sigv4::check_scope_and_time(*auth, "", auth->request_time);
  (void)sigv4::check_scope_and_time(*auth, "sts", 1'700'000'000);
  for (auto mode : {sigv4::QueryToken::kSigned, sigv4::QueryToken::kUnsigned}) {
    auto canonical = sigv4::canonical_request(req, *auth, mode);
    if (auto* text = std::get_if<std::string>(&canonical)) (void)sigv4::string_to_sign(*auth, *text);
  }
  (void)sigv4::verify(req, *auth, kSuiteSecret);
}

}  // namespace orch::fuzz
