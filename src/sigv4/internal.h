// Helpers shared by the SigV4 translation units; not part of the module's API.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sigv4/sigv4.h"

namespace orch::sigv4::detail {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kTerminator = "aws4_request";

// RFC 3986 unreserved characters: the only bytes SigV4 leaves unencoded.
bool is_unreserved(unsigned char c);
// -1 when c is not a hex digit.
int hex_value(char c);

// Appends bytes percent-encoding everything but unreserved characters (and '/' when keep_slash),
// with uppercase hex.
void append_encoded(std::string& out, std::string_view bytes, bool keep_slash);
// Decodes then strictly re-encodes in one pass. A '%' not followed by two hex digits stands for
// itself, so it comes out as %25 rather than being dropped or read past the end.
void append_reencoded(std::string& out, std::string_view raw);
std::string percent_decode(std::string_view raw);
// Whether raw, once percent-decoded, equals literal; allocates nothing.
bool decoded_equals(std::string_view raw, std::string_view literal);

bool iequals(std::string_view a, std::string_view b);
bool is_space(char c);  // SP, HTAB and the CR/LF of an obsolete folded line
std::string_view trim(std::string_view s);

struct Target {
  std::string_view path;
  std::string_view query;  // without the '?'
};
Target split_target(std::string_view target);

// First header with that name (compared case-insensitively), or nullptr.
const Header* find_header(const std::vector<Header>* headers, std::string_view name);

// Calls fn(raw_name, raw_value) for each non-empty '&'-separated part of a raw query string.
template <typename Fn>
void for_each_query_param(std::string_view query, Fn&& fn) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      fn(part, std::string_view{});
    } else {
      fn(part.substr(0, eq), part.substr(eq + 1));
    }
  }
}

// "<date>/<region>/<service>/<terminator>", as the string to sign and the Authorization header
// write it.
std::string scope_of(const Credential& c);

}  // namespace orch::sigv4::detail
