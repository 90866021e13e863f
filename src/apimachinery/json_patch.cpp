#include "apimachinery/json_patch.h"

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "apimachinery/json_util.h"

namespace orch::apimachinery {
namespace bj = boost::json;

namespace {

using PatchResult = Result<bj::value, ApiError>;

PatchResult bad_request(std::string msg) {
  return PatchResult::failure(ApiError{status::bad_request(msg), msg});
}

// An operation that does not apply: the client sees the server's generic 422.
PatchResult does_not_apply(std::string detail) {
  return PatchResult::failure(ApiError{status::unprocessable(), std::move(detail)});
}

std::string_view json_kind_word(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::object: return "object";
    case bj::kind::array: return "array";
    case bj::kind::string: return "string";
    case bj::kind::bool_: return "bool";
    case bj::kind::null: return "null";
    default: return "number";
  }
}

// RFC 6901 pointer → reference tokens; nullopt when malformed.
std::optional<std::vector<std::string>> parse_pointer(std::string_view p) {
  std::vector<std::string> tokens;
  if (p.empty()) return tokens;
  if (p[0] != '/') return std::nullopt;
  p.remove_prefix(1);
  while (true) {
    auto slash = p.find('/');
    std::string_view raw = p.substr(0, slash);
    std::string tok;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '~') {
        tok += raw[i];
        continue;
      }
      if (i + 1 >= raw.size() || (raw[i + 1] != '0' && raw[i + 1] != '1')) return std::nullopt;
      tok += raw[i + 1] == '0' ? '~' : '/';
      ++i;
    }
    tokens.push_back(std::move(tok));
    if (slash == std::string_view::npos) return tokens;
    p.remove_prefix(slash + 1);
  }
}

