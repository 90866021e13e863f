#include "aws/protocol/params.h"

#include <charconv>

#include "aws/error.h"
#include "aws/protocol/form.h"

namespace orch::aws {
namespace {

// Decodes UTF-8 to code points; invalid input was rejected at the gateway, but stay safe.
std::u32string code_points(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 3;
    char32_t cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k <= n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out += cp;
    i += n + 1;
  }
  return out;
}

bool word(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }
bool in(char32_t c, std::u32string_view set) { return set.find(c) != std::u32string_view::npos; }
bool doc_char(char32_t c) { return c == 9 || c == 10 || c == 13 || (c >= 0x20 && c <= 0xFF); }
bool space(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
// \p{L}, \p{Z}, \p{N}: every non-ASCII code point is taken as a letter; exact Unicode tables
// would add a dependency for the sake of tag keys alone.
bool tag_char(char32_t c) { return word(c) || c >= 0x80 || in(c, U" .:/=+-@"); }

template <class Pred>
bool all(const std::u32string& s, Pred p) {
  for (char32_t c : s)
    if (!p(c)) return false;
  return true;
}

const char* pattern_text(Pattern p) {
  switch (p) {
    case Pattern::None: return "";
    case Pattern::Name: return "[\\w+=,.@-]+";
    case Pattern::Path: return "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)";
    case Pattern::PathPrefix: return "\\u002F[\\u0021-\\u007F]*";
    case Pattern::PolicyPath: return "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/";
    case Pattern::PolicyDocument: return "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+";
    case Pattern::SessionName: return "[\\w+=,.@-]*";
    case Pattern::ExternalId: return "[\\w+=,.@:\\/-]*";
    case Pattern::TagKey: return "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+";
    case Pattern::TagValue: return "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*";
    case Pattern::Marker: return "[\\u0020-\\u00FF]+";
    case Pattern::Word: return "[\\w]+";
    case Pattern::Description: return "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*";
    case Pattern::VersionId: return "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?";
    case Pattern::AccountId: return "\\d{12}";
    case Pattern::Email: return "[^\\s@]+@[^\\s@]+\\.[^\\s@]+";
    case Pattern::Printable: return "[\\u0020-\\u007E]+";
  }
  return "";
}

std::string camel(std::string_view member) {
  std::string m(member);
  if (!m.empty()) m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
  return m;
}
}  // namespace

bool matches(std::string_view value, Pattern p) {
  std::u32string s = code_points(value);
  switch (p) {
    case Pattern::None: return true;
    case Pattern::Name: return !s.empty() && all(s, [](char32_t c) { return word(c) || in(c, U"+=,.@-"); });
    case Pattern::SessionName: return all(s, [](char32_t c) { return word(c) || in(c, U"+=,.@-"); });
    case Pattern::ExternalId: return all(s, [](char32_t c) { return word(c) || in(c, U"+=,.@:/-"); });
    case Pattern::Path:
      return s == U"/" || (s.size() >= 3 && s.front() == '/' && s.back() == '/' &&
                           all(s, [](char32_t c) { return c >= 0x21 && c <= 0x7E; }));
    case Pattern::PathPrefix:
      return !s.empty() && s.front() == '/' && all(s, [](char32_t c) { return c >= 0x21 && c <= 0x7F; });
    case Pattern::PolicyPath: {
      if (s.empty() || s.front() != '/' || s.back() != '/') return false;
      // segments between slashes must be non-empty and of the allowed set
      for (size_t i = 1; i < s.size(); ++i) {
        if (s[i] == '/' && s[i - 1] == '/') return false;
        if (s[i] != '/' && !(word(s[i]) || in(s[i], U".,+@=-"))) return false;
      }
      return true;
    }
    case Pattern::PolicyDocument: return !s.empty() && all(s, doc_char);
    case Pattern::TagKey: return !s.empty() && all(s, tag_char);
    case Pattern::TagValue: return all(s, tag_char);
    case Pattern::Marker: return !s.empty() && all(s, [](char32_t c) { return c >= 0x20 && c <= 0xFF; });
    case Pattern::Word: return !s.empty() && all(s, word);
    case Pattern::Description:
      return all(s, [](char32_t c) { return c == 9 || c == 10 || c == 13 || (c >= 0x20 && c <= 0x7E) || (c >= 0xA1 && c <= 0xFF); });
    case Pattern::VersionId: {
      if (s.size() < 2 || s[0] != 'v' || s[1] < '1' || s[1] > '9') return false;
      size_t i = 2;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == s.size()) return true;
      if (s[i] != '.') return false;
      return all(s.substr(i + 1), [](char32_t c) { return word(c) && c != '_' ? true : c == '-'; });
    }
    case Pattern::AccountId: return s.size() == 12 && all(s, [](char32_t c) { return c >= '0' && c <= '9'; });
    case Pattern::Email: {
      size_t at = s.find(U'@');
      if (at == std::u32string::npos || at == 0) return false;
      std::u32string local = s.substr(0, at), domain = s.substr(at + 1);
      size_t dot = domain.rfind(U'.');
      auto ok = [](char32_t c) { return c != '@' && !space(c); };
      return all(local, ok) && dot != std::u32string::npos && dot > 0 && dot + 1 < domain.size() && all(domain, ok);
    }
    case Pattern::Printable: return !s.empty() && all(s, [](char32_t c) { return c >= 0x20 && c <= 0x7E; });
  }
  return false;
}

