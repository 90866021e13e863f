// JSON -> protobuf, reproducing what Go does with the same object: json.Unmarshal into the Go
// struct, then the gogo-generated Marshal. Hence fields by number; value (non-pointer) fields
// always written, zero or not; pointers, slices, []byte and maps only when set; map entries
// sorted by key; metav1.Time as seconds only, or an empty message when zero.
#include <algorithm>
#include <bit>
#include <boost/json/serialize.hpp>
#include <limits>
#include <vector>

#include "apimachinery/protobuf/kubeproto.h"
#include "apimachinery/protobuf/values.h"
#include "apimachinery/protobuf/wire.h"

namespace orch::kubeproto {
namespace json = boost::json;

namespace {

// Where in the object an error is, kept as a chain of stack frames and only rendered on error.
struct Path {
  const Path* parent = nullptr;
  std::string_view name;
  int64_t index = -1;

  std::string str() const {
    std::string head = parent != nullptr ? parent->str() : std::string();
    if (index >= 0) return head + "[" + std::to_string(index) + "]";
    if (name.empty()) return head;
    return head.empty() ? std::string(name) : head + "." + std::string(name);
  }
};

[[noreturn]] void invalid(const Path& path, const std::string& what) {
  const std::string where = path.str();
  throw Error(Error::Code::InvalidObject,
              (where.empty() ? std::string("object") : where) + ": " + what);
}

const char* kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "bool";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "value";
}

// A JSON integer within [lo, hi]. Numbers written with a fraction or exponent are refused, as
// Go's json.Unmarshal refuses them for integer fields.
int64_t integer(const json::value& v, int64_t lo, int64_t hi, const Path& path) {
  if (v.is_int64() && v.get_int64() >= lo && v.get_int64() <= hi) return v.get_int64();
  if (v.is_uint64() && hi >= 0 && v.get_uint64() <= static_cast<uint64_t>(hi))
    return static_cast<int64_t>(v.get_uint64());
  invalid(path, std::string("expected an integer in range, got ") +
                    (v.is_number() ? json::serialize(v) : kind_name(v)));
}

uint64_t unsigned_integer(const json::value& v, uint64_t hi, const Path& path) {
  if (v.is_uint64() && v.get_uint64() <= hi) return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0 && static_cast<uint64_t>(v.get_int64()) <= hi)
    return static_cast<uint64_t>(v.get_int64());
  invalid(path, std::string("expected an unsigned integer in range, got ") +
                    (v.is_number() ? json::serialize(v) : kind_name(v)));
}

double to_double(const json::value& v, const Path& path) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  invalid(path, std::string("expected a number, got ") + kind_name(v));
}

std::string_view string_of(const json::value& v, const Path& path) {
  if (!v.is_string()) invalid(path, std::string("expected a string, got ") + kind_name(v));
  return v.get_string();
}

bool is_scalar(FieldType t) {
  switch (t) {
    case FieldType::String:
    case FieldType::Bytes:
    case FieldType::Bool:
    case FieldType::Int32:
    case FieldType::Int64:
    case FieldType::UInt32:
    case FieldType::UInt64:
    case FieldType::Double:
    case FieldType::Float: return true;
    default: return false;
  }
}

class Encoder {
 public:
  // obj == nullptr encodes the zero value of the message.
  std::string message(const MessageInfo& m, const json::object* obj, int depth, const Path& path);

 private:
  void scalar(FieldType t, uint32_t number, const json::value* v, wire::Writer& w,
              const Path& path);
  // The payload of a length-delimited sub-message, special type or list wrapper.
  std::string payload(const FieldInfo& f, const json::value* v, int depth, const Path& path);
  std::string special(FieldType t, const json::value* v, const Path& path);
  void field(const FieldInfo& f, const json::object* obj, wire::Writer& w, int depth,
             const Path& path);
  void repeated(const FieldInfo& f, const json::value& v, wire::Writer& w, int depth,
                const Path& path);
};

