// SigV4 on a whole request (Authorization header or presigned query, whichever it carries):
// input is the request as the AWS test suite writes it, "GET /path?q HTTP/1.1\nName:value\n\nbody".
#include "fuzz/fuzz_input.h"
#include "fuzz/sigv4_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto http = orch::fuzz::parse_http_text(orch::fuzz::view(data, size));
  orch::fuzz::check_signed_request(std::move(http.method), std::move(http.target), std::move(http.headers),
                                   std::move(http.body));
  return 0;
}
