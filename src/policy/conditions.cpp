#include "policy/conditions.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "base/clock.h"
#include "base/crypto.h"
#include "policy/match.h"

namespace orch::policy {

namespace {

struct OpName {
  std::string_view name;
  CondKind kind;
  CondCmp cmp;
  bool negated;
};

constexpr OpName kOperators[] = {
    {"StringEquals", CondKind::String, CondCmp::Eq, false},
    {"StringNotEquals", CondKind::String, CondCmp::Eq, true},
    {"StringEqualsIgnoreCase", CondKind::StringIgnoreCase, CondCmp::Eq, false},
    {"StringNotEqualsIgnoreCase", CondKind::StringIgnoreCase, CondCmp::Eq, true},
    {"StringLike", CondKind::StringLike, CondCmp::Eq, false},
    {"StringNotLike", CondKind::StringLike, CondCmp::Eq, true},
    {"NumericEquals", CondKind::Numeric, CondCmp::Eq, false},
    {"NumericNotEquals", CondKind::Numeric, CondCmp::Eq, true},
    {"NumericLessThan", CondKind::Numeric, CondCmp::Lt, false},
    {"NumericLessThanEquals", CondKind::Numeric, CondCmp::Le, false},
    {"NumericGreaterThan", CondKind::Numeric, CondCmp::Gt, false},
    {"NumericGreaterThanEquals", CondKind::Numeric, CondCmp::Ge, false},
    {"DateEquals", CondKind::Date, CondCmp::Eq, false},
    {"DateNotEquals", CondKind::Date, CondCmp::Eq, true},
    {"DateLessThan", CondKind::Date, CondCmp::Lt, false},
    {"DateLessThanEquals", CondKind::Date, CondCmp::Le, false},
    {"DateGreaterThan", CondKind::Date, CondCmp::Gt, false},
    {"DateGreaterThanEquals", CondKind::Date, CondCmp::Ge, false},
    {"Bool", CondKind::Bool, CondCmp::Eq, false},
    {"BinaryEquals", CondKind::Binary, CondCmp::Eq, false},
    {"IpAddress", CondKind::Ip, CondCmp::Eq, false},
    {"NotIpAddress", CondKind::Ip, CondCmp::Eq, true},
    // ArnEquals and ArnLike behave identically, as do their negations [UG condition_operators].
    {"ArnEquals", CondKind::Arn, CondCmp::Eq, false},
    {"ArnLike", CondKind::Arn, CondCmp::Eq, false},
    {"ArnNotEquals", CondKind::Arn, CondCmp::Eq, true},
    {"ArnNotLike", CondKind::Arn, CondCmp::Eq, true},
    {"Null", CondKind::Null, CondCmp::Eq, false},
};

template <class T>
bool compare(CondCmp cmp, T request, T policy) {
  switch (cmp) {
    case CondCmp::Eq: return request == policy;
    case CondCmp::Lt: return request < policy;
    case CondCmp::Le: return request <= policy;
    case CondCmp::Gt: return request > policy;
    case CondCmp::Ge: return request >= policy;
  }
  return false;
}

// Integers or decimals, optionally signed; nothing else (no hex, inf, nan or spaces).
std::optional<double> parse_number(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  size_t first = (!s.empty() && s.front() == '-') ? 1 : 0;
  if (s.size() <= first || !((s[first] >= '0' && s[first] <= '9') || s[first] == '.'))
    return std::nullopt;
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return d;
}

std::optional<bool> parse_bool(std::string_view s) {
  if (iequals(s, "true")) return true;
  if (iequals(s, "false")) return false;
  return std::nullopt;
}

bool parse_address(std::string_view s, IpNet& out) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (s.empty() || s.size() >= sizeof buf) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  if (inet_pton(AF_INET, buf, out.addr) == 1) {
    out.family = 4;
    return true;
  }
  if (inet_pton(AF_INET6, buf, out.addr) == 1) {
    out.family = 6;
    return true;
  }
  return false;
}

// A policy value with its ${...} already substituted for this request.
struct Resolved {
  bool ok = false;
  std::string text;
  std::vector<unsigned char> literal;
};

// True when request value `r` matches at least one policy value (the positive operator).
bool matches_any(const Condition& c, std::string_view r, const std::vector<Resolved>* res) {
  const auto& vals = c.values;
  auto text_of = [&](size_t i, const unsigned char*& lit) -> const std::string* {
    lit = nullptr;
    if (!vals[i].has_vars) return &vals[i].text;
    const Resolved& x = (*res)[i];
    if (!x.ok) return nullptr;  // an unresolved variable matches nothing (reference §5.4)
    lit = x.literal.data();
    return &x.text;
  };
  switch (c.op.kind) {
    case CondKind::String:
    case CondKind::StringIgnoreCase:
    case CondKind::StringLike:
      for (size_t i = 0; i < vals.size(); ++i) {
        const unsigned char* lit;
        const std::string* p = text_of(i, lit);
        if (!p) continue;
        bool m = c.op.kind == CondKind::String             ? *p == r
                 : c.op.kind == CondKind::StringIgnoreCase ? iequals(*p, r)
                                                           : glob_match(*p, lit, r);
        if (m) return true;
      }
      return false;
    case CondKind::Arn: {
      ArnParts parts = split_arn(r);
      for (size_t i = 0; i < vals.size(); ++i) {
        const unsigned char* lit;
        const std::string* p = text_of(i, lit);
        if (p && arn_match(*p, lit, parts)) return true;
      }
      return false;
    }
    case CondKind::Numeric: {
      auto x = parse_number(r);
      if (!x) return false;
      for (const auto& v : vals)
        if (v.valid && compare(c.op.cmp, *x, v.number)) return true;
      return false;
    }
    case CondKind::Date: {
      auto x = parse_date(r);
      if (!x) return false;
      for (const auto& v : vals)
        if (v.valid && compare(c.op.cmp, *x, v.date)) return true;
      return false;
    }
    case CondKind::Bool: {
      auto x = parse_bool(r);
      if (!x) return false;
      for (const auto& v : vals)
        if (v.valid && v.flag == *x) return true;
      return false;
    }
    case CondKind::Binary: {
      // Binary context values travel base64-encoded, as the simulator's ContextEntries do.
      std::string bytes;
      if (!crypto::base64_decode(r, bytes)) return false;
      for (const auto& v : vals)
        if (v.valid && v.bytes == bytes) return true;
      return false;
    }
    case CondKind::Ip: {
      IpNet a = parse_ip_addr(r);
      if (!a.family) return false;
      for (const auto& v : vals)
        if (v.valid && ip_in(a, v.net)) return true;
      return false;
    }
    case CondKind::Null:
      return false;  // handled by eval_condition
  }
  return false;
}

}  // namespace

