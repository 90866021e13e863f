#include "apimachinery/protobuf/schema.h"

#include <algorithm>
#include <cstring>

namespace orch::kubeproto {
namespace {

// Short names for the generated table.
using enum FieldType;
constexpr Cardinality S = Cardinality::Single;
constexpr Cardinality R = Cardinality::Repeated;
constexpr Cardinality M = Cardinality::Map;
using field_flags::kInline;
using field_flags::kNoJson;
using field_flags::kOmitEmpty;
using field_flags::kPointer;

#include "apimachinery/protobuf/schema_data.inc"

constexpr std::string_view kMetaApiVersion = "meta.k8s.io/v1";

const KindInfo* lookup_kind(std::string_view api_version, std::string_view kind) {
  // kKinds is sorted by (apiVersion, kind), byte-wise as Python sorts str.
  const auto* it = std::lower_bound(
      std::begin(kKinds), std::end(kKinds), std::pair{api_version, kind},
      [](const KindInfo& k, const std::pair<std::string_view, std::string_view>& key) {
        return std::pair<std::string_view, std::string_view>{k.api_version, k.kind} < key;
      });
  if (it != std::end(kKinds) && it->api_version == api_version && it->kind == kind) return it;
  return nullptr;
}

}  // namespace

std::span<const FieldInfo> fields_of(const MessageInfo& m) {
  return {kFields + m.first_field, m.field_count};
}

std::span<const uint8_t> wire_order(const MessageInfo& m) {
  return {kEncodeOrder + m.first_order, m.field_count};
}

const FieldInfo* field_by_number(const MessageInfo& m, uint32_t number) {
  const auto order = wire_order(m);
  const auto fields = fields_of(m);
  const auto it =
      std::lower_bound(order.begin(), order.end(), number,
                       [&](uint8_t off, uint32_t n) { return fields[off].number < n; });
  if (it != order.end() && fields[*it].number == number) return &fields[*it];
  return nullptr;
}

const MessageInfo& message_at(int16_t index) { return kMessages[index]; }

const MessageInfo* find_message(std::string_view full_name) {
  const auto* it = std::lower_bound(
      std::begin(kMessages), std::end(kMessages), full_name,
      [](const MessageInfo& m, std::string_view name) { return std::string_view{m.name} < name; });
  if (it != std::end(kMessages) && it->name == full_name) return it;
  return nullptr;
}

const MessageInfo* find_kind(std::string_view api_version, std::string_view kind) {
  if (const KindInfo* k = lookup_kind(api_version, kind)) return &kMessages[k->message];
  // metav1.AddToGroupVersion registers Status, the option kinds and WatchEvent in every group.
  if (!api_version.empty() && api_version != kMetaApiVersion) {
    if (const KindInfo* k = lookup_kind(kMetaApiVersion, kind)) return &kMessages[k->message];
  }
  return nullptr;
}

std::span<const KindInfo> all_kinds() { return kKinds; }
std::span<const MessageInfo> all_messages() { return kMessages; }

}  // namespace orch::kubeproto
