// Turns OpenSSL's per-thread error queue into text for exception messages. Shared by the PKI and
// the HTTPS server so a bad key file or a failed signature reads the same everywhere.
#pragma once
#include <openssl/err.h>

#include <string>

namespace orch::tls {

// Drains the calling thread's OpenSSL error queue (so stale errors never leak into a later,
// unrelated message) and returns "what: reason; reason" or just "what" when the queue is empty.
inline std::string openssl_error(const std::string& what) {
  std::string msg = what;
  const char* sep = ": ";
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    msg += sep;
    msg += buf;
    sep = "; ";
  }
  return msg;
}

}  // namespace orch::tls
