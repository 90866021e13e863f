// Label selectors as ?labelSelector= and kubectl -l carry them (apimachinery/labels.h). A
// selector that parses must print (str()) as a selector that parses to the same text again, as
// the server echoes selectors back in watch bookmarks and tables.
#include <cstdlib>

#include "apimachinery/labels.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace labels = orch::apimachinery::labels;
  auto sel = labels::parse(orch::fuzz::view(data, size));
  if (!sel) return 0;
  labels::Set set{{"app", "web"}, {"tier", "1"}, {"x", ""}};
  (void)sel->matches(set);
  (void)sel->requires_exact_match("app");
  std::string printed = sel->str();
  auto again = labels::parse(printed);
  if (!again || again->str() != printed) abort();
  return 0;
}
