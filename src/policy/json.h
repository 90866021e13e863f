// A small, strict JSON tree for policy documents. Boost.JSON's own DOM silently keeps the last of
// duplicate member names and turns numbers into doubles; IAM needs both to be visible (a
// duplicate key is a syntax error, and a condition value 1.50 is compared as the text "1.50"),
// so documents are parsed with Boost.JSON's event parser into this tree instead.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orch::policy::json {

struct Value {
  enum class Kind : uint8_t { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  // String: the decoded text. Number: the digits exactly as written. Bool: "true" or "false".
  std::string text;
  std::vector<Value> items;       // Array elements, or Object member values in document order
  std::vector<std::string> keys;  // Object member names, parallel to items

  bool is_string() const { return kind == Kind::String; }
  bool is_array() const { return kind == Kind::Array; }
  bool is_object() const { return kind == Kind::Object; }
  // Object member by exact name, or nullptr.
  const Value* get(std::string_view key) const;
};

// RFC 8259 only: no comments, no trailing commas, nothing but whitespace after the value, valid
// UTF-8, and no object with two members of the same name. nullopt on any violation.
std::optional<Value> parse(std::string_view text);

}  // namespace orch::policy::json
