// PATCH documents applied to an object: JSON merge patch, JSON patch and strategic merge patch
// (apimachinery/json_patch.h, strategic_merge.h), and server-side apply of the same document as
// an applied configuration (managed_fields.h). Input: the live object, a line "---", the patch.
// The object's apiVersion/kind pick the strategic-merge and apply schemas.
#include <boost/json.hpp>

#include "apimachinery/json_patch.h"
#include "apimachinery/managed_fields.h"
#include "apimachinery/patch_schema.h"
#include "apimachinery/strategic_merge.h"
#include "fuzz/fuzz_input.h"

namespace {
namespace json = boost::json;
namespace am = orch::apimachinery;

std::string member(const json::value& v, const char* key) {
  const auto* m = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = orch::fuzz::split_documents(orch::fuzz::view(data, size), 2);
  if (parts.size() != 2) return 0;
  auto live = orch::fuzz::parse_json(parts[0]);
  auto patch = orch::fuzz::parse_json(parts[1]);
  if (!live || !patch || !live->is_object()) return 0;

  std::string api_version = member(*live, "apiVersion"), kind = member(*live, "kind");
  size_t slash = api_version.find('/');
  std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  am::PatchSchema schema = am::PatchSchema::for_kind(group, kind);

  (void)am::json_merge_patch(*live, *patch);
  (void)am::apply_merge_patch(*live, *patch);
  (void)am::apply_json_patch(*live, *patch);
  (void)am::apply_strategic_merge_patch(*live, *patch, schema);

  am::managed::Options o;
  o.manager = "kubectl";
  o.api_version = api_version;
  o.kind = kind;
  o.now = "2024-05-01T10:00:00Z";
  o.schema = &schema;
  o.ignored = {"status"};
  (void)am::managed::apply(&*live, *patch, false, o);
  (void)am::managed::apply(nullptr, *patch, true, o);
  return 0;
}
