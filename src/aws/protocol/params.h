// The input of a Query-protocol call (decoded form pairs) with validating getters. Constraint
// violations throw ValidationError worded as AWS words them:
//   1 validation error detected: Value 'a:b' at 'roleSessionName' failed to satisfy constraint:
//   Member must satisfy regular expression pattern: [\w+=,.@-]*
// botocore checks only required/min/type on the client, so max, pattern and enum are ours to check.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orch::aws {

// The character classes IAM, STS and Organizations use in their models, each with the model's
// pattern text (quoted in messages).
enum class Pattern {
  None,
  Name,            // [\w+=,.@-]+
  Path,            // (\u002F)|(\u002F[\u0021-\u007E]+\u002F)
  PathPrefix,      // \u002F[\u0021-\u007F]*
  PolicyPath,      // ((/[A-Za-z0-9\.,\+@=_-]+)*)/
  PolicyDocument,  // [\u0009\u000A\u000D\u0020-\u00FF]+
  SessionName,     // [\w+=,.@-]*
  ExternalId,      // [\w+=,.@:\/-]*
  TagKey,          // [\p{L}\p{Z}\p{N}_.:/=+\-@]+
  TagValue,        // [\p{L}\p{Z}\p{N}_.:/=+\-@]*
  Marker,          // [\u0020-\u00FF]+
  Word,            // [\w]+
  Description,     // [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*
  VersionId,       // v[1-9][0-9]*(\.[A-Za-z0-9-]*)?
  AccountId,       // \d{12}
  Email,           // [^\s@]+@[^\s@]+\.[^\s@]+
  Printable,       // [\u0020-\u007E]+
};

struct Rule {
  size_t min = 0;
  size_t max = 0;  // 0 = no maximum
  Pattern pattern = Pattern::None;
  std::vector<std::string_view> allowed = {};  // enum values, if any
};

class Params {
 public:
  explicit Params(std::vector<std::pair<std::string, std::string>> pairs) : pairs_(std::move(pairs)) {}

  const std::string* find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }

  std::string required(std::string_view name, const Rule& rule) const;
  std::optional<std::string> optional(std::string_view name, const Rule& rule) const;
  std::optional<int64_t> integer(std::string_view name, int64_t min, int64_t max) const;
  std::optional<bool> boolean(std::string_view name) const;
  // Name.member.1, Name.member.2, ...; "Name=" (an empty list) gives an empty list.
  std::vector<std::string> list(std::string_view name, const Rule& rule, size_t max_items = 0) const;
  // Name.member.N.Key / .Value
  std::vector<std::pair<std::string, std::string>> tags(std::string_view name = "Tags") const;

  const std::vector<std::pair<std::string, std::string>>& pairs() const { return pairs_; }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Checks one value against a rule; returns the AWS constraint text on failure
// ("Member must have length less than or equal to 64", ...), empty when it holds.
std::string violation(std::string_view value, const Rule& rule);
bool matches(std::string_view value, Pattern p);

// "Value 'x' at 'memberName' failed to satisfy constraint: <constraint>" wrapped as the
// one-error ValidationError AWS sends.
[[noreturn]] void fail_validation(std::string_view member, const std::string* value, const std::string& constraint);

// Common rules, named as the model names the shapes.
namespace rules {
inline const Rule kUserName{1, 64, Pattern::Name};
inline const Rule kGroupName{1, 128, Pattern::Name};
inline const Rule kRoleName{1, 64, Pattern::Name};
inline const Rule kPolicyName{1, 128, Pattern::Name};
inline const Rule kPath{1, 512, Pattern::Path};
inline const Rule kPathPrefix{1, 512, Pattern::PathPrefix};
inline const Rule kPolicyPath{1, 512, Pattern::PolicyPath};
inline const Rule kPolicyDocument{1, 131072, Pattern::PolicyDocument};
inline const Rule kArn{20, 2048, Pattern::None};
inline const Rule kAccessKeyId{16, 128, Pattern::Word};
inline const Rule kMarker{1, 320, Pattern::Marker};
inline const Rule kRoleDescription{0, 1000, Pattern::Description};
inline const Rule kPolicyDescription{0, 1000, Pattern::None};
inline const Rule kVersionId{0, 0, Pattern::VersionId};
inline const Rule kPassword{1, 128, Pattern::PolicyDocument};
inline const Rule kStatus{0, 0, Pattern::None, {"Active", "Inactive"}};
}  // namespace rules

}  // namespace orch::aws