std::optional<Operator> parse_operator(std::string_view name) {
  Operator op;
  if (name.starts_with("ForAllValues:")) {
    op.set = SetOp::ForAllValues;
    name.remove_prefix(13);
  } else if (name.starts_with("ForAnyValue:")) {
    op.set = SetOp::ForAnyValue;
    name.remove_prefix(12);
  }
  if (name.ends_with("IfExists")) {
    op.if_exists = true;
    name.remove_suffix(8);
  }
  for (const auto& o : kOperators) {
    if (o.name != name) continue;
    if (o.kind == CondKind::Null && op.if_exists) return std::nullopt;
    op.kind = o.kind;
    op.cmp = o.cmp;
    op.negated = o.negated;
    return op;
  }
  return std::nullopt;
}

IpNet parse_ip_net(std::string_view s) {
  IpNet n;
  size_t slash = s.find('/');
  if (!parse_address(s.substr(0, slash), n)) return IpNet{};
  int max = n.family == 4 ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = s.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || prefix < 0 ||
        prefix > max)
      return IpNet{};
  }
  n.prefix = static_cast<uint8_t>(prefix);
  return n;
}

IpNet parse_ip_addr(std::string_view s) {
  IpNet a;
  if (s.find('/') != std::string_view::npos || !parse_address(s, a)) return IpNet{};
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (a.family == 6 && std::memcmp(a.addr, kMapped, 12) == 0) {
    // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; policies name them as IPv4.
    std::memmove(a.addr, a.addr + 12, 4);
    std::memset(a.addr + 4, 0, 12);
    a.family = 4;
  }
  a.prefix = a.family == 4 ? 32 : 128;
  return a;
}

