// A Kubernetes request's query string read into the options structs before anything is done
// (kube/apiserver: watch_options.h, delete_options.h, query.h) and its selectors checked for
// the resource the path names. Input: "<group>/<version>/<plural>?<query>"; the query is split
// with the AWS plane's form decoder since the API server's own is private to apiserver.cpp.
#include "apimachinery/status.h"
#include "aws/protocol/form.h"
#include "fuzz/fuzz_input.h"
#include "kube/apiserver/delete_options.h"
#include "kube/apiserver/registry.h"
#include "kube/apiserver/watch_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = orch::fuzz::view(data, size);
  size_t q = in.find('?');
  std::string_view path = in.substr(0, q);
  auto pairs = orch::aws::parse_form(q == std::string_view::npos ? std::string_view() : in.substr(q + 1));
  if (!pairs) return 0;
  orch::kube::Query query(pairs->begin(), pairs->end());

  // The resource: group/version/plural ("" group for the core "v1/pods" form).
  size_t s1 = path.find('/'), s2 = s1 == std::string_view::npos ? s1 : path.find('/', s1 + 1);
  const orch::kube::Resource* r = nullptr;
  if (s2 != std::string_view::npos)
    r = orch::kube::find_resource(path.substr(0, s1), path.substr(s1 + 1, s2 - s1 - 1), path.substr(s2 + 1));
  else if (s1 != std::string_view::npos)
    r = orch::kube::find_resource("", path.substr(0, s1), path.substr(s1 + 1));
  try {
    auto w = orch::kube::watch_options(query);
    if (r) orch::kube::Registry::check_selectors(*r, w.label_selector, w.field_selector);
  } catch (const orch::apimachinery::ApiError&) {
  }
  try {
    (void)orch::kube::delete_options(nullptr, query);
  } catch (const orch::apimachinery::ApiError&) {
  }
  for (const char* name : {"limit", "timeoutSeconds", "gracePeriodSeconds"}) {
    try {
      (void)orch::kube::int_param(query, name);
    } catch (const orch::apimachinery::ApiError&) {
    }
  }
  return 0;
}
