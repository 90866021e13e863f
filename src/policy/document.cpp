// parse(): the policy grammar of reference §5.6 and the MalformedPolicyDocument messages.
//
// The checks run in phases, and the first failing phase decides the message, because AWS
// reports one message per document and which one wins matters to clients comparing text:
//   1 syntax (characters, JSON, element names and types, operator names) "Syntax errors in policy."
//   2 Version
//   3 "legacy parsing": Effect spelled in the wrong case, unreadable Date condition values
//   4 Sid uniqueness
//   5 Principal / Resource presence rules of the document kind
//   6 actions present, 7 resources present, 8 resource ARN format
//   9 action and condition-key prefixes, 10 trust policies: sts: actions, valid principals.
// Within a phase, statements are checked in document order.
#include <algorithm>

#include "policy/json.h"
#include "policy/match.h"
#include "policy/model.h"

namespace orch::policy {

namespace {

const char* const kSyntax = "Syntax errors in policy.";

using json::Value;
using Kind = json::Value::Kind;

// IAM's pattern for documents is [\u0009\u000A\u000D\u0020-\u00FF]+ over the decoded text.
bool allowed_characters(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      ++i;
      continue;
    }
    // U+0080..U+00FF are exactly the two-byte sequences C2 80 .. C3 BF.
    if ((c != 0xC2 && c != 0xC3) || i + 1 >= s.size() ||
        (static_cast<unsigned char>(s[i + 1]) & 0xC0) != 0x80)
      return false;
    i += 2;
  }
  return true;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_account_id(std::string_view s) { return s.size() == 12 && all_digits(s); }

bool is_scalar(const Value& v) {
  return v.kind == Kind::String || v.kind == Kind::Number || v.kind == Kind::Bool;
}

// A string, or a list of strings (possibly empty: emptiness is judged in a later phase).
bool string_or_strings(const Value& v, std::vector<std::string_view>& out) {
  if (v.kind == Kind::String) {
    out.push_back(v.text);
    return true;
  }
  if (v.kind != Kind::Array) return false;
  for (const auto& item : v.items) {
    if (item.kind != Kind::String) return false;
    out.push_back(item.text);
  }
  return true;
}

struct RawCondition {
  std::string_view op_name;
  Operator op;
  std::string_view key;
  std::vector<const Value*> values;
};

// What phase 1 learned about one statement, for the later phases and for compiling.
struct RawStatement {
  std::string_view sid;
  bool has_sid = false;
  std::string_view effect;
  bool has_action = false, has_not_action = false;
  std::vector<std::string_view> actions;
  bool has_resource = false, has_not_resource = false;
  std::vector<std::string_view> resources;
  bool has_principal = false, has_not_principal = false;
  PrincipalSet principal;
  std::vector<RawCondition> conditions;
};

bool parse_principal(const Value& v, PrincipalSet& out) {
  if (v.kind == Kind::String) {
    if (v.text != "*") return false;  // the only bare string form
    out.everyone = true;
    return true;
  }
  if (v.kind != Kind::Object || v.items.empty()) return false;
  for (size_t i = 0; i < v.keys.size(); ++i) {
    const std::string& type = v.keys[i];
    bool aws = type == "AWS";
    if (!aws && type != "Service" && type != "Federated" && type != "CanonicalUser") return false;
    std::vector<std::string_view> vals;
    if (!string_or_strings(v.items[i], vals) || vals.empty()) return false;
    for (auto s : vals) {
      if (aws && s == "*") {
        out.everyone = true;
      } else {
        (aws ? out.aws : out.others).emplace_back(s);
      }
    }
  }
  return true;
}

bool parse_conditions(const Value& v, std::vector<RawCondition>& out) {
  if (v.kind != Kind::Object) return false;
  for (size_t i = 0; i < v.keys.size(); ++i) {
    auto op = parse_operator(v.keys[i]);
    const Value& block = v.items[i];
    if (!op || block.kind != Kind::Object) return false;
    for (size_t k = 0; k < block.keys.size(); ++k) {
      RawCondition rc;
      rc.op_name = v.keys[i];
      rc.op = *op;
      rc.key = block.keys[k];
      const Value& val = block.items[k];
      if (is_scalar(val)) {
        rc.values.push_back(&val);
      } else if (val.kind == Kind::Array) {
        for (const auto& item : val.items) {
          if (!is_scalar(item)) return false;
          rc.values.push_back(&item);
        }
      } else {
        return false;
      }
      out.push_back(std::move(rc));
    }
  }
  return true;
}

bool parse_statement(const Value& st, RawStatement& rs) {
  if (st.kind != Kind::Object) return false;
  for (size_t i = 0; i < st.keys.size(); ++i) {
    const std::string& k = st.keys[i];
    const Value& v = st.items[i];
    if (k == "Sid") {
      if (v.kind != Kind::String) return false;
      rs.sid = v.text;
      rs.has_sid = true;
    } else if (k == "Effect") {
      if (v.kind != Kind::String || !(iequals(v.text, "Allow") || iequals(v.text, "Deny")))
        return false;
      rs.effect = v.text;
    } else if (k == "Action" || k == "NotAction") {
      (k == "Action" ? rs.has_action : rs.has_not_action) = true;
      if (!string_or_strings(v, rs.actions)) return false;
    } else if (k == "Resource" || k == "NotResource") {
      (k == "Resource" ? rs.has_resource : rs.has_not_resource) = true;
      if (!string_or_strings(v, rs.resources)) return false;
    } else if (k == "Principal" || k == "NotPrincipal") {
      (k == "Principal" ? rs.has_principal : rs.has_not_principal) = true;
      if (!parse_principal(v, rs.principal)) return false;
    } else if (k == "Condition") {
      if (!parse_conditions(v, rs.conditions)) return false;
    } else {
      return false;  // unknown element
    }
  }
  if (rs.effect.empty()) return false;
  // Each pair is one element spelled two ways; a statement has at most one of each.
  if ((rs.has_action && rs.has_not_action) || (rs.has_resource && rs.has_not_resource) ||
      (rs.has_principal && rs.has_not_principal))
    return false;
  return true;
}

// "Resource <r> must be in ARN format..." and the other per-ARN messages; empty when fine.
std::string resource_error(std::string_view r) {
  if (r == "*") return {};
  ArnParts a = split_arn(r);
  if (!a.ok || a.part[0] != "arn")
    return "Resource " + std::string(r) + " must be in ARN format or \"*\".";
  if (a.part[1] != "aws" && a.part[1] != "aws-cn" && a.part[1] != "aws-us-gov")
    return "Partition \"" + std::string(a.part[1]) + "\" is not valid for resource \"" +
           std::string(r) + "\".";
  // The service part takes no wildcard (reference §5.2).
  if (a.part[2].empty() || a.part[2].find_first_of("*?") != std::string_view::npos)
    return "Resource vendor must be fully qualified and cannot contain regexes.";
  if (a.part[2] == "iam") {
    if (!a.part[3].empty())
      return "IAM resource " + std::string(r) + " cannot contain region information.";
    static constexpr std::string_view kPaths[] = {
        "user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
        "server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/",
        "report/", "access-report/"};
    std::string_view rest = a.part[5];
    bool ok = rest == "*" || std::any_of(std::begin(kPaths), std::end(kPaths),
                                         [&](std::string_view p) { return rest.starts_with(p); });
    if (!ok)
      return "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, "
             "group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, "
             "saml-provider/, oidc-provider/, report/, access-report/.";
  }
  if (a.part[2] == "s3" && !a.part[3].empty())
    return "Resource " + std::string(r) + " can not contain region information.";
  return {};
}

const char* const kNoVendor =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";

bool valid_vendor(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.';
  });
}

