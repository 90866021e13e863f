// Field selectors as ?fieldSelector= carries them (apimachinery/fields.h): parse, the per-kind
// conversion the registry does, matching, and the printed form parsing back to the same terms.
// (Only the same terms: parse sorts terms by their source text and str() prints "==" as "=",
// so the order may change on a reparse, exactly as in Go's fields.ParseSelector/String.)
#include <algorithm>
#include <cstdlib>

#include "apimachinery/fields.h"
#include "fuzz/fuzz_input.h"

namespace {
namespace fields = orch::apimachinery::fields;

std::vector<std::string> printed_terms(const fields::Selector& s) {
  std::vector<std::string> out;
  for (const auto& t : s.terms())
    out.push_back(t.field + (t.op == fields::Operator::NotEquals ? "!=" : "=") + fields::escape_value(t.value));
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto sel = fields::parse(orch::fuzz::view(data, size));
  if (!sel) return 0;
  auto again = fields::parse(sel->str());
  if (!again || printed_terms(*again) != printed_terms(*sel)) abort();
  (void)sel->requires_exact_match("metadata.name");
  (void)sel->matches([](std::string_view f) { return f == "metadata.name" ? "a,b=c\\" : ""; });
  for (auto [group, kind] : {std::pair{"", "Pod"}, {"", "Secret"}, {"", "ConfigMap"}, {"batch", "Job"}})
    (void)fields::convert(*sel, fields::selectable_fields(group, kind));
  return 0;
}
