// application/x-www-form-urlencoded and URL query strings: the AWS Query protocol's input.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orch::aws {

// Decodes %XX and (when plus_is_space) '+'. Returns nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

// RFC 3986 encoding: every byte but A-Z a-z 0-9 - _ . ~ is %XX (a space is %20, never '+').
std::string percent_encode(std::string_view s);

// Splits a form or query string into decoded pairs. Returns nullopt on a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view s);

// True if s is valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s);

}  // namespace orch::aws