// An array index token: "0" or digits without a leading zero; nullopt otherwise.
std::optional<size_t> parse_index(const std::string& t) {
  if (t.empty() || t.size() > 18) return std::nullopt;
  if (t.size() > 1 && t[0] == '0') return std::nullopt;
  size_t n = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

// The value a pointer designates, or nullptr.
bj::value* locate(bj::value& doc, const std::vector<std::string>& tokens, size_t count) {
  bj::value* cur = &doc;
  for (size_t i = 0; i < count; ++i) {
    if (cur->is_object()) {
      auto it = cur->get_object().find(tokens[i]);
      if (it == cur->get_object().end()) return nullptr;
      cur = &it->value();
    } else if (cur->is_array()) {
      auto idx = parse_index(tokens[i]);
      if (!idx || *idx >= cur->get_array().size()) return nullptr;
      cur = &cur->get_array()[*idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

// Each operation returns an error detail, or nullopt when it applied.
using OpError = std::optional<std::string>;

OpError op_add(bj::value& doc, const std::vector<std::string>& t, const std::string& path, bj::value v) {
  if (t.empty()) {
    doc = std::move(v);
    return std::nullopt;
  }
  bj::value* parent = locate(doc, t, t.size() - 1);
  if (!parent) return "add operation does not apply: doc is missing path: \"" + path + "\"";
  const std::string& last = t.back();
  if (parent->is_object()) {
    parent->get_object()[last] = std::move(v);
    return std::nullopt;
  }
  if (parent->is_array()) {
    auto& a = parent->get_array();
    if (last == "-") {
      a.push_back(std::move(v));
      return std::nullopt;
    }
    auto idx = parse_index(last);
    if (!idx || *idx > a.size()) return "add operation does not apply: index out of bounds: " + path;
    a.insert(a.begin() + static_cast<std::ptrdiff_t>(*idx), std::move(v));
    return std::nullopt;
  }
  return "add operation does not apply: doc is missing path: \"" + path + "\"";
}

OpError op_remove(bj::value& doc, const std::vector<std::string>& t, const std::string& path,
                  bj::value* removed = nullptr) {
  if (t.empty()) return "remove operation does not apply: cannot remove the whole document";
  bj::value* parent = locate(doc, t, t.size() - 1);
  if (!parent) return "remove operation does not apply: doc is missing path: \"" + path + "\"";
  const std::string& last = t.back();
  if (parent->is_object()) {
    auto& o = parent->get_object();
    auto it = o.find(last);
    if (it == o.end()) return "Unable to remove nonexistent key: " + last + ": missing value";
    if (removed) *removed = std::move(it->value());
    o.erase(it);
    return std::nullopt;
  }
  if (parent->is_array()) {
    auto& a = parent->get_array();
    auto idx = parse_index(last);
    if (!idx || *idx >= a.size()) return "Unable to access invalid index: " + last + ": invalid index referenced";
    if (removed) *removed = std::move(a[*idx]);
    a.erase(a.begin() + static_cast<std::ptrdiff_t>(*idx));
    return std::nullopt;
  }
  return "remove operation does not apply: doc is missing path: \"" + path + "\"";
}

OpError op_replace(bj::value& doc, const std::vector<std::string>& t, const std::string& path, bj::value v) {
  bj::value* target = locate(doc, t, t.size());
  if (!target) return "replace operation does not apply: doc is missing key: " + path + ": missing value";
  *target = std::move(v);
  return std::nullopt;
}

OpError apply_one(bj::value& doc, const bj::object& op) {
  auto str = [&](std::string_view k) -> std::optional<std::string> {
    auto it = op.find(k);
    if (it == op.end() || !it->value().is_string()) return std::nullopt;
    return std::string(it->value().get_string());
  };
  std::string kind = str("op").value_or("unknown");
  auto path = str("path");
  if (!path) return "operation " + kind + " is missing path";
  auto tokens = parse_pointer(*path);
  if (!tokens) return "invalid JSON pointer: \"" + *path + "\"";
  auto value_it = op.find("value");
  bool has_value = value_it != op.end();

  if (kind == "add") {
    if (!has_value) return "add operation does not apply: missing value";
    return op_add(doc, *tokens, *path, value_it->value());
  }
  if (kind == "remove") return op_remove(doc, *tokens, *path);
  if (kind == "replace") {
    if (!has_value) return "replace operation does not apply: missing value";
    return op_replace(doc, *tokens, *path, value_it->value());
  }
  if (kind == "test") {
    bj::value* target = locate(doc, *tokens, tokens->size());
    const bj::value& expected = has_value ? value_it->value() : bj::value();
    if (!target) {
      if (!has_value || expected.is_null()) return std::nullopt;  // absent tests equal to null
      return "testing value " + *path + " failed: missing value";
    }
    if (!json::equal(*target, expected)) return "testing value " + *path + " failed: test failed";
    return std::nullopt;
  }
  if (kind == "move" || kind == "copy") {
    auto from = str("from");
    if (!from) return kind + " operation does not apply: missing from";
    auto ftokens = parse_pointer(*from);
    if (!ftokens) return "invalid JSON pointer: \"" + *from + "\"";
    if (kind == "move") {
      if (*from == *path) return std::nullopt;
      if (path->size() > from->size() && path->compare(0, from->size(), *from) == 0 && (*path)[from->size()] == '/')
        return "move operation does not apply: from is a proper prefix of path";
      bj::value moved;
      if (auto e = op_remove(doc, *ftokens, *from, &moved)) return "move operation does not apply: " + *e;
      return op_add(doc, *tokens, *path, std::move(moved));
    }
    bj::value* src = locate(doc, *ftokens, ftokens->size());
    if (!src) return "copy operation does not apply: doc is missing from path: \"" + *from + "\"";
    return op_add(doc, *tokens, *path, *src);
  }
  return "Unexpected kind: " + kind;
}

void merge_into(bj::value& target, const bj::value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = bj::object();
  auto& t = target.get_object();
  for (const auto& kv : patch.get_object()) {
    if (kv.value().is_null()) {
      t.erase(kv.key());
      continue;
    }
    auto it = t.find(kv.key());
    if (it == t.end()) {
      // A new member still gets the patch's nulls removed (RFC 7386 §2: MergePatch({}, value)).
      bj::value fresh;
      merge_into(fresh, kv.value());
      t[kv.key()] = std::move(fresh);
    } else {
      merge_into(it->value(), kv.value());
    }
  }
}

}  // namespace

bj::value json_merge_patch(bj::value target, const bj::value& patch) {
  merge_into(target, patch);
  return target;
}

Result<bj::value, ApiError> apply_merge_patch(const bj::value& object, const bj::value& patch) {
  if (json::exceeds_depth(patch)) return bad_request("patch exceeds the maximum nesting depth of 100");
  if (!patch.is_object()) return bad_request("Invalid JSON Patch");
  return json_merge_patch(object, patch);
}

Result<bj::value, ApiError> apply_json_patch(const bj::value& doc, const bj::value& patch) {
  if (json::exceeds_depth(patch)) return bad_request("patch exceeds the maximum nesting depth of 100");
  if (patch.is_null()) return doc;
  if (!patch.is_array())
    return bad_request("json: cannot unmarshal " + std::string(json_kind_word(patch)) +
                       " into Go value of type jsonpatch.Patch");
  const auto& ops = patch.get_array();
  for (const auto& op : ops)
    if (!op.is_object())
      return bad_request("json: cannot unmarshal " + std::string(json_kind_word(op)) +
                         " into Go value of type jsonpatch.Operation");
  if (ops.size() > kMaxJsonPatchOperations) {
    std::string m = "The allowed maximum operations in a JSON patch is " + std::to_string(kMaxJsonPatchOperations) +
                    ", got " + std::to_string(ops.size());
    return PatchResult::failure(ApiError{status::request_entity_too_large(m), m});
  }
  bj::value out = doc;
  for (const auto& op : ops)
    if (auto err = apply_one(out, op.get_object())) return does_not_apply(*err);
  return out;
}

}  // namespace orch::apimachinery
