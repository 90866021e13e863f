// Wildcard and ARN matching for Action, Resource, StringLike and Arn* conditions (reference §5.2,
// §5.3). Allocation-free: these run for every statement of every request.
#pragma once
#include <array>
#include <string_view>

namespace orch::policy {

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b);

// `*` matches any run of characters (also empty) and `?` exactly one character (one UTF-8
// sequence, so `?` stands for `é` as a user would expect). `literal`, when given, is parallel to
// `pattern`: a nonzero entry means that character is plain text even if it is `*` or `?`; that is
// how ${*}, ${?} and substituted variable values stay literal. With `fold_case`, text is
// lowercased before comparing and the pattern must already be lowercase (actions are lowered
// once at parse time).
bool glob_match(std::string_view pattern, const unsigned char* literal, std::string_view text,
                bool fold_case = false);

// arn:partition:service:region:account:resource; the resource part keeps any further colons.
struct ArnParts {
  std::array<std::string_view, 6> part;
  bool ok = false;  // false when there are fewer than 5 colons
};
ArnParts split_arn(std::string_view s);

// Matches the six parts one by one with glob_match (case-sensitive). `literal` as above, parallel
// to the whole pattern. A pattern that is just `*` matches anything, ARN or not.
bool arn_match(std::string_view pattern, const unsigned char* literal, const ArnParts& text);

}  // namespace orch::policy