// The value (nullptr when null) written for a scalar field.
void Encoder::scalar(FieldType t, uint32_t number, const json::value* v, wire::Writer& w,
                     const Path& path) {
  constexpr int64_t kI32Min = std::numeric_limits<int32_t>::min();
  constexpr int64_t kI32Max = std::numeric_limits<int32_t>::max();
  constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
  constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
  switch (t) {
    case FieldType::String:
      w.bytes(number, v != nullptr ? string_of(*v, path) : std::string_view{});
      return;
    case FieldType::Bytes: {
      auto bytes = values::base64_decode(v != nullptr ? string_of(*v, path) : std::string_view{});
      if (!bytes) invalid(path, "invalid base64");
      w.bytes(number, *bytes);
      return;
    }
    case FieldType::Bool:
      if (v != nullptr && !v->is_bool())
        invalid(path, std::string("expected a bool, got ") + kind_name(*v));
      w.varint_field(number, v != nullptr && v->get_bool() ? 1 : 0);
      return;
    case FieldType::Int32:
      // Negative int32 values are sign-extended to ten bytes, as Go's uint64(int32) does.
      w.varint_field(number,
                     static_cast<uint64_t>(v != nullptr ? integer(*v, kI32Min, kI32Max, path) : 0));
      return;
    case FieldType::Int64:
      w.varint_field(number,
                     static_cast<uint64_t>(v != nullptr ? integer(*v, kI64Min, kI64Max, path) : 0));
      return;
    case FieldType::UInt32:
      w.varint_field(number, v != nullptr ? unsigned_integer(*v, 0xffffffffu, path) : 0);
      return;
    case FieldType::UInt64:
      w.varint_field(number,
                     v != nullptr ? unsigned_integer(*v, std::numeric_limits<uint64_t>::max(), path)
                                  : 0);
      return;
    case FieldType::Double:
      w.tag(number, wire::kFixed64);
      w.fixed64(std::bit_cast<uint64_t>(v != nullptr ? to_double(*v, path) : 0.0));
      return;
    case FieldType::Float:
      w.tag(number, wire::kFixed32);
      w.fixed32(
          std::bit_cast<uint32_t>(static_cast<float>(v != nullptr ? to_double(*v, path) : 0.0)));
      return;
    default: break;
  }
  invalid(path, "internal: not a scalar type");
}

std::string Encoder::message(const MessageInfo& m, const json::object* obj, int depth,
                             const Path& path) {
  if (depth > kMaxDepth) invalid(path, "object nested too deeply");
  wire::Writer w;
  const auto fields = fields_of(m);
  for (uint8_t off : wire_order(m)) field(fields[off], obj, w, depth, path);
  return w.take();
}

// Each element of a JSON array as one occurrence of the field (proto2: never packed).
void Encoder::repeated(const FieldInfo& f, const json::value& v, wire::Writer& w, int depth,
                       const Path& path) {
  if (!v.is_array()) invalid(path, std::string("expected an array, got ") + kind_name(v));
  int64_t i = 0;
  for (const json::value& item : v.get_array()) {
    const Path at{&path, {}, i++};
    const json::value* e = item.is_null() ? nullptr : &item;  // null: the zero element
    if (is_scalar(f.type)) {
      scalar(f.type, f.number, e, w, at);
    } else {
      w.bytes(f.number, payload(f, e, depth, at));
    }
  }
}

void Encoder::field(const FieldInfo& f, const json::object* obj, wire::Writer& w, int depth,
                    const Path& parent) {
  if (f.has(field_flags::kNoJson)) return;  // nothing in JSON can set it
  const Path path{&parent, f.json_name};
  if (f.has(field_flags::kInline)) {
    // An embedded struct reads its fields from the same JSON object; as a value it is always
    // written.
    w.bytes(f.number, message(message_at(f.message), obj, depth + 1, parent));
    return;
  }
  const json::value* v = obj != nullptr ? obj->if_contains(f.json_name) : nullptr;
  if (v != nullptr && v->is_null()) v = nullptr;  // null leaves the Go field at its zero value
  const bool pointer = f.has(field_flags::kPointer);

  if (f.card == Cardinality::Repeated) {
    if (v != nullptr) repeated(f, *v, w, depth, path);
    return;
  }
  if (f.card == Cardinality::Map) {
    if (v == nullptr) return;
    if (!v->is_object()) invalid(path, std::string("expected an object, got ") + kind_name(*v));
    std::vector<const json::key_value_pair*> entries;
    for (const auto& kv : v->get_object()) entries.push_back(&kv);
    std::sort(entries.begin(), entries.end(),
              [](const auto* a, const auto* b) { return a->key() < b->key(); });
    for (const json::key_value_pair* kv : entries) {
      const Path at{&path, kv->key()};
      const json::value* e = kv->value().is_null() ? nullptr : &kv->value();
      wire::Writer entry;
      entry.bytes(1, kv->key());
      if (f.type == FieldType::Bytes) {
        if (e != nullptr) scalar(f.type, 2, e, entry, at);  // a nil []byte value has no field 2
      } else if (is_scalar(f.type)) {
        scalar(f.type, 2, e, entry, at);
      } else {
        entry.bytes(2, payload(f, e, depth, at));
      }
      w.bytes(f.number, entry.str());
    }
    return;
  }
  if (is_scalar(f.type)) {
    // Pointers and []byte are written only when set; values always, zero included.
    if ((pointer || f.type == FieldType::Bytes) && v == nullptr) return;
    scalar(f.type, f.number, v, w, path);
    return;
  }
  const bool list = f.type == FieldType::Message && message_at(f.message).list_wrapper;
  if ((pointer || list) && v == nullptr) return;
  w.bytes(f.number, payload(f, v, depth, path));
}

