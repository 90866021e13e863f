// URL routing of the AWS plane's REST-JSON calls (EKS: "/clusters/{name}/access-entries/..."):
// the registry's template match, which percent-decodes path parameters. Input: "METHOD path".
#include "aws/api.h"
#include "fuzz/fuzz_input.h"

namespace {
const orch::aws::Registry& registry() {
  static const orch::aws::Registry r = [] {
    orch::aws::Registry out;
    orch::aws::register_iam(out);
    orch::aws::register_sts(out);
    orch::aws::register_organizations(out);
    orch::aws::register_eks(out);
    return out;
  }();
  return r;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = orch::fuzz::view(data, size);
  size_t sp = in.find(' ');
  std::string_view method = sp == std::string_view::npos ? std::string_view("GET") : in.substr(0, sp);
  std::string_view target = sp == std::string_view::npos ? in : in.substr(sp + 1);
  std::string_view path = target.substr(0, target.find('?'));
  auto m = registry().match(method, path);
  if (m.op) (void)registry().find(m.op->service, m.op->name);
  return 0;
}
