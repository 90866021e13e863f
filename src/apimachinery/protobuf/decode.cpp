// Protobuf -> JSON. A message is read into per-field state first and turned into JSON only at
// the end, because the JSON of a field depends on more than its last value: whether it was
// present at all (Go pointers and slices become null or vanish when absent, value fields show
// their zero value), and, for a singular sub-message that appears more than once, the protobuf
// rule that the occurrences merge (kept as the list of their byte spans, whose concatenation is
// the merged message).
#include <bit>
#include <boost/json/parse.hpp>
#include <cmath>
#include <map>
#include <vector>

#include "apimachinery/protobuf/kubeproto.h"
#include "apimachinery/protobuf/values.h"
#include "apimachinery/protobuf/wire.h"

namespace orch::kubeproto {
namespace json = boost::json;

namespace {

using Spans = std::vector<std::string_view>;

[[noreturn]] void malformed(const std::string& what) { throw Error(Error::Code::Malformed, what); }

std::string field_name(const MessageInfo& m, const FieldInfo& f) {
  return std::string(m.name) + " field " + std::to_string(f.number) +
         (f.json_name[0] != '\0' ? std::string(" (") + f.json_name + ")" : std::string());
}

bool is_varint_type(FieldType t) {
  switch (t) {
    case FieldType::Bool:
    case FieldType::Int32:
    case FieldType::Int64:
    case FieldType::UInt32:
    case FieldType::UInt64: return true;
    default: return false;
  }
}

wire::WireType wire_type_of(FieldType t) {
  switch (t) {
    case FieldType::Double: return wire::kFixed64;
    case FieldType::Float: return wire::kFixed32;
    default: return is_varint_type(t) ? wire::kVarint : wire::kLengthDelimited;
  }
}

bool is_scalar(FieldType t) {
  switch (t) {
    case FieldType::String:
    case FieldType::Bytes:
    case FieldType::Double:
    case FieldType::Float: return true;
    default: return is_varint_type(t);
  }
}

json::value finite(double d) {
  // Go's encoding/json refuses NaN and infinities.
  if (!std::isfinite(d)) malformed("floating-point value that JSON cannot represent");
  return json::value(d);
}

// One scalar value of type t, whose key (with wire type wt) was just read.
json::value read_scalar(FieldType t, wire::Reader& r) {
  switch (t) {
    case FieldType::String: return json::value(json::string(values::sanitize_utf8(r.bytes())));
    case FieldType::Bytes: return json::value(json::string(values::base64_encode(r.bytes())));
    case FieldType::Bool: return json::value(r.varint() != 0);
    case FieldType::Int32:
      return json::value(int64_t{static_cast<int32_t>(static_cast<uint32_t>(r.varint()))});
    case FieldType::Int64: return json::value(static_cast<int64_t>(r.varint()));
    case FieldType::UInt32: return json::value(uint64_t{static_cast<uint32_t>(r.varint())});
    case FieldType::UInt64: return json::value(r.varint());
    case FieldType::Double: return finite(std::bit_cast<double>(r.fixed64()));
    case FieldType::Float: return finite(double{std::bit_cast<float>(r.fixed32())});
    default: break;
  }
  malformed("internal: not a scalar type");
}

json::value zero_scalar(FieldType t) {
  switch (t) {
    case FieldType::String: return json::value(json::string());
    case FieldType::Bool: return json::value(false);
    case FieldType::Double:
    case FieldType::Float: return json::value(0.0);
    case FieldType::UInt32:
    case FieldType::UInt64: return json::value(uint64_t{0});
    default: return json::value(int64_t{0});
  }
}

bool is_zero(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return v.get_string().empty();
    case json::kind::bool_: return !v.get_bool();
    case json::kind::int64: return v.get_int64() == 0;
    case json::kind::uint64: return v.get_uint64() == 0;
    case json::kind::double_: return v.get_double() == 0;
    case json::kind::null: return true;
    case json::kind::array: return v.get_array().empty();
    case json::kind::object: return v.get_object().empty();
  }
  return false;
}

struct FieldState {
  bool present = false;
  json::value last;          // singular scalar: the last value seen
  Spans spans;               // singular message: every occurrence
  json::array items;         // repeated
  std::map<std::string, json::value> entries;  // map; std::map sorts keys as Go's json does
};

class Decoder {
 public:
  void message_into(const MessageInfo& m, const Spans& spans, int depth, json::object& out);
  json::value message(const MessageInfo& m, const Spans& spans, int depth);
  Decoded envelope(std::string_view body, int depth);