std::string action_error(std::string_view a) {
  if (a == "*") return {};
  size_t colon = a.find(':');
  if (colon == std::string_view::npos || colon == 0) return kNoVendor;
  if (a.find(':', colon + 1) != std::string_view::npos)
    return "Actions/Condition can contain only one colon.";
  std::string_view vendor = a.substr(0, colon);
  if (vendor != "*" && !valid_vendor(vendor))
    return "Vendor " + std::string(vendor) + " is not valid";
  return {};
}

// Condition keys need a vendor too, but may hold more colons: tag keys such as
// aws:ResourceTag/aws:cloudformation:stack-name are legitimate.
std::string condition_key_error(std::string_view k) {
  size_t colon = k.find(':');
  if (colon == std::string_view::npos || colon == 0) return kNoVendor;
  std::string_view vendor = k.substr(0, colon);
  if (!valid_vendor(vendor)) return "Vendor " + std::string(vendor) + " is not valid";
  return {};
}

bool upper_alnum(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

// The forms §4.2 lists; wildcards inside an ARN are not principals.
bool valid_aws_principal(std::string_view v) {
  if (v == "*" || is_account_id(v)) return true;
  if ((v.starts_with("AIDA") || v.starts_with("AROA")) && v.size() >= 16 && upper_alnum(v))
    return true;
  if (v.find_first_of("*?") != std::string_view::npos) return false;
  ArnParts a = split_arn(v);
  if (!a.ok || a.part[0] != "arn" || a.part[1] != "aws" || !a.part[3].empty() ||
      !is_account_id(a.part[4]))
    return false;
  std::string_view res = a.part[5];
  auto named = [&](std::string_view type) {  // type/[path/]name with a non-empty name
    return res.starts_with(type) && res.size() > type.size() && res.back() != '/';
  };
  if (a.part[2] == "iam") return res == "root" || named("user/") || named("role/");
  if (a.part[2] == "sts") {
    if (named("federated-user/")) return true;
    if (!named("assumed-role/")) return false;
    std::string_view rest = res.substr(13);  // role/session
    size_t slash = rest.find('/');
    return slash != std::string_view::npos && slash > 0 && slash + 1 < rest.size();
  }
  return false;
}

Statement compile_statement(const RawStatement& rs, bool variables) {
  Statement st;
  st.sid = std::string(rs.sid);
  st.deny = rs.effect == "Deny";
  st.not_action = rs.has_not_action;
  for (auto a : rs.actions) {
    std::string lower(a);
    for (char& c : lower) c = ascii_lower(c);
    st.actions.push_back(std::move(lower));
  }
  st.has_resource = rs.has_resource || rs.has_not_resource;
  st.not_resource = rs.has_not_resource;
  for (auto r : rs.resources) {
    ResourcePattern p;
    p.text = std::string(r);
    if (variables && r != "*") {
      // Variables count only in the resource part, after the fifth colon (reference §5.4).
      ArnParts parts = split_arn(r);
      if (parts.ok) {
        std::string_view prefix = r.substr(0, parts.part[5].data() - r.data());
        p.has_vars = compile_template(prefix, parts.part[5], p.tmpl);
      }
    }
    st.resources.push_back(std::move(p));
  }
  st.has_principal = rs.has_principal || rs.has_not_principal;
  st.not_principal = rs.has_not_principal;
  st.principal = rs.principal;
  for (const auto& rc : rs.conditions) {
    Condition c;
    c.op_name = std::string(rc.op_name);
    c.op = rc.op;
    c.key = std::string(rc.key);
    c.key_lower = c.key;
    for (char& ch : c.key_lower) ch = ascii_lower(ch);
    for (const Value* v : rc.values) {
      CondValue cv;
      cv.text = v->text;
      compile_value(c.op, variables, cv);
      c.values.push_back(std::move(cv));
    }
    st.conditions.push_back(std::move(c));
  }
  return st;
}

std::variant<std::shared_ptr<const Policy>, ParseError> fail(std::string msg) {
  return ParseError{std::move(msg)};
}

}  // namespace