std::string violation(std::string_view value, const Rule& rule) {
  size_t len = code_points(value).size();
  if (rule.min && len < rule.min) return "Member must have length greater than or equal to " + std::to_string(rule.min);
  if (rule.max && len > rule.max) return "Member must have length less than or equal to " + std::to_string(rule.max);
  if (!rule.allowed.empty()) {
    bool ok = false;
    std::string set;
    for (auto a : rule.allowed) {
      ok = ok || a == value;
      set += (set.empty() ? "" : ", ") + std::string(a);
    }
    if (!ok) return "Member must satisfy enum value set: [" + set + "]";
  }
  if (rule.pattern != Pattern::None && !matches(value, rule.pattern))
    return std::string("Member must satisfy regular expression pattern: ") + pattern_text(rule.pattern);
  return {};
}

void fail_validation(std::string_view member, const std::string* value, const std::string& constraint) {
  std::string shown = value ? "'" + *value + "'" : "null";
  throw validation_error("1 validation error detected: Value " + shown + " at '" + camel(member) +
                         "' failed to satisfy constraint: " + constraint);
}

const std::string* Params::find(std::string_view name) const {
  for (const auto& [k, v] : pairs_)
    if (k == name) return &v;
  return nullptr;
}

std::optional<std::string> Params::optional(std::string_view name, const Rule& rule) const {
  const std::string* v = find(name);
  if (!v) return std::nullopt;
  if (std::string c = violation(*v, rule); !c.empty()) fail_validation(name, v, c);
  return *v;
}

std::string Params::required(std::string_view name, const Rule& rule) const {
  const std::string* v = find(name);
  if (!v) fail_validation(name, nullptr, "Member must not be null");
  if (std::string c = violation(*v, rule); !c.empty()) fail_validation(name, v, c);
  return *v;
}

std::optional<int64_t> Params::integer(std::string_view name, int64_t min, int64_t max) const {
  const std::string* v = find(name);
  if (!v) return std::nullopt;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size())
    throw AwsError("MalformedQueryString", 400, "Invalid value '" + *v + "' for parameter " + std::string(name));
  if (n < min) fail_validation(name, v, "Member must have value greater than or equal to " + std::to_string(min));
  if (n > max) fail_validation(name, v, "Member must have value less than or equal to " + std::to_string(max));
  return n;
}

std::optional<bool> Params::boolean(std::string_view name) const {
  const std::string* v = find(name);
  if (!v) return std::nullopt;
  if (*v == "true") return true;
  if (*v == "false") return false;
  throw AwsError("MalformedQueryString", 400, "Invalid boolean value '" + *v + "' for parameter " + std::string(name));
}

std::vector<std::string> Params::list(std::string_view name, const Rule& rule, size_t max_items) const {
  std::vector<std::string> out;
  std::string prefix = std::string(name) + ".member.";
  for (size_t i = 1;; ++i) {
    const std::string* v = find(prefix + std::to_string(i));
    if (!v) break;
    if (std::string c = violation(*v, rule); !c.empty()) fail_validation(name, v, c);
    out.push_back(*v);
  }
  if (max_items && out.size() > max_items)
    fail_validation(name, nullptr, "Member must have length less than or equal to " + std::to_string(max_items));
  return out;
}

std::vector<std::pair<std::string, std::string>> Params::tags(std::string_view name) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::string prefix = std::string(name) + ".member.";
  static const Rule kKey{1, 128, Pattern::TagKey}, kValue{0, 256, Pattern::TagValue};
  for (size_t i = 1;; ++i) {
    std::string base = prefix + std::to_string(i);
    const std::string* k = find(base + ".Key");
    const std::string* v = find(base + ".Value");
    if (!k && !v) break;
    if (!k) fail_validation("key", nullptr, "Member must not be null");
    if (!v) fail_validation("value", nullptr, "Member must not be null");
    if (std::string c = violation(*k, kKey); !c.empty()) fail_validation("key", k, c);
    if (std::string c = violation(*v, kValue); !c.empty()) fail_validation("value", v, c);
    out.emplace_back(*k, *v);
  }
  if (out.size() > 50) fail_validation(name, nullptr, "Member must have length less than or equal to 50");
  return out;
}

}  // namespace orch::aws
