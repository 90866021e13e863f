#include "apimachinery/fields.h"

#include <algorithm>
#include <boost/json.hpp>

#include "apimachinery/gofmt.h"
#include "apimachinery/json_util.h"

namespace orch::apimachinery::fields {
namespace bj = boost::json;

namespace {

// Splits on ',' that is not escaped; the backslashes stay for unescape() to check.
std::vector<std::string_view> split_terms(std::string_view s) {
  std::vector<std::string_view> terms;
  if (s.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (in_slash) {
      in_slash = false;
    } else if (s[i] == '\\') {
      in_slash = true;
    } else if (s[i] == ',') {
      terms.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(s.substr(start));
  return terms;
}

// Length of the UTF-8 sequence at s[i]; 1 for a byte that does not start a valid sequence, as
// Go's range loop steps over invalid input one byte at a time.
size_t rune_len(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 1;
  if (n == 1 || c >= 0xF5 || i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  return n;
}

Result<std::string> unescape(std::string_view s) {
  if (s.find_first_of("\\,=") == std::string_view::npos) return std::string(s);
  std::string out;
  bool in_slash = false;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    size_t n = rune_len(s, i);
    if (in_slash) {
      if (c == '\\' || c == ',' || c == '=') {
        out += c;
      } else {
        return Result<std::string>::failure("invalid field selector: invalid escape sequence: \\" +
                                            std::string(s.substr(i, n)));
      }
      in_slash = false;
      i += n;
      continue;
    }
    if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      // Go prints the offending rune with %v, i.e. as its number.
      return Result<std::string>::failure("invalid field selector: unescaped character in value: " +
                                          std::to_string(static_cast<int>(c)));
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  if (in_slash) return Result<std::string>::failure("invalid field selector: invalid escape sequence: \\");
  return out;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::string escape_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

bool Selector::matches(const FieldGetter& get) const {
  for (const auto& t : terms_) {
    bool eq = get(t.field) == t.value;
    if (t.op == Operator::NotEquals ? eq : !eq) return false;
  }
  return true;
}

std::optional<std::string> Selector::requires_exact_match(std::string_view field) const {
  for (const auto& t : terms_)
    if (t.field == field && t.op != Operator::NotEquals) return t.value;
  return std::nullopt;
}

std::string Selector::str() const {
  std::string out;
  for (size_t i = 0; i < terms_.size(); ++i) {
    if (i) out += ",";
    out += terms_[i].field + (terms_[i].op == Operator::NotEquals ? "!=" : "=") + escape_value(terms_[i].value);
  }
  return out;
}

Result<Selector> parse(std::string_view selector) {
  auto parts = split_terms(selector);
  std::sort(parts.begin(), parts.end());
  Selector sel;
  for (auto part : parts) {
    if (part.empty()) continue;
    // The first operator wins; "!=" and "==" are tried before "=" at each position.
    size_t pos = std::string_view::npos, len = 0;
    Operator op = Operator::Equals;
    for (size_t i = 0; i < part.size() && pos == std::string_view::npos; ++i) {
      std::string_view rest = part.substr(i);
      if (rest.starts_with("!=")) pos = i, len = 2, op = Operator::NotEquals;
      else if (rest.starts_with("==")) pos = i, len = 2, op = Operator::DoubleEquals;
      else if (rest.starts_with("=")) pos = i, len = 1, op = Operator::Equals;
    }
    if (pos == std::string_view::npos)
      return Result<Selector>::failure("invalid selector: '" + std::string(selector) + "'; can't understand '" +
                                       std::string(part) + "'");
    auto value = unescape(part.substr(pos + len));
    if (!value) return Result<Selector>::failure(value.error());
    sel.mutable_terms().push_back({std::string(part.substr(0, pos)), op, std::move(*value)});
  }
  return sel;
}

SelectableFields selectable_fields(std::string_view group, std::string_view kind) {
  SelectableFields f;
  f.custom = true;
  if (group.empty()) {
    if (kind == "Pod") {
      f.labels = {"metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
                  "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
                  "status.podIP", "status.podIPs", "status.nominatedNodeName"};
      f.aliases = {{"spec.host", "spec.nodeName"}};
      return f;
    }
    if (kind == "Node") return f.labels = {"metadata.name", "spec.unschedulable"}, f;
    if (kind == "ReplicationController") return f.labels = {"metadata.name", "metadata.namespace", "status.replicas"}, f;
    if (kind == "PersistentVolume") return f.labels = {"metadata.name"}, f;
    if (kind == "Namespace") return f.labels = {"status.phase", "metadata.name"}, f;
    if (kind == "Secret") return f.labels = {"type", "metadata.namespace", "metadata.name"}, f;
    if (kind == "Service") return f.labels = {"metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"}, f;
    if (kind == "Event") {
      f.labels = {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                  "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                  "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
                  "metadata.namespace", "metadata.name"};
      return f;
    }
  }
  if (group == "apps" && kind == "ReplicaSet") return f.labels = {"metadata.name", "metadata.namespace", "status.replicas"}, f;
  if (group == "batch" && kind == "Job") return f.labels = {"metadata.name", "metadata.namespace", "status.successful"}, f;
  if (group == "certificates.k8s.io" && kind == "CertificateSigningRequest")
    return f.labels = {"metadata.name", "spec.signerName"}, f;
  f.custom = false;
  f.labels = {"metadata.name", "metadata.namespace"};
  return f;
}

Result<Selector> convert(Selector selector, const SelectableFields& fields) {
  for (auto& t : selector.mutable_terms()) {
    for (const auto& [from, to] : fields.aliases)
      if (t.field == from) t.field = to;
    if (contains(fields.labels, t.field)) continue;
    if (fields.custom) return Result<Selector>::failure("field label not supported: " + t.field);
    return Result<Selector>::failure(gofmt::quote(t.field) +
                                     " is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
  }
  return selector;
}

std::string field_value(const bj::value& object, std::string_view field) {
  // Fields the server derives rather than reads verbatim.
  if (field == "status.successful") return field_value(object, "status.succeeded");
  if (field == "status.podIP") {
    if (auto* ip = json::find_path(object, "status.podIP"); ip && ip->is_string()) return std::string(ip->get_string());
    auto* ips = json::find_path(object, "status.podIPs");
    if (ips && ips->is_array() && !ips->get_array().empty())
      if (auto* ip = json::find(ips->get_array()[0], "ip"); ip && ip->is_string()) return std::string(ip->get_string());
    return "";
  }
  const bj::value* v = json::find_path(object, field);
  if (!v) {
    // Zero values as the server's typed structs print them.
    if (field == "spec.hostNetwork" || field == "spec.unschedulable") return "false";
    if (field == "status.replicas" || field == "status.succeeded") return "0";
    return "";
  }
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "true" : "false";
  if (v->is_int64() || v->is_uint64() || v->is_double()) return gofmt::sprint(*v);
  return "";
}

}  // namespace orch::apimachinery::fields
