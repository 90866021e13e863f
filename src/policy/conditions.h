// The Condition element (reference §5.3): operator names, values compiled at parse time, and the
// per-request test including the set operators, ...IfExists, Null and absent-key rules.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"
#include "policy/variables.h"

namespace orch::policy {

// What a condition compares; each negated operator shares the kind of its positive twin.
enum class CondKind : uint8_t {
  String, StringIgnoreCase, StringLike, Numeric, Date, Bool, Binary, Ip, Arn, Null
};
enum class CondCmp : uint8_t { Eq, Lt, Le, Gt, Ge };
enum class SetOp : uint8_t { None, ForAllValues, ForAnyValue };

struct Operator {
  CondKind kind = CondKind::String;
  CondCmp cmp = CondCmp::Eq;
  bool negated = false;  // StringNotEquals, NotIpAddress, ArnNotLike, ...
  SetOp set = SetOp::None;
  bool if_exists = false;
};

// "ForAnyValue:StringLikeIfExists" and friends; nullopt for unknown names (case-sensitive, and
// Null takes no IfExists).
std::optional<Operator> parse_operator(std::string_view name);

struct IpNet {
  uint8_t family = 0;  // 4 or 6; 0 = invalid
  uint8_t prefix = 0;
  unsigned char addr[16] = {};
};
// "203.0.113.0/24", "2001:DB8::/64", or a bare address (/32 or /128).
IpNet parse_ip_net(std::string_view s);
// A bare address; IPv4-mapped IPv6 (::ffff:a.b.c.d) is reported as IPv4.
IpNet parse_ip_addr(std::string_view s);
bool ip_in(const IpNet& addr, const IpNet& net);

// Seconds since the epoch from ISO 8601 (base/clock's parse_iso8601) or epoch seconds
// (optionally with a fraction, which is dropped).
std::optional<int64_t> parse_date(std::string_view s);

struct CondValue {
  std::string text;        // as written; JSON numbers and booleans in their written form
  bool has_vars = false;   // String/Arn kinds under Version 2012-10-17 only
  Template tmpl;
  bool valid = true;       // the value parsed for its kind (numbers, dates, IPs, base64, bools)
  double number = 0;
  int64_t date = 0;
  IpNet net;
  std::string bytes;       // BinaryEquals: decoded
  bool flag = false;       // Bool and Null: true/false
};

struct Condition {
  std::string op_name;     // as written, e.g. "ForAllValues:StringLike"
  Operator op;
  std::string key;         // as written
  std::string key_lower;   // for the context lookup
  std::vector<CondValue> values;
};

// Fills the kind-specific fields of `v` from v.text; `variables` enables ${...} for the kinds
// that accept them.
void compile_value(const Operator& op, bool variables, CondValue& v);

bool eval_condition(const Condition& c, const Context& ctx);

}  // namespace orch::policy
