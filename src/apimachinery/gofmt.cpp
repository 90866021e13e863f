#include "apimachinery/gofmt.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

namespace orch::apimachinery::gofmt {
namespace bj = boost::json;

namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when the bytes are not valid
// UTF-8 (Go then prints that single byte as \xNN).
size_t decode_utf8(std::string_view s, size_t i, uint32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c >= 0xF5 || i + n > s.size()) return 0;
  cp = c & (0xFF >> (n + 1));
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid, as in Go.
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

// An approximation of unicode.IsPrint good for messages: controls, the C1 range, soft hyphen,
// line/paragraph separators, BOM and non-characters are not printable; the rest is.
bool printable(uint32_t cp) {
  if (cp < 0x20 || cp == 0x7F) return false;
  if (cp >= 0x80 && cp < 0xA0) return false;
  if (cp == 0xAD || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF) return false;
  if ((cp & 0xFFFE) == 0xFFFE) return false;
  if (cp >= 0xE000 && cp <= 0xF8FF) return false;  // private use
  return true;
}

void hex(std::string& out, const char* prefix, uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*x", digits, static_cast<unsigned>(v));
  out += prefix;
  out += buf;
}

// Go's integer formatting of a JSON number, or float64() for doubles.
std::string number(const bj::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  return float64(v.get_double());
}

std::vector<const bj::key_value_pair*> sorted_members(const bj::object& o) {
  std::vector<const bj::key_value_pair*> m;
  m.reserve(o.size());
  for (const auto& kv : o) m.push_back(&kv);
  std::sort(m.begin(), m.end(),
            [](auto* a, auto* b) { return a->key() < b->key(); });
  return m;
}

// Shortest round-trip digits and decimal exponent of d (d finite, > 0): d = 0.DIGITS × 10^dp.
void shortest(double d, std::string& digits, int& dp) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string s(buf, r.ptr);
  auto e = s.find('e');
  std::string mant = s.substr(0, e);
  int exp = std::stoi(s.substr(e + 1));
  digits.clear();
  for (char c : mant)
    if (c != '.') digits.push_back(c);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  dp = exp + 1;
}

std::string exp_form(const std::string& digits, int dp, bool go_json) {
  std::string out(1, digits[0]);
  if (digits.size() > 1) out += "." + digits.substr(1);
  int e = dp - 1;
  out += e < 0 ? "e-" : "e+";
  int ae = std::abs(e);
  // strconv pads the exponent to two digits; encoding/json strips that padding again.
  if (ae < 10 && !go_json) out += "0";
  out += std::to_string(ae);
  return out;
}

std::string fixed_form(const std::string& digits, int dp) {
  std::string out;
  if (dp <= 0) {
    out = "0." + std::string(static_cast<size_t>(-dp), '0') + digits;
  } else if (static_cast<size_t>(dp) >= digits.size()) {
    out = digits + std::string(static_cast<size_t>(dp) - digits.size(), '0');
  } else {
    out = digits.substr(0, static_cast<size_t>(dp)) + "." + digits.substr(static_cast<size_t>(dp));
  }
  return out;
}

void marshal(std::string& out, const bj::value& v);

void marshal_string(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\n') {
      out += "\\n", ++i;
    } else if (c == '\r') {
      out += "\\r", ++i;
    } else if (c == '\t') {
      out += "\\t", ++i;
    } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      hex(out, "\\u", c, 4), ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c), ++i;
    } else {
      uint32_t cp = 0;
      size_t n = decode_utf8(s, i, cp);
      if (n == 0) {
        out += "\\ufffd", ++i;
      } else if (cp == 0x2028 || cp == 0x2029) {
        hex(out, "\\u", cp, 4), i += n;
      } else {
        out.append(s.substr(i, n)), i += n;
      }
    }
  }
  out += '"';
}

