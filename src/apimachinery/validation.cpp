#include "apimachinery/validation.h"

#include <boost/json.hpp>
#include <cctype>

#include "apimachinery/gofmt.h"
#include "base/crypto.h"

namespace orch::apimachinery::validation {
namespace bj = boost::json;

namespace {

// The regular expressions and messages below are kube-apiserver's (1.32); the checks are written
// out by hand instead of std::regex so that hostile input costs linear time.
constexpr std::string_view kDns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDns1123LabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
constexpr std::string_view kDns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kDns1123SubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view kDns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDns1035LabelMsg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character";
constexpr std::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kQualifiedNameMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr std::string_view kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr std::string_view kLabelValueMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr size_t kTotalAnnotationSizeLimit = 256 * 1024;

std::string max_len_error(size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

// RegexError: the examples are joined with " or " after "', " (hence the double space the
// server's messages have: "(e.g. 'my-name',  or '123-abc', ...").
std::string regex_error(std::string_view msg, std::string_view fmt,
                        std::initializer_list<std::string_view> examples) {
  std::string out(msg);
  if (examples.size() == 0) return out + " (regex used for validation is '" + std::string(fmt) + "')";
  out += " (e.g. ";
  size_t i = 0;
  for (auto ex : examples) {
    if (i++) out += " or ";
    out += "'" + std::string(ex) + "', ";
  }
  return out + "regex used for validation is '" + std::string(fmt) + "')";
}

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool match_dns1123_label(std::string_view v) {
  if (v.empty() || !lower_alnum(v.front()) || !lower_alnum(v.back())) return false;
  for (char c : v)
    if (!lower_alnum(c) && c != '-') return false;
  return true;
}

bool match_dns1123_subdomain(std::string_view v) {
  while (true) {
    auto dot = v.find('.');
    if (!match_dns1123_label(v.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    v.remove_prefix(dot + 1);
  }
}

bool match_dns1035_label(std::string_view v) {
  return match_dns1123_label(v) && v.front() >= 'a' && v.front() <= 'z';
}

bool match_qualified_name_part(std::string_view v) {
  if (v.empty() || !alnum(v.front()) || !alnum(v.back())) return false;
  for (char c : v)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

// NameIs*'s treatment of a generateName: a trailing '-' would be followed by the random suffix,
// so it is replaced before checking. kube-apiserver drops two characters and appends "a".
std::string mask_trailing_dash(std::string_view name) {
  if (name.size() > 1 && name.back() == '-') return std::string(name.substr(0, name.size() - 2)) + "a";
  return std::string(name);
}

}  // namespace

Problems dns1123_label(std::string_view v) {
  Problems p;
  if (v.size() > 63) p.push_back(max_len_error(63));
  if (!match_dns1123_label(v)) {
    if (match_dns1123_subdomain(v))
      p.push_back("must not contain dots");
    else
      p.push_back(regex_error(kDns1123LabelMsg, kDns1123LabelFmt, {"my-name", "123-abc"}));
  }
  return p;
}

Problems dns1123_subdomain(std::string_view v) {
  Problems p;
  if (v.size() > 253) p.push_back(max_len_error(253));
  if (!match_dns1123_subdomain(v))
    p.push_back(regex_error(kDns1123SubdomainMsg, kDns1123SubdomainFmt, {"example.com"}));
  return p;
}

Problems dns1035_label(std::string_view v) {
  Problems p;
  if (v.size() > 63) p.push_back(max_len_error(63));
  if (!match_dns1035_label(v))
    p.push_back(regex_error(kDns1035LabelMsg, kDns1035LabelFmt, {"my-name", "abc-123"}));
  return p;
}

Problems qualified_name(std::string_view v) {
  Problems p;
  std::string_view name = v;
  auto slash = v.find('/');
  if (slash != std::string_view::npos) {
    if (v.find('/', slash + 1) != std::string_view::npos) {
      p.push_back("a qualified name " +
                  regex_error(kQualifiedNameMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
                  " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return p;
    }
    std::string_view prefix = v.substr(0, slash);
    name = v.substr(slash + 1);
    if (prefix.empty()) {
      p.push_back("prefix part must be non-empty");
    } else {
      for (auto& m : dns1123_subdomain(prefix)) p.push_back("prefix part " + m);
    }
  }
  if (name.empty())
    p.push_back("name part must be non-empty");
  else if (name.size() > 63)
    p.push_back("name part " + max_len_error(63));
  if (!match_qualified_name_part(name))
    p.push_back("name part " +
                regex_error(kQualifiedNameMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}));
  return p;
}

Problems label_value(std::string_view v) {
  Problems p;
  if (v.size() > 63) p.push_back(max_len_error(63));
  if (!v.empty() && !match_qualified_name_part(v))
    p.push_back(regex_error(kLabelValueMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  return p;
}

Problems path_segment_name(std::string_view v, bool prefix) {
  if (!prefix) {
    if (v == ".") return {"may not be '.'"};
    if (v == "..") return {"may not be '..'"};
  }
  Problems p;
  if (v.find('/') != std::string_view::npos) p.push_back("may not contain '/'");
  if (v.find('%') != std::string_view::npos) p.push_back("may not contain '%'");
  return p;
}

Problems name_is_dns_subdomain(std::string_view name, bool prefix) {
  return dns1123_subdomain(prefix ? mask_trailing_dash(name) : std::string(name));
}
Problems name_is_dns_label(std::string_view name, bool prefix) {
  return dns1123_label(prefix ? mask_trailing_dash(name) : std::string(name));
}
Problems name_is_dns1035_label(std::string_view name, bool prefix) {
  return dns1035_label(prefix ? mask_trailing_dash(name) : std::string(name));
}

std::string name_parameter_problem(std::string_view name) {
  auto p = path_segment_name(name);
  if (p.empty()) return {};
  std::string joined;
  for (size_t i = 0; i < p.size(); ++i) joined += (i ? ";" : "") + p[i];
  return "Name parameter invalid: " + gofmt::quote(name) + ": " + joined;
}

FieldErrorList validate_labels(const bj::value& labels, const FieldPath& path) {
  FieldErrorList errs;
  if (!labels.is_object()) return errs;
  for (const auto& kv : labels.get_object()) {
    for (auto& m : qualified_name(kv.key())) errs.push_back(invalid(path, bj::string(kv.key()), m));
    if (kv.value().is_string())
      for (auto& m : label_value(kv.value().get_string()))
        errs.push_back(invalid(path, kv.value(), m));
  }
  return errs;
}

FieldErrorList validate_annotations(const bj::value& annotations, const FieldPath& path) {
  FieldErrorList errs;
  if (!annotations.is_object()) return errs;
  size_t total = 0;
  for (const auto& kv : annotations.get_object()) {
    std::string lower(kv.key());
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto& m : qualified_name(lower)) errs.push_back(invalid(path, bj::string(kv.key()), m));
    total += kv.key().size();
    if (kv.value().is_string()) total += kv.value().get_string().size();
  }
  if (total > kTotalAnnotationSizeLimit)
    errs.push_back(too_long(path, static_cast<int>(kTotalAnnotationSizeLimit)));
  return errs;
}

FieldErrorList validate_object_meta(const bj::value& metadata, bool requires_namespace,
                                    const NameFunc& name_fn, const FieldPath& path) {
  FieldErrorList errs;
  auto str = [&](std::string_view key) -> std::string {
    if (!metadata.is_object()) return {};
    auto it = metadata.get_object().find(key);
    if (it == metadata.get_object().end() || !it->value().is_string()) return {};
    return std::string(it->value().get_string());
  };
  std::string generate = str("generateName"), name = str("name"), ns = str("namespace");
  if (!generate.empty())
    for (auto& m : name_fn(generate, true))
      errs.push_back(invalid(path.child("generateName"), bj::string(generate), m));
  if (name.empty()) {
    errs.push_back(required(path.child("name"), "name or generateName is required"));
  } else {
    for (auto& m : name_fn(name, false)) errs.push_back(invalid(path.child("name"), bj::string(name), m));
  }
  if (requires_namespace) {
    if (ns.empty())
      errs.push_back(required(path.child("namespace")));
    else
      for (auto& m : name_is_dns_label(ns, false))
        errs.push_back(invalid(path.child("namespace"), bj::string(ns), m));
  } else if (!ns.empty()) {
    errs.push_back(forbidden(path.child("namespace"), "not allowed on this type"));
  }
  if (metadata.is_object()) {
    const auto& o = metadata.get_object();
    if (auto it = o.find("generation"); it != o.end() && it->value().is_int64() && it->value().get_int64() < 0)
      errs.push_back(invalid(path.child("generation"), it->value(), "must be greater than or equal to 0"));
    if (auto it = o.find("labels"); it != o.end())
      for (auto& e : validate_labels(it->value(), path.child("labels"))) errs.push_back(std::move(e));
    if (auto it = o.find("annotations"); it != o.end())
      for (auto& e : validate_annotations(it->value(), path.child("annotations"))) errs.push_back(std::move(e));
    if (auto it = o.find("finalizers"); it != o.end() && it->value().is_array())
      for (const auto& f : it->value().get_array())
        if (f.is_string())
          for (auto& m : qualified_name(f.get_string()))
            errs.push_back(invalid(path.child("finalizers"), f, m));
  }
  return errs;
}

std::string generate_name(std::string_view base, const std::function<uint32_t()>& random) {
  std::string out(base.substr(0, std::min(base.size(), kMaxGeneratedNameLength)));
  std::string bytes;
  if (!random) bytes = crypto::random_bytes(5);
  for (size_t i = 0; i < 5; ++i) {
    uint32_t r = random ? random() : static_cast<unsigned char>(bytes[i]);
    out += kNameAlphabet[r % kNameAlphabet.size()];
  }
  return out;
}

}  // namespace orch::apimachinery::validation