std::variant<std::shared_ptr<const Policy>, ParseError> parse(std::string_view text,
                                                              DocKind kind) {
  // Phase 1: syntax.
  if (text.empty() || !allowed_characters(text)) return fail(kSyntax);
  std::optional<Value> doc = json::parse(text);
  if (!doc || !doc->is_object()) return fail(kSyntax);
  const Value* version = nullptr;
  const Value* id = nullptr;
  const Value* statement = nullptr;
  for (size_t i = 0; i < doc->keys.size(); ++i) {
    const std::string& k = doc->keys[i];
    if (k == "Version") {
      version = &doc->items[i];
    } else if (k == "Id") {
      id = &doc->items[i];
    } else if (k == "Statement") {
      statement = &doc->items[i];
    } else {
      return fail(kSyntax);
    }
  }
  if ((version && !version->is_string()) || (id && !id->is_string()) || !statement)
    return fail(kSyntax);
  std::vector<const Value*> statements;
  if (statement->is_object()) {
    statements.push_back(statement);
  } else if (statement->is_array() && !statement->items.empty()) {
    for (const auto& s : statement->items) statements.push_back(&s);
  } else {
    return fail(kSyntax);
  }
  std::vector<RawStatement> raw(statements.size());
  for (size_t i = 0; i < statements.size(); ++i)
    if (!parse_statement(*statements[i], raw[i])) return fail(kSyntax);

  // Phase 2: Version. A missing Version is read as 2008-10-17, as AWS does for identity
  // policies. An unknown version is a syntax error, except a date before 2008-10-17 (a policy
  // language that never existed in IAM), which gets the version message.
  std::string_view ver = version ? std::string_view(version->text) : std::string_view();
  if (version && ver != "2012-10-17" && ver != "2008-10-17") {
    bool date_shaped = ver.size() == 10 && ver[4] == '-' && ver[7] == '-' &&
                       all_digits(ver.substr(0, 4)) && all_digits(ver.substr(5, 2)) &&
                       all_digits(ver.substr(8, 2));
    if (date_shaped && ver < "2008-10-17")
      return fail("Policy document must be version 2012-10-17 or greater.");
    return fail(kSyntax);
  }
  const bool variables = ver == "2012-10-17";

  // Phase 3: legacy parsing.
  for (const auto& rs : raw) {
    if (rs.effect != "Allow" && rs.effect != "Deny") return fail("The policy failed legacy parsing");
    for (const auto& c : rs.conditions) {
      if (c.op.kind != CondKind::Date) continue;
      for (const Value* v : c.values)
        if (!parse_date(v->text)) return fail("The policy failed legacy parsing");
    }
  }

  // Phase 4: Sid uniqueness (empty Sids do not count).
  for (size_t i = 0; i < raw.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (!raw[i].sid.empty() && raw[i].sid == raw[j].sid)
        return fail("Statement IDs (SID) in a single policy must be unique.");

  // Phase 5: what the document kind requires or forbids.
  for (const auto& rs : raw) {
    if (kind == DocKind::Trust) {
      if (rs.has_resource || rs.has_not_resource) return fail("Has prohibited field Resource.");
      if (!rs.has_principal && !rs.has_not_principal)
        return fail("Missing required field Principal");
    } else if (rs.has_principal || rs.has_not_principal) {
      return fail("Policy document should not specify a principal.");
    }
  }

  // Phases 6 and 7: actions, and (outside trust policies) resources.
  for (const auto& rs : raw)
    if ((!rs.has_action && !rs.has_not_action) || rs.actions.empty())
      return fail("Policy statement must contain actions.");
  if (kind != DocKind::Trust)
    for (const auto& rs : raw)
      if ((!rs.has_resource && !rs.has_not_resource) || rs.resources.empty())
        return fail("Policy statement must contain resources.");

  // Phase 8: resource formats.
  for (const auto& rs : raw)
    for (auto r : rs.resources)
      if (auto e = resource_error(r); !e.empty()) return fail(std::move(e));

  // Phase 9: vendors of actions and condition keys.
  for (const auto& rs : raw) {
    for (auto a : rs.actions)
      if (auto e = action_error(a); !e.empty()) return fail(std::move(e));
    for (const auto& c : rs.conditions)
      if (auto e = condition_key_error(c.key); !e.empty()) return fail(std::move(e));
  }

  // Phase 10: trust policies grant only role assumption, to principals that can exist.
  if (kind == DocKind::Trust) {
    for (const auto& rs : raw)
      for (auto a : rs.actions)
        if (a != "*" && !(a.size() > 4 && iequals(a.substr(0, 4), "sts:")))
          return fail("AssumeRole policy may only specify STS AssumeRole actions.");
    for (const auto& rs : raw)
      for (const auto& p : rs.principal.aws)
        if (!valid_aws_principal(p))
          return fail("Invalid principal in policy: \"AWS\":\"" + p + "\"");
  }

  auto policy = std::make_shared<Policy>();
  policy->kind = kind;
  policy->variables = variables;
  policy->version = std::string(ver);
  if (id) policy->id = id->text;
  for (const auto& rs : raw) {
    policy->statements.push_back(compile_statement(rs, variables));
    for (const auto& p : rs.principal.aws)
      if (std::find(policy->aws_principals.begin(), policy->aws_principals.end(), p) ==
          policy->aws_principals.end())
        policy->aws_principals.push_back(p);
  }
  return std::shared_ptr<const Policy>(std::move(policy));
}

}  // namespace orch::policy
