#include "apimachinery/known_fields.h"

#include <boost/json.hpp>
#include <set>
#include <utility>

#include "apimachinery/gofmt.h"
#include "apimachinery/json_util.h"

namespace orch::apimachinery::known {
namespace bj = boost::json;

const Type* Type::field(std::string_view name) const {
  auto it = fields.find(name);
  return it == fields.end() ? nullptr : it->second;
}

namespace {

class Builder {
 public:
  Builder(std::vector<std::unique_ptr<Type>>& owned, const std::map<std::string, Type*, std::less<>>& named)
      : owned_(owned), named_(named) {}

  // Fills t from a shape; returns an error message or "".
  std::string fill(Type& t, const bj::value& shape, int depth) {
    if (depth > static_cast<int>(json::kMaxDepth)) return "schema nests too deeply";
    if (shape.is_string()) {
      std::string_view s = shape.get_string();
      if (s == "string" || s == "integer" || s == "number" || s == "boolean" || s == "scalar") {
        t.kind = Type::Kind::Scalar;
      } else if (s == "any") {
        t.kind = Type::Kind::Any;
      } else if (!s.empty() && s[0] == '#') {
        return "a named type can only be referenced where a field's type is expected: " + std::string(s);
      } else {
        return "unknown type " + gofmt::quote(s);
      }
      return "";
    }
    if (shape.is_array()) {
      if (shape.get_array().size() != 1) return "a list shape holds exactly one element shape";
      t.kind = Type::Kind::List;
      return ref(t.elem, shape.get_array()[0], depth + 1);
    }
    if (shape.is_object()) {
      t.kind = Type::Kind::Object;
      for (const auto& kv : shape.get_object()) {
        const Type* ft = nullptr;
        if (auto e = ref(ft, kv.value(), depth + 1); !e.empty()) return e;
        if (kv.key() == "*")
          t.additional = ft;
        else
          t.fields.emplace(std::string(kv.key()), ft);
      }
      return "";
    }
    return "a shape is a string, a list or an object";
  }

  // A member's type: a reference to a named type, or a new anonymous one.
  std::string ref(const Type*& out, const bj::value& shape, int depth) {
    if (shape.is_string() && !shape.get_string().empty() && shape.get_string()[0] == '#') {
      std::string_view name = shape.get_string().subview().substr(1);
      auto it = named_.find(name);
      if (it == named_.end()) return "unknown named type " + gofmt::quote(name);
      out = it->second;
      return "";
    }
    owned_.push_back(std::make_unique<Type>());
    Type* t = owned_.back().get();
    out = t;
    return fill(*t, shape, depth);
  }

