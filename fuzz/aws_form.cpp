// The AWS Query protocol's input: a form or query string decoded into pairs (aws/protocol/form.h),
// then read through the validating getters every IAM/STS/Organizations handler uses (params.h),
// whose failures are AwsErrors (ValidationError, MalformedQueryString), never crashes.
#include <array>

#include "aws/error.h"
#include "aws/protocol/form.h"
#include "aws/protocol/params.h"
#include "fuzz/fuzz_input.h"

namespace {
using orch::aws::Pattern;
using orch::aws::Rule;

// Every pattern the service models use, so each matcher sees the decoded values.
constexpr std::array kPatterns{Pattern::Name,       Pattern::Path,        Pattern::PathPrefix, Pattern::PolicyPath,
                               Pattern::PolicyDocument, Pattern::SessionName, Pattern::ExternalId, Pattern::TagKey,
                               Pattern::TagValue,   Pattern::Marker,      Pattern::Word,       Pattern::Description,
                               Pattern::VersionId,  Pattern::AccountId,   Pattern::Email,      Pattern::Printable};

template <class F>
void expect_aws_error(F&& f) {
  try {
    f();
  } catch (const orch::aws::AwsError&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = orch::fuzz::view(data, size);
  (void)orch::aws::percent_decode(in, true);
  (void)orch::aws::valid_utf8(in);
  auto pairs = orch::aws::parse_form(in);
  if (!pairs) return 0;
  for (const auto& [k, v] : *pairs) {
    (void)orch::aws::valid_utf8(v);
    for (Pattern p : kPatterns) (void)orch::aws::violation(v, Rule{1, 64, p});
  }
  orch::aws::Params params(std::move(*pairs));
  expect_aws_error([&] { (void)params.required("UserName", orch::aws::rules::kUserName); });
  expect_aws_error([&] { (void)params.optional("PolicyDocument", orch::aws::rules::kPolicyDocument); });
  expect_aws_error([&] { (void)params.integer("DurationSeconds", 900, 43200); });
  expect_aws_error([&] { (void)params.boolean("Enabled"); });
  expect_aws_error([&] { (void)params.list("PolicyArns", orch::aws::rules::kArn, 10); });
  expect_aws_error([&] { (void)params.tags(); });
  expect_aws_error([&] { (void)params.optional("Status", orch::aws::rules::kStatus); });
  return 0;
}