void marshal(std::string& out, const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null:
      out += "null";
      break;
    case bj::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case bj::kind::int64:
    case bj::kind::uint64:
      out += number(v);
      break;
    case bj::kind::double_: {
      double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null";
        break;
      }
      if (d == 0) {
        out += "0";
        break;
      }
      std::string digits;
      int dp = 0;
      shortest(std::fabs(d), digits, dp);
      double a = std::fabs(d);
      if (d < 0) out += '-';
      out += (a < 1e-6 || a >= 1e21) ? exp_form(digits, dp, true) : fixed_form(digits, dp);
      break;
    }
    case bj::kind::string:
      marshal_string(out, v.get_string());
      break;
    case bj::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        marshal(out, e);
      }
      out += ']';
      break;
    }
    case bj::kind::object: {
      out += '{';
      bool first = true;
      for (auto* kv : sorted_members(v.get_object())) {
        if (!first) out += ',';
        first = false;
        marshal_string(out, kv->key());
        out += ':';
        marshal(out, kv->value());
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    size_t n = decode_utf8(s, i, cp);
    if (n == 0) {
      hex(out, "\\x", c, 2);
      ++i;
      continue;
    }
    i += n;
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\a': out += "\\a"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\v': out += "\\v"; continue;
      default: break;
    }
    if (printable(cp)) {
      out.append(s.substr(i - n, n));
    } else if (cp < 0x20 || cp == 0x7F) {
      hex(out, "\\x", cp, 2);
    } else if (cp < 0x10000) {
      hex(out, "\\u", cp, 4);
    } else {
      hex(out, "\\U", cp, 8);
    }
  }
  out += '"';
  return out;
}

std::string float64(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  if (d == 0) return std::signbit(d) ? "-0" : "0";
  std::string digits;
  int dp = 0;
  shortest(std::fabs(d), digits, dp);
  int exp = dp - 1;
  // strconv's shortest 'g' switches to exponent form from 10^6 (eprec = 6), which %v uses.
  std::string body = (exp < -4 || exp >= 6) ? exp_form(digits, dp, false) : fixed_form(digits, dp);
  return d < 0 ? "-" + body : body;
}

std::string sprint(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null: return "<nil>";
    case bj::kind::bool_: return v.get_bool() ? "true" : "false";
    case bj::kind::int64:
    case bj::kind::uint64:
    case bj::kind::double_: return number(v);
    case bj::kind::string: return std::string(v.get_string());
    case bj::kind::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ' ';
        first = false;
        out += sprint(e);
      }
      return out + "]";
    }
    case bj::kind::object: {
      std::string out = "map[";
      bool first = true;
      for (auto* kv : sorted_members(v.get_object())) {
        if (!first) out += ' ';
        first = false;
        out += std::string(kv->key()) + ":" + sprint(kv->value());
      }
      return out + "]";
    }
  }
  return {};
}

std::string json_marshal(const bj::value& v) {
  std::string out;
  marshal(out, v);
  return out;
}

std::string go_syntax(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null: return "interface {}(nil)";
    case bj::kind::string: return quote(v.get_string());
    case bj::kind::array: {
      const auto& a = v.get_array();
      // Decoded Go slices that are empty are usually nil, which %#v prints this way.
      if (a.empty()) return "[]string(nil)";
      bool all_strings = std::all_of(a.begin(), a.end(), [](const bj::value& e) { return e.is_string(); });
      std::string out = all_strings ? "[]string{" : "[]interface {}{";
      bool first = true;
      for (const auto& e : a) {
        if (!first) out += ", ";
        first = false;
        out += go_syntax(e);
      }
      return out + "}";
    }
    case bj::kind::object: {
      std::string out = "map[string]interface {}{";
      bool first = true;
      for (auto* kv : sorted_members(v.get_object())) {
        if (!first) out += ", ";
        first = false;
        out += quote(kv->key()) + ":" + go_syntax(kv->value());
      }
      return out + "}";
    }
    default: return sprint(v);
  }
}

std::string type_name(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null: return "%!s(<nil>)";
    case bj::kind::bool_: return "bool";
    case bj::kind::int64:
    case bj::kind::uint64: return "int64";
    case bj::kind::double_: return "float64";
    case bj::kind::string: return "string";
    case bj::kind::array: return "[]interface {}";
    case bj::kind::object: return "map[string]interface {}";
  }
  return {};
}

}  // namespace orch::apimachinery::gofmt
