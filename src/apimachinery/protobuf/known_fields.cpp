#include "apimachinery/protobuf/known_fields.h"

#include "apimachinery/protobuf/schema.h"

namespace orch::kubeproto {
namespace json = boost::json;

namespace {
// The field a JSON member names, looking through inline (embedded) structs as Go's decoder does.
const FieldInfo* member(const MessageInfo& m, std::string_view name) {
  for (const auto& f : fields_of(m)) {
    if (f.has(field_flags::kNoJson)) continue;
    if (f.has(field_flags::kInline) && f.message >= 0) {
      if (const FieldInfo* inner = member(message_at(f.message), name)) return inner;
      continue;
    }
    if (name == f.json_name) return &f;
  }
  return nullptr;
}

void walk(const MessageInfo& m, const json::value& v, const std::string& path, std::vector<std::string>& out, int depth);

void walk_value(const FieldInfo& f, const json::value& v, const std::string& path, std::vector<std::string>& out, int depth) {
  if (f.type != FieldType::Message || f.message < 0 || v.is_null()) return;  // scalars and embedded JSON
  const MessageInfo& sub = message_at(f.message);
  if (sub.list_wrapper) {  // a Go slice type: a bare JSON array of the wrapper's items
    const FieldInfo* items = field_by_number(sub, 1);
    if (items && v.is_array()) {
      size_t i = 0;
      for (const auto& item : v.as_array()) {
        std::string at = path + "[" + std::to_string(i++) + "]";
        if (items->type == FieldType::Message && items->message >= 0) walk(message_at(items->message), item, at, out, depth + 1);
      }
    }
  } else if (f.card == Cardinality::Repeated) {
    if (!v.is_array()) return;  // a type error, reported by decoding, not here
    size_t i = 0;
    for (const auto& item : v.as_array()) walk(sub, item, path + "[" + std::to_string(i++) + "]", out, depth + 1);
  } else if (f.card == Cardinality::Map) {
    if (!v.is_object()) return;
    for (const auto& [k, item] : v.as_object()) walk(sub, item, path + "[" + std::string(k) + "]", out, depth + 1);
  } else {
    walk(sub, v, path, out, depth + 1);
  }
}

void walk(const MessageInfo& m, const json::value& v, const std::string& path, std::vector<std::string>& out, int depth) {
  if (!v.is_object() || depth > 100) return;
  for (const auto& [k, item] : v.as_object()) {
    if (depth == 0 && (k == "apiVersion" || k == "kind")) continue;  // TypeMeta, read before the object
    std::string child = path.empty() ? std::string(k) : path + "." + std::string(k);
    const FieldInfo* f = member(m, k);
    if (!f) {
      out.push_back(child);
      continue;
    }
    walk_value(*f, item, child, out, depth);
  }
}
}  // namespace

std::vector<std::string> unknown_fields(std::string_view api_version, std::string_view kind, const json::object& object) {
  std::vector<std::string> out;
  const MessageInfo* m = find_kind(api_version, kind);
  if (!m) return out;
  walk(*m, json::value(object), "", out, 0);
  return out;
}

}  // namespace orch::kubeproto
