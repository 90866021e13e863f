// Identifiers in the shapes AWS clients and people expect (see ../shared/docs/iam-and-sts.md §3).
#pragma once
#include <string>
#include <string_view>

namespace orch::ids {

// A 4-letter prefix (AIDA, AGPA, AROA, ANPA, AKIA, ASIA, ...) followed by 16 (or 17 for 21-char
// unique ids) random characters of the base32 alphabet [A-Z2-7].
std::string unique_id(std::string_view prefix);         // 21 characters
std::string access_key_id(std::string_view prefix);     // 20 characters
std::string secret_access_key();                        // 40 characters of [A-Za-z0-9+/]
std::string uuid4();                                    // request ids
std::string random_digits(size_t n);                    // account ids

}  // namespace orch::ids
