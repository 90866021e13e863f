// IAM policy documents: parse + validate as each kind of document (identity, boundary, session,
// trust), then evaluate the identity form against a request, so conditions, variables and the
// matchers run on fuzzed values. Input: the document, optionally followed by a line "---" and a
// request as the policy test cases write it (tests/data/policy/README.md):
//   {"action": "iam:GetUser", "resource": "arn:...", "context": {"aws:SourceIp": "10.0.0.1", ...}}
// Context values come from the request too, since the condition operators parse them (IP ranges,
// dates, numbers, ARNs, base64).
#include <boost/json.hpp>

#include <array>

#include "fuzz/fuzz_input.h"
#include "policy/policy.h"

namespace {
namespace json = boost::json;
using namespace orch::policy;

std::string string_of(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  return json::serialize(v);  // numbers and booleans as their JSON text, as the tests pass them
}

Request request_of(const json::value* spec) {
  Request r;
  r.action = "iam:GetUser";
  r.resource = "arn:aws:iam::111122223333:user/eng/alice";
  r.principal = {Principal::Type::User, "111122223333", "arn:aws:iam::111122223333:user/eng/alice", "",
                 "AIDAALICEALICEALICE22"};
  r.context.set("aws:username", "alice");
  r.context.set("aws:userid", "AIDAALICEALICEALICE22");
  r.context.set("aws:PrincipalArn", r.principal.arn);
  if (!spec || !spec->is_object()) return r;
  const auto& o = spec->as_object();
  if (auto* a = o.if_contains("action"); a && a->is_string()) r.action = a->as_string();
  if (auto* res = o.if_contains("resource"); res && res->is_string()) r.resource = res->as_string();
  if (auto* ctx = o.if_contains("context"); ctx && ctx->is_object()) {
    for (const auto& [k, v] : ctx->as_object()) {
      if (!v.is_array()) {
        r.context.set(k, string_of(v));
        continue;
      }
      std::vector<std::string> values;
      for (const auto& e : v.as_array()) values.push_back(string_of(e));
      r.context.set_multi(k, std::move(values));
    }
  }
  return r;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = orch::fuzz::split_documents(orch::fuzz::view(data, size), 2);
  std::string_view text = parts[0];
  (void)size_without_whitespace(text);
  std::array<std::shared_ptr<const Policy>, 4> parsed;
  constexpr std::array kKinds{DocKind::Identity, DocKind::Boundary, DocKind::Session, DocKind::Trust};
  for (size_t i = 0; i < kKinds.size(); ++i) {
    auto p = parse(text, kKinds[i]);
    if (auto* ok = std::get_if<std::shared_ptr<const Policy>>(&p)) parsed[i] = *ok;
  }
  if (parsed[3]) (void)aws_principals(*parsed[3]);
  if (!parsed[0] && !parsed[3]) return 0;

  std::optional<json::value> spec;
  if (parts.size() > 1) spec = orch::fuzz::parse_json(parts[1]);
  Request req = request_of(spec ? &*spec : nullptr);
  // First the identity policy (or the trust policy) alone, then with every layer at once.
  EvalInput in;
  if (parsed[0]) in.identity.push_back({"fuzzed", "user", parsed[0]});
  if (parsed[3]) in.resource = PolicyRef{"fuzzed-trust", "resource", parsed[3]};
  (void)evaluate(in, req);
  if (parsed[1]) in.boundary = PolicyRef{"fuzzed-boundary", "boundary", parsed[1]};
  if (parsed[2]) in.session = std::vector<PolicyRef>{{"fuzzed-session", "session", parsed[2]}};
  in.cross_account = true;
  in.resource_must_allow = true;
  (void)evaluate(in, req);
  return 0;
}
