// Policy variables (reference §5.4): ${aws:username}, ${key, 'default'}, and the escapes ${*},
// ${?}, ${$}. A string holding variables is compiled once into pieces and expanded per request.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"

namespace orch::policy {

struct Template {
  struct Piece {
    enum class Kind : uint8_t {
      Text,     // policy text: `*` and `?` in it stay wildcards
      Literal,  // ${*} ${?} ${$}: one character that never acts as a wildcard
      Variable  // a context key, its value inserted literally
    };
    Kind kind = Kind::Text;
    std::string text;  // Text/Literal: the characters; Variable: the key, lowercased
    bool has_default = false;
    std::string default_value;
  };
  std::vector<Piece> pieces;
};

// Compiles `s`, keeping `prefix` as plain text in front (the ARN parts before the resource part,
// where variables are not recognized). Returns false, leaving `out` empty, when `s` holds no
// `${...}` at all, so callers can keep the plain fast path.
bool compile_template(std::string_view prefix, std::string_view s, Template& out);

// Expands into `out` with a parallel `literal` mask (1 = never a wildcard), both cleared first.
// Returns false when a variable has no value (key absent, or holding several values) and no default:
// the caller then treats the entry as matching nothing.
bool expand_template(const Template& t, const Context& ctx, std::string& out,
                     std::vector<unsigned char>& literal);

}  // namespace orch::policy
