// SigV4 presigned URLs: input is only the request target ("/path?X-Amz-Algorithm=...&..."), so
// every mutation lands in the query parser and the presigned rules (X-Amz-Expires, a token
// appended after signing, duplicated parameters) rather than in header syntax.
#include "fuzz/fuzz_input.h"
#include "fuzz/sigv4_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  orch::fuzz::check_signed_request("GET", std::string(orch::fuzz::view(data, size)),
                                   {{"Host", "example.amazonaws.com"}}, "");
  return 0;
}