std::string Encoder::payload(const FieldInfo& f, const json::value* v, int depth,
                             const Path& path) {
  if (f.type != FieldType::Message) return special(f.type, v, path);
  const MessageInfo& sub = message_at(f.message);
  if (sub.list_wrapper) {
    // `type ExtraValue []string`: the JSON array is the repeated field 1 of the message.
    if (depth + 1 > kMaxDepth) invalid(path, "object nested too deeply");
    wire::Writer w;
    if (v != nullptr) repeated(fields_of(sub)[0], *v, w, depth + 1, path);
    return w.take();
  }
  if (v != nullptr && !v->is_object())
    invalid(path, std::string("expected an object, got ") + kind_name(*v));
  return message(sub, v != nullptr ? &v->get_object() : nullptr, depth + 1, path);
}

std::string Encoder::special(FieldType t, const json::value* v, const Path& path) {
  wire::Writer w;
  switch (t) {
    case FieldType::Time:
    case FieldType::MicroTime: {
      if (v == nullptr) return {};  // the zero time is an empty message
      auto ts = values::parse_rfc3339(string_of(*v, path));
      if (!ts) invalid(path, "not an RFC 3339 time");
      if (ts->seconds == values::kZeroTimeUnix && ts->nanos == 0) return {};
      w.varint_field(1, static_cast<uint64_t>(ts->seconds));
      // metav1.Time keeps whole seconds on the wire; MicroTime keeps microseconds.
      w.varint_field(2, t == FieldType::MicroTime ? static_cast<uint64_t>(ts->nanos / 1000 * 1000)
                                                  : 0);
      return w.take();
    }
    case FieldType::Duration: {
      int64_t nanos = 0;
      if (v != nullptr) {
        auto d = values::parse_duration(string_of(*v, path));
        if (!d) invalid(path, "not a duration");
        nanos = *d;
      }
      w.varint_field(1, static_cast<uint64_t>(nanos));
      return w.take();
    }
    case FieldType::Quantity: {
      // Quantity's UnmarshalJSON also takes a bare number, and trims spaces.
      std::string text = "0";
      if (v != nullptr) {
        if (v->is_number()) {
          text = json::serialize(*v);
        } else {
          std::string_view s = string_of(*v, path);
          const auto b = s.find_first_not_of(" \t\r\n\v\f");
          const auto e = s.find_last_not_of(" \t\r\n\v\f");
          text = b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
        }
        if (!values::valid_quantity(text)) invalid(path, "not a quantity");
      }
      w.bytes(1, text);
      return w.take();
    }
    case FieldType::IntOrString: {
      const bool is_str = v != nullptr && v->is_string();
      int64_t int_val = 0;
      if (v != nullptr && !is_str) {
        int_val = integer(*v, std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max(), path);
      }
      w.varint_field(1, is_str ? 1 : 0);
      w.varint_field(2, static_cast<uint64_t>(int_val));
      w.bytes(3, is_str ? std::string_view(v->get_string()) : std::string_view{});
      return w.take();
    }
    case FieldType::RawExtension:
    case FieldType::FieldsV1:
      // The raw bytes are the JSON text of the value; null leaves them nil.
      if (v != nullptr) w.bytes(1, json::serialize(*v));
      return w.take();
    default: break;
  }
  invalid(path, "internal: not a special type");
}

}  // namespace

std::string encode_message(const MessageInfo& message, const json::object& object) {
  if (message.list_wrapper)
    throw Error(Error::Code::InvalidObject, "a list type is not encoded from an object");
  return Encoder{}.message(message, &object, 0, Path{});
}

std::string encode(std::string_view api_version, std::string_view kind,
                   const json::object& object) {
  const MessageInfo* m = find_kind(api_version, kind);
  if (m == nullptr)
    throw Error(Error::Code::UnknownKind, "no kind \"" + std::string(kind) +
                                              "\" is registered for version \"" +
                                              std::string(api_version) + "\"");
  wire::Writer type_meta;
  type_meta.bytes(1, api_version);
  type_meta.bytes(2, kind);
  // runtime.Unknown with its empty contentEncoding and contentType, as Go writes them.
  wire::Writer w;
  w.str().append(kMagic);
  w.bytes(1, type_meta.str());
  w.bytes(2, encode_message(*m, object));
  w.bytes(3, {});
  w.bytes(4, {});
  return w.take();
}

std::string encode(const json::object& object) {
  const json::value* api_version = object.if_contains("apiVersion");
  const json::value* kind = object.if_contains("kind");
  if (api_version == nullptr || !api_version->is_string() || kind == nullptr ||
      !kind->is_string() || kind->get_string().empty())
    throw Error(Error::Code::InvalidObject, "object has no string apiVersion and kind");
  return encode(api_version->get_string(), kind->get_string(), object);
}

}  // namespace orch::kubeproto