bool ip_in(const IpNet& a, const IpNet& net) {
  if (!a.family || a.family != net.family) return false;
  int full = net.prefix / 8, rest = net.prefix % 8;
  if (std::memcmp(a.addr, net.addr, full) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a.addr[full] & mask) == (net.addr[full] & mask);
}

std::optional<int64_t> parse_date(std::string_view s) {
  // Epoch seconds: digits, optionally a fraction. Anything else must be ISO 8601.
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i > 0 && (i == s.size() || s[i] == '.')) {
    for (size_t j = i + 1; j < s.size(); ++j)
      if (s[j] < '0' || s[j] > '9') return std::nullopt;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + i, v);
    if (ec != std::errc()) return std::nullopt;
    return v;
  }
  return clock::parse_iso8601(s);
}

void compile_value(const Operator& op, bool variables, CondValue& v) {
  switch (op.kind) {
    case CondKind::String:
    case CondKind::StringIgnoreCase:
    case CondKind::StringLike:
    case CondKind::Arn:
      v.has_vars = variables && compile_template({}, v.text, v.tmpl);
      break;
    case CondKind::Numeric: {
      auto d = parse_number(v.text);
      v.valid = d.has_value();
      v.number = d.value_or(0);
      break;
    }
    case CondKind::Date: {
      auto t = parse_date(v.text);
      v.valid = t.has_value();
      v.date = t.value_or(0);
      break;
    }
    case CondKind::Bool:
    case CondKind::Null: {
      auto b = parse_bool(v.text);
      v.valid = b.has_value();
      v.flag = b.value_or(false);
      break;
    }
    case CondKind::Binary:
      v.valid = crypto::base64_decode(v.text, v.bytes);
      break;
    case CondKind::Ip:
      v.net = parse_ip_net(v.text);
      v.valid = v.net.family != 0;
      break;
  }
}

bool eval_condition(const Condition& c, const Context& ctx) {
  const std::vector<std::string>* rv = ctx.find_lower(c.key_lower);
  // A key with no values is the same as an absent key.
  bool present = rv && !rv->empty();

  if (c.op.kind == CondKind::Null) {
    // "true": the key must be absent; "false": it must be present. Several values are OR-ed.
    for (const auto& v : c.values)
      if (v.valid && v.flag != present) return true;
    return false;
  }

  if (!present) {
    if (c.op.if_exists) return true;
    switch (c.op.set) {
      case SetOp::ForAllValues: return true;   // vacuously: every one of no values matches
      case SetOp::ForAnyValue: return false;
      case SetOp::None: return c.op.negated;  // StringNotEquals etc. hold for a missing key
    }
  }

  // Substitute variables once per condition, not once per request value. The scratch space is
  // per thread so that concurrent evaluations of one Policy never share it.
  const std::vector<Resolved>* res = nullptr;
  thread_local std::vector<Resolved> scratch;
  for (const auto& v : c.values) {
    if (!v.has_vars) continue;
    if (scratch.size() < c.values.size()) scratch.resize(c.values.size());
    for (size_t i = 0; i < c.values.size(); ++i)
      if (c.values[i].has_vars)
        scratch[i].ok =
            expand_template(c.values[i].tmpl, ctx, scratch[i].text, scratch[i].literal);
    res = &scratch;
    break;
  }

  const bool neg = c.op.negated;
  switch (c.op.set) {
    case SetOp::None: {
      // One request value normally; if several, any match counts and a negated operator
      // requires that none matches.
      bool any = false;
      for (const auto& r : *rv)
        if (matches_any(c, r, res)) {
          any = true;
          break;
        }
      return neg ? !any : any;
    }
    case SetOp::ForAnyValue:
      for (const auto& r : *rv)
        if (matches_any(c, r, res) != neg) return true;
      return false;
    case SetOp::ForAllValues:
      for (const auto& r : *rv)
        if (matches_any(c, r, res) == neg) return false;
      return true;
  }
  return false;
}

}  // namespace orch::policy