 private:
  std::vector<std::unique_ptr<Type>>& owned_;
  const std::map<std::string, Type*, std::less<>>& named_;
};

void walk(const bj::value& v, const Type& t, std::string& path, std::vector<std::string>& out) {
  if (t.kind == Type::Kind::Object && v.is_object()) {
    for (const auto& kv : v.get_object()) {
      size_t len = path.size();
      if (!path.empty()) path += '.';
      path += kv.key();
      const Type* ft = t.field(kv.key());
      if (!ft) ft = t.additional;
      if (!ft)
        out.push_back(path);
      else
        walk(kv.value(), *ft, path, out);
      path.resize(len);
    }
  } else if (t.kind == Type::Kind::List && v.is_array() && t.elem) {
    size_t i = 0;
    for (const auto& e : v.get_array()) {
      size_t len = path.size();
      path += "[" + std::to_string(i++) + "]";
      walk(e, *t.elem, path, out);
      path.resize(len);
    }
  }
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Reads the JSON string starting at s[i] == '"'; leaves i after the closing quote.
std::string read_string(std::string_view s, size_t& i) {
  std::string out;
  ++i;
  auto hex4 = [&](size_t at, uint32_t& v) {
    if (at + 4 > s.size()) return false;
    v = 0;
    for (size_t k = at; k < at + 4; ++k) {
      char c = s[k];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else return false;
    }
    return true;
  };
  while (i < s.size() && s[i] != '"') {
    if (s[i] != '\\') {
      out += s[i++];
      continue;
    }
    if (++i >= s.size()) break;
    char e = s[i++];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        uint32_t cp = 0;
        if (!hex4(i, cp)) break;
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < s.size() && s[i] == '\\' && s[i + 1] == 'u') {
          uint32_t lo = 0;
          if (hex4(i + 2, lo) && lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        append_utf8(out, cp);
        break;
      }
      default: out += e; break;
    }
  }
  if (i < s.size()) ++i;  // closing quote
  return out;
}

}  // namespace

Result<Schema> Schema::from_json(const bj::value& doc) {
  if (!doc.is_object()) return Result<Schema>::failure("a schema document is a JSON object");
  Schema s;
  std::map<std::string, Type*, std::less<>> named;
  const bj::value* types = json::find(doc, "types");
  if (types && types->is_object()) {
    for (const auto& kv : types->get_object()) {
      s.types_.push_back(std::make_unique<Type>());
      named.emplace(std::string(kv.key()), s.types_.back().get());
    }
  }
  Builder b(s.types_, named);
  if (types && types->is_object()) {
    for (const auto& kv : types->get_object()) {
      Type* t = named.find(kv.key())->second;
      // A named type that is only a reference to another would alias; copy it instead.
      if (kv.value().is_string() && !kv.value().get_string().empty() && kv.value().get_string()[0] == '#') {
        const Type* target = nullptr;
        if (auto e = b.ref(target, kv.value(), 0); !e.empty()) return Result<Schema>::failure(e);
        if (target != t) *t = *target;
        continue;
      }
      if (auto e = b.fill(*t, kv.value(), 0); !e.empty())
        return Result<Schema>::failure("type " + std::string(kv.key()) + ": " + e);
    }
  }
  const bj::value* kinds = json::find(doc, "kinds");
  if (kinds && kinds->is_object()) {
    for (const auto& kv : kinds->get_object()) {
      const Type* t = nullptr;
      if (auto e = b.ref(t, kv.value(), 0); !e.empty())
        return Result<Schema>::failure("kind " + std::string(kv.key()) + ": " + e);
      s.kinds_.emplace(std::string(kv.key()), t);
    }
  }
  return s;
}

const Type* Schema::kind(std::string_view kind) const {
  auto it = kinds_.find(kind);
  return it == kinds_.end() ? nullptr : it->second;
}

std::vector<std::string> unknown_fields(const bj::value& object, const Type& type) {
  std::vector<std::string> out;
  if (json::exceeds_depth(object)) return out;
  std::string path;
  walk(object, type, path, out);
  return out;
}

std::vector<std::string> duplicate_fields(std::string_view s) {
  struct Frame {
    bool object;
    bool expect_key;
    std::set<std::string> keys;
  };
  std::vector<Frame> stack;
  std::vector<std::string> dups;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':') {
      ++i;
    } else if (c == '{') {
      stack.push_back({true, true, {}});
      ++i;
    } else if (c == '[') {
      stack.push_back({false, false, {}});
      ++i;
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
      ++i;
    } else if (c == ',') {
      if (!stack.empty() && stack.back().object) stack.back().expect_key = true;
      ++i;
    } else if (c == '"') {
      std::string str = read_string(s, i);
      if (!stack.empty() && stack.back().object && stack.back().expect_key) {
        if (!stack.back().keys.insert(str).second) dups.push_back(str);
        stack.back().expect_key = false;
      }
    } else {
      while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' &&
             s[i] != '\t' && s[i] != '\r')
        ++i;
    }
  }
  return dups;
}

std::string unknown_field_message(std::string_view path) { return "unknown field \"" + std::string(path) + "\""; }

std::string duplicate_field_message(std::string_view name) { return "duplicate field \"" + std::string(name) + "\""; }

std::string strict_decoding_error(const std::vector<std::string>& messages) {
  std::string out = "strict decoding error: ";
  for (size_t i = 0; i < messages.size(); ++i) out += (i ? ", " : "") + messages[i];
  return out;
}

std::string cannot_be_handled(std::string_view kind, std::string_view version, std::string_view err) {
  return std::string(kind) + " in version " + gofmt::quote(version) + " cannot be handled as a " + std::string(kind) +
         ": " + std::string(err);
}

std::string warning_header(std::string_view text) { return "299 - " + gofmt::quote(text); }

}  // namespace orch::apimachinery::known