 private:
  void read_field(const MessageInfo& m, const FieldInfo& f, wire::WireType wt, wire::Reader& r,
                  FieldState& st, int depth);
  json::value element(const FieldInfo& f, std::string_view payload, int depth);
  void map_entry(const MessageInfo& m, const FieldInfo& f, std::string_view payload,
                 FieldState& st, int depth);
  json::value special(FieldType t, const Spans& spans, int depth);
  json::value list_wrapper(const MessageInfo& m, const Spans& spans, int depth);
  json::value embedded(std::string_view raw, int depth, const char* what);
};

json::value Decoder::message(const MessageInfo& m, const Spans& spans, int depth) {
  if (m.list_wrapper) return list_wrapper(m, spans, depth);
  json::object out;
  message_into(m, spans, depth, out);
  return json::value(std::move(out));
}

void Decoder::message_into(const MessageInfo& m, const Spans& spans, int depth,
                           json::object& out) {
  if (depth > kMaxDepth) malformed("message nested too deeply");
  const auto fields = fields_of(m);
  std::vector<FieldState> state(fields.size());
  for (std::string_view span : spans) {
    wire::Reader r(span);
    while (!r.done()) {
      const wire::Tag tag = r.tag();
      if (tag.type == wire::kEndGroup) malformed("end group without a start group");
      const FieldInfo* f = field_by_number(m, tag.field);
      if (f == nullptr) {
        r.skip(tag.type, tag.field, kMaxDepth - depth);
        continue;
      }
      read_field(m, *f, tag.type, r, state[static_cast<size_t>(f - fields.data())], depth);
    }
  }

  // Go's encoding/json over the Go struct, in declaration order.
  for (size_t i = 0; i < fields.size(); ++i) {
    const FieldInfo& f = fields[i];
    FieldState& st = state[i];
    if (f.has(field_flags::kNoJson)) continue;
    const bool omitempty = f.has(field_flags::kOmitEmpty);
    const bool pointer = f.has(field_flags::kPointer);
    json::value v;
    if (f.card == Cardinality::Repeated) {
      // A slice: nil (null) when nothing was on the wire.
      if (st.items.empty()) {
        if (omitempty) continue;
      } else {
        v = json::value(std::move(st.items));
      }
    } else if (f.card == Cardinality::Map) {
      if (st.entries.empty()) {
        if (omitempty) continue;
      } else {
        json::object obj;
        for (auto& [key, value] : st.entries) obj.emplace(key, std::move(value));
        v = json::value(std::move(obj));
      }
    } else if (is_scalar(f.type)) {
      // []byte behaves as a slice: nil unless it was on the wire.
      if ((pointer || f.type == FieldType::Bytes) && !st.present) {
        if (omitempty) continue;
      } else {
        v = st.present ? std::move(st.last) : zero_scalar(f.type);
        if (omitempty && !pointer && is_zero(v)) continue;
      }
    } else if (f.type == FieldType::Message) {
      const MessageInfo& sub = message_at(f.message);
      if (f.has(field_flags::kInline)) {
        message_into(sub, st.spans, depth + 1, out);
        continue;
      }
      // A pointer, or a slice type such as Verbs, is nil when absent; a struct value is always
      // there, and Go's omitempty never drops a struct.
      if ((pointer || sub.list_wrapper) && !st.present) {
        if (omitempty) continue;
      } else {
        v = message(sub, st.spans, depth + 1);
        if (omitempty && sub.list_wrapper && is_zero(v)) continue;
      }
    } else {
      if (pointer && !st.present) {
        if (omitempty) continue;
      } else {
        v = special(f.type, st.spans, depth + 1);
      }
    }
    out[f.json_name] = std::move(v);
  }
}

void Decoder::read_field(const MessageInfo& m, const FieldInfo& f, wire::WireType wt,
                         wire::Reader& r, FieldState& st, int depth) {
  const wire::WireType expected = wire_type_of(f.type);
  if (f.card == Cardinality::Map) {
    if (wt != wire::kLengthDelimited) malformed("wrong wire type for " + field_name(m, f));
    map_entry(m, f, r.bytes(), st, depth);
    st.present = true;
    return;
  }
  if (f.card == Cardinality::Repeated) {
    if (is_scalar(f.type)) {
      if (wt == expected) {
        st.items.push_back(read_scalar(f.type, r));
      } else if (wt == wire::kLengthDelimited && expected != wire::kLengthDelimited) {
        // Packed numbers: Go's generated unmarshallers accept both forms.
        wire::Reader packed(r.bytes());
        while (!packed.done()) st.items.push_back(read_scalar(f.type, packed));
      } else {
        malformed("wrong wire type for " + field_name(m, f));
      }
    } else {
      if (wt != wire::kLengthDelimited) malformed("wrong wire type for " + field_name(m, f));
      st.items.push_back(element(f, r.bytes(), depth));
    }
    st.present = true;
    return;
  }
  if (wt != expected) malformed("wrong wire type for " + field_name(m, f));
  if (is_scalar(f.type)) {
    st.last = read_scalar(f.type, r);
  } else {
    st.spans.push_back(r.bytes());
  }
  st.present = true;
}

// One element of a repeated field, or a map value, from its own payload.
json::value Decoder::element(const FieldInfo& f, std::string_view payload, int depth) {
  const Spans spans{payload};
  if (f.type == FieldType::Message) return message(message_at(f.message), spans, depth + 1);
  return special(f.type, spans, depth + 1);
}

void Decoder::map_entry(const MessageInfo& m, const FieldInfo& f, std::string_view payload,
                        FieldState& st, int depth) {
  std::string key;
  std::optional<json::value> value;
  std::optional<std::string_view> value_span;
  wire::Reader r(payload);
  while (!r.done()) {
    const wire::Tag tag = r.tag();
    if (tag.field == 1) {
      if (tag.type != wire::kLengthDelimited) malformed("wrong wire type for a map key");
      key = values::sanitize_utf8(r.bytes());
    } else if (tag.field == 2) {
      if (tag.type != wire_type_of(f.type))
        malformed("wrong wire type for a map value of " + field_name(m, f));
      if (is_scalar(f.type)) {
        value = read_scalar(f.type, r);
      } else {
        value_span = r.bytes();  // each occurrence replaces the value, as gogo's code does
      }
    } else {
      if (tag.type == wire::kEndGroup) malformed("end group without a start group");
      r.skip(tag.type, tag.field, kMaxDepth - depth);
    }
  }
  if (is_scalar(f.type)) {
    // A missing string value is ""; a missing []byte value is nil.
    if (!value) value = f.type == FieldType::Bytes ? json::value(nullptr) : zero_scalar(f.type);
  } else {
    value = element(f, value_span.value_or(std::string_view{}), depth);
    // map[string]ExtraValue: an empty slice value is nil, hence null.
    if (value->is_array() && value->get_array().empty()) value = json::value(nullptr);
  }
  st.entries[key] = std::move(*value);
}

json::value Decoder::list_wrapper(const MessageInfo& m, const Spans& spans, int depth) {
  if (depth > kMaxDepth) malformed("message nested too deeply");
  const FieldInfo& items = fields_of(m)[0];
  FieldState st;
  for (std::string_view span : spans) {
    wire::Reader r(span);
    while (!r.done()) {
      const wire::Tag tag = r.tag();
      if (tag.type == wire::kEndGroup) malformed("end group without a start group");
      if (tag.field == items.number) {
        read_field(m, items, tag.type, r, st, depth);
      } else {
        r.skip(tag.type, tag.field, kMaxDepth - depth);
      }
    }
  }
  return json::value(std::move(st.items));
}

// The value of a field of one of the types with their own Go (un)marshallers.
json::value Decoder::special(FieldType t, const Spans& spans, int depth) {
  if (depth > kMaxDepth) malformed("message nested too deeply");
  // Time, MicroTime and Quantity have hand-written Unmarshal methods that replace the value on
  // each occurrence; the others are generated code, which merges.
  Spans own;
  if (t == FieldType::Time || t == FieldType::MicroTime || t == FieldType::Quantity) {
    if (!spans.empty()) own.push_back(spans.back());
  } else {
    own = spans;
  }
  // The fields all these messages use: numbers 1..3, as varints or bytes.
  std::optional<uint64_t> num[4];
  std::optional<std::string_view> str[4];
  for (std::string_view span : own) {
    wire::Reader r(span);
    while (!r.done()) {
      const wire::Tag tag = r.tag();
      if (tag.type == wire::kEndGroup) malformed("end group without a start group");
      if (tag.field <= 3 && tag.type == wire::kVarint) {
        num[tag.field] = r.varint();
      } else if (tag.field <= 3 && tag.type == wire::kLengthDelimited) {
        str[tag.field] = r.bytes();
      } else {
        r.skip(tag.type, tag.field, kMaxDepth - depth);
      }
    }
  }
  // A field of these messages may not switch between number and bytes on the wire.
  auto check = [&](int field, bool want_number) {
    if (want_number ? str[field].has_value() : num[field].has_value())
      malformed("wrong wire type inside a well-known Kubernetes type");
  };
  switch (t) {
    case FieldType::Time:
    case FieldType::MicroTime: {
      check(1, true);
      check(2, true);
      // An empty message is the zero time, which Go's JSON writes as null.
      if (own.empty() || own.back().empty()) return json::value(nullptr);
      int64_t seconds = static_cast<int64_t>(num[1].value_or(0));
      int64_t nanos = 0;
      if (t == FieldType::MicroTime) {
        // MicroTime keeps microseconds; time.Unix normalises nanos outside 0..999999999.
        const auto n = static_cast<int32_t>(static_cast<uint32_t>(num[2].value_or(0)));
        nanos = n / 1000 * 1000;
        const int64_t carry = nanos >= 0 ? nanos / 1000000000 : (nanos - 999999999) / 1000000000;
        seconds += carry;
        nanos -= carry * 1000000000;
      }
      if (seconds == values::kZeroTimeUnix && nanos == 0) return json::value(nullptr);
      auto text = values::format_rfc3339(seconds, static_cast<int32_t>(nanos),
                                         t == FieldType::MicroTime);
      if (!text) malformed("timestamp outside the years 0000-9999");
      return json::value(json::string(*text));
    }
    case FieldType::Duration:
      check(1, true);
      return json::value(
          json::string(values::format_duration(static_cast<int64_t>(num[1].value_or(0)))));
    case FieldType::Quantity: {
      check(1, false);
      if (!str[1]) return json::value(json::string("0"));  // the zero Quantity
      if (!values::valid_quantity(*str[1])) malformed("invalid quantity");
      return json::value(json::string(*str[1]));
    }
    case FieldType::IntOrString: {
      check(1, true);
      check(2, true);
      check(3, false);
      const uint64_t type = num[1].value_or(0);
      if (type == 0)
        return json::value(
            int64_t{static_cast<int32_t>(static_cast<uint32_t>(num[2].value_or(0)))});
      if (type == 1) {
        return json::value(
            json::string(values::sanitize_utf8(str[3].value_or(std::string_view{}))));
      }
      malformed("IntOrString with an unknown type " + std::to_string(type));
    }
    case FieldType::RawExtension:
    case FieldType::FieldsV1:
      check(1, false);
      if (!str[1]) return json::value(nullptr);
      return embedded(*str[1], depth, t == FieldType::RawExtension ? "RawExtension" : "FieldsV1");
    default: break;
  }
  malformed("internal: not a special type");
}

// The bytes of a RawExtension or FieldsV1: JSON as a rule, or an object in the protobuf
// envelope when a protobuf client nested one.
json::value Decoder::embedded(std::string_view raw, int depth, const char* what) {
  if (has_magic(raw)) return json::value(envelope(raw, depth + 1).object);
  json::parse_options opts;
  opts.max_depth = kMaxDepth;
  boost::system::error_code ec;
  json::value v = json::parse(raw, ec, {}, opts);
  if (ec) malformed(std::string(what) + " holds neither JSON nor a protobuf object");
  return v;
}

Decoded Decoder::envelope(std::string_view body, int depth) {
  if (depth > kMaxDepth) malformed("objects nested too deeply");
  if (!has_magic(body)) malformed("not a Kubernetes protobuf body (no k8s\\0 prefix)");
  // runtime.Unknown: 1 typeMeta, 2 raw, 3 contentEncoding, 4 contentType.
  Spans type_meta;
  std::string_view raw;
  std::string_view content_encoding;
  wire::Reader r(body.substr(kMagic.size()));
  while (!r.done()) {
    const wire::Tag tag = r.tag();
    if (tag.type == wire::kEndGroup) malformed("end group without a start group");
    if (tag.field >= 1 && tag.field <= 4) {
      if (tag.type != wire::kLengthDelimited) malformed("wrong wire type in the envelope");
      const std::string_view v = r.bytes();
      if (tag.field == 1) type_meta.push_back(v);
      if (tag.field == 2) raw = v;
      if (tag.field == 3) content_encoding = v;
    } else {
      r.skip(tag.type, tag.field, kMaxDepth - depth);
    }
  }
  Decoded out;
  for (std::string_view span : type_meta) {
    wire::Reader t(span);
    while (!t.done()) {
      const wire::Tag tag = t.tag();
      if (tag.type == wire::kEndGroup) malformed("end group without a start group");
      if (tag.field == 1 || tag.field == 2) {
        if (tag.type != wire::kLengthDelimited) malformed("wrong wire type in TypeMeta");
        (tag.field == 1 ? out.api_version : out.kind) = values::sanitize_utf8(t.bytes());
      } else {
        t.skip(tag.type, tag.field, kMaxDepth - depth);
      }
    }
  }
  if (!content_encoding.empty())
    throw Error(Error::Code::Unsupported,
                "protobuf content encoding \"" + values::sanitize_utf8(content_encoding) +
                    "\" is not supported");
  if (out.kind.empty()) malformed("object 'Kind' is missing in the protobuf envelope");
  const MessageInfo* m = find_kind(out.api_version, out.kind);
  if (m == nullptr)
    throw Error(Error::Code::UnknownKind, "no kind \"" + out.kind +
                                              "\" is registered for version \"" +
                                              out.api_version + "\"");
  out.object.emplace("kind", out.kind);
  out.object.emplace("apiVersion", out.api_version);
  message_into(*m, Spans{raw}, depth + 1, out.object);
  return out;
}

}  // namespace

bool has_magic(std::string_view body) { return body.substr(0, kMagic.size()) == kMagic; }

Decoded decode(std::string_view body) { return Decoder{}.envelope(body, 0); }

json::object decode_message(const MessageInfo& message, std::string_view raw) {
  json::value v = Decoder{}.message(message, Spans{raw}, 0);
  if (!v.is_object()) throw Error(Error::Code::Malformed, "a list type is not an object");
  return std::move(v.get_object());
}

}  // namespace orch::kubeproto
