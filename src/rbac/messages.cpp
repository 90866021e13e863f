// Message formatting that must match kube-apiserver byte for byte: Go's quoting, the 403 text,
// field errors and the 422 Invalid text, and apimachinery's name/label validation messages.
#include <algorithm>
#include <cstdio>
#include <set>

#include "rbac/internal.h"
#include "rbac/rbac.h"

namespace orch::rbac {
namespace {

void append_hex(std::string& out, const char* prefix, unsigned long v, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*lx", width, v);
  out += prefix;
  out += buf;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 if invalid (Go then prints the
// byte as \x..).
size_t decode_utf8(std::string_view s, size_t i, char32_t& r) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t n = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0;
  if (b >= 0xF5 || n == 0 || i + n > s.size()) return 0;
  r = n == 2 ? b & 0x1F : n == 3 ? b & 0x0F : b & 0x07;
  for (size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    r = (r << 6) | (c & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid in Go too.
  if ((n == 3 && r < 0x800) || (n == 4 && (r < 0x10000 || r > 0x10FFFF)) ||
      (r >= 0xD800 && r <= 0xDFFF))
    return 0;
  return n;
}

// An approximation of unicode.IsPrint for non-ASCII runes: the separators, format characters,
// C1 controls and private-use ranges Go escapes. (Unassigned code points are printed as is.)
bool printable(char32_t r) {
  if (r < 0xA0) return false;
  if (r == 0xA0 || r == 0xAD || r == 0x1680 || r == 0x3000 || r == 0xFEFF) return false;
  if ((r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
      (r >= 0x205F && r <= 0x206F) || (r >= 0xFFF9 && r <= 0xFFFB))
    return false;
  if ((r >= 0xE000 && r <= 0xF8FF) || r >= 0xF0000) return false;
  if ((r & 0xFFFE) == 0xFFFE) return false;  // noncharacters
  return true;
}

std::string_view type_text(ErrorType t) {
  switch (t) {
    case ErrorType::Required: return "Required value";
    case ErrorType::Forbidden: return "Forbidden";
    case ErrorType::NotSupported: return "Unsupported value";
    case ErrorType::Invalid:
    case ErrorType::TypeInvalid: return "Invalid value";
  }
  return "Invalid value";
}

// Avoid emitting errors that look like HTML (kube's responsewriters sanitizer).
std::string sanitize_html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool dns_label_ok(std::string_view v) {
  if (v.empty() || !lower_alnum(v.front()) || !lower_alnum(v.back())) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return lower_alnum(c) || c == '-'; });
}

bool dns_subdomain_ok(std::string_view v) {
  size_t start = 0;
  while (true) {
    size_t dot = v.find('.', start);
    if (!dns_label_ok(v.substr(start, dot == std::string_view::npos ? v.npos : dot - start)))
      return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool label_name_ok(std::string_view v) {
  if (v.empty() || !alnum(v.front()) || !alnum(v.back())) return false;
  return std::all_of(v.begin(), v.end(),
                     [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

std::string regex_error(std::string msg, std::string_view re, std::vector<std::string_view> ex) {
  msg += " (e.g. ";
  for (size_t i = 0; i < ex.size(); ++i) {
    if (i > 0) msg += " or ";
    msg += "'";
    msg += ex[i];
    msg += "', ";
  }
  msg += "regex used for validation is '";
  msg += re;
  msg += "')";
  return msg;
}

std::string max_len_error(int n) { return "must be no more than " + std::to_string(n) + " bytes"; }

constexpr std::string_view kDnsLabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDnsSubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kLabelKeyFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

}  // namespace

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      switch (b) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default:
          if (b < 0x20 || b == 0x7F) append_hex(out, "\\x", b, 2);
          else out += static_cast<char>(b);
      }
      ++i;
      continue;
    }
    char32_t r = 0;
    size_t n = decode_utf8(s, i, r);
    if (n == 0) {
      append_hex(out, "\\x", b, 2);
      ++i;
      continue;
    }
    if (printable(r)) out.append(s.substr(i, n));
    else if (r < 0x10000) append_hex(out, "\\u", r, 4);
    else append_hex(out, "\\U", r, 8);
    i += n;
  }
  out += "\"";
  return out;
}

std::string go_quote(const std::vector<std::string>& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += " ";
    out += go_quote(list[i]);
  }
  out += "]";
  return out;
}

std::string forbidden_message(const Attributes& a, std::string_view reason) {
  // responsewriters.forbiddenMessage
  std::string msg = "User " + go_quote(a.user.name) + " cannot " + a.verb;
  if (!a.resource_request) {
    msg += " path " + go_quote(a.path);
  } else {
    std::string resource = a.resource;
    if (!a.subresource.empty()) resource += "/" + a.subresource;
    msg += " resource " + go_quote(resource) + " in API group " + go_quote(a.api_group);
    if (!a.ns.empty()) msg += " in the namespace " + go_quote(a.ns);
    else msg += " at the cluster scope";
  }
  msg = sanitize_html(msg);
  if (!reason.empty()) {
    msg += ": ";
    msg += reason;
  }
  // responsewriters.Forbidden passes the attributes' group and resource (without subresource)
  // and name to apierrors.NewForbidden; non-resource requests have neither.
  return detail::forbidden_status(a.resource, a.api_group, a.name, msg);
}

std::string FieldError::body() const {
  std::string s(type_text(type));
  bool show_value = type != ErrorType::Required && type != ErrorType::Forbidden && !bad_value.empty();
  if (show_value) s += ": " + bad_value;
  if (!detail.empty()) s += ": " + detail;
  return s;
}

std::string FieldError::to_string() const {
  return field.empty() ? body() : field + ": " + body();
}

std::string_view FieldError::reason() const {
  switch (type) {
    case ErrorType::Required: return "FieldValueRequired";
    case ErrorType::Invalid: return "FieldValueInvalid";
    case ErrorType::NotSupported: return "FieldValueNotSupported";
    case ErrorType::Forbidden: return "FieldValueForbidden";
    case ErrorType::TypeInvalid: return "FieldValueTypeInvalid";
  }
  return "FieldValueInvalid";
}

std::string invalid_message(std::string_view kind, std::string_view name, const FieldErrors& errs) {
  std::string head = std::string(kind) + "." + std::string(kGroupName) + " " +
                     go_quote(name) + " is invalid";
  if (errs.empty()) return head;
  std::vector<std::string> msgs;
  for (const auto& e : errs) msgs.push_back(e.to_string());
  return head + ": " + detail::aggregate(msgs);
}

namespace detail {

std::string go_syntax(const std::vector<std::string>& list) {
  std::string out = "[]string{";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ", ";
    out += go_quote(list[i]);
  }
  return out + "}";
}

std::string aggregate(const std::vector<std::string>& messages) {
  std::vector<std::string> unique;
  std::set<std::string, std::less<>> seen;
  for (const auto& m : messages)
    if (seen.insert(m).second) unique.push_back(m);
  if (unique.size() == 1) return unique[0];
  std::string out = "[";
  for (size_t i = 0; i < unique.size(); ++i) {
    if (i > 0) out += ", ";
    out += unique[i];
  }
  return out + "]";
}

std::string group_resource(std::string_view resource, std::string_view group) {
  std::string s(resource);
  if (!group.empty()) {
    s += ".";
    s += group;
  }
  return s;
}

std::string forbidden_status(std::string_view resource, std::string_view group,
                             std::string_view name, std::string_view err) {
  // Built by appending: g++ 12 at -O3 misreports "literal" + std::string as overlapping.
  std::string s;
  if (resource.empty() && group.empty()) {
    s = "forbidden: ";
  } else {
    s = group_resource(resource, group);
    if (!name.empty()) s.append(" ").append(go_quote(name));
    s += " is forbidden: ";
  }
  s.append(err);
  return s;
}

std::vector<std::string> dns1123_subdomain_errors(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 253) errs.push_back(max_len_error(253));
  if (!dns_subdomain_ok(v))
    errs.push_back(regex_error(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character",
        kDnsSubdomainFmt, {"example.com"}));
  return errs;
}

std::vector<std::string> dns1123_label_errors(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 63) errs.push_back(max_len_error(63));
  if (!dns_label_ok(v)) {
    if (dns_subdomain_ok(v)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(regex_error(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
          "'-', and must start and end with an alphanumeric character",
          kDnsLabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

std::vector<std::string> label_key_errors(std::string_view v) {
  constexpr std::string_view kMsg =
      "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
      "alphanumeric character";
  std::vector<std::string> errs;
  std::string_view name = v;
  size_t slash = v.find('/');
  if (slash != std::string_view::npos) {
    if (v.find('/', slash + 1) != std::string_view::npos) {
      errs.push_back("a valid label key " +
                     regex_error(std::string(kMsg), kLabelKeyFmt, {"MyName", "my.name", "123-abc"}) +
                     " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errs;
    }
    std::string_view prefix = v.substr(0, slash);
    name = v.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (auto& m : dns1123_subdomain_errors(prefix)) errs.push_back("prefix part " + m);
    }
  }
  if (name.empty()) errs.push_back("name part must be non-empty");
  else if (name.size() > 63) errs.push_back("name part " + max_len_error(63));
  if (!label_name_ok(name))
    errs.push_back("name part " +
                   regex_error(std::string(kMsg), kLabelKeyFmt, {"MyName", "my.name", "123-abc"}));
  return errs;
}

std::vector<std::string> label_value_errors(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 63) errs.push_back(max_len_error(63));
  if (!v.empty() && !label_name_ok(v))
    errs.push_back(regex_error(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
        "or '.', and must start and end with an alphanumeric character",
        kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  return errs;
}

std::vector<std::string> path_segment_errors(std::string_view v, bool prefix) {
  if (!prefix) {
    if (v == ".") return {"may not be '.'"};
    if (v == "..") return {"may not be '..'"};
  }
  std::vector<std::string> errs;
  if (v.find('/') != std::string_view::npos) errs.push_back("may not contain '/'");
  if (v.find('%') != std::string_view::npos) errs.push_back("may not contain '%'");
  return errs;
}

}  // namespace detail
}  // namespace orch::rbac
