#include "apimachinery/labels.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <set>

#include "apimachinery/gofmt.h"
#include "apimachinery/json_util.h"
#include "apimachinery/validation.h"

namespace orch::apimachinery::labels {
namespace bj = boost::json;

namespace {

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

bj::value string_array(const std::vector<std::string>& v) {
  bj::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no overflow.
std::optional<int64_t> parse_int64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  uint64_t u = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), u);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  if (neg) {
    if (u > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return u == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(u);
  }
  if (u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(u);
}

// validateLabelKey with the given path ("<nil>" from the parser, "key" from NewRequirement).
std::optional<FieldError> label_key_error(std::string_view key, const FieldPath& path) {
  auto problems = validation::qualified_name(key);
  if (problems.empty()) return std::nullopt;
  return invalid(path, bj::string(key), join(problems, "; "));
}

// ---- lexer -----------------------------------------------------------------------------------

enum class Tok { Error, End, ClosePar, Comma, Not, DoubleEquals, Equals, Greater, Ident, In, Less, NotEquals, NotIn, OpenPar };

struct Item {
  Tok tok;
  std::string lit;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_special(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

std::optional<Tok> token_of(std::string_view s) {
  if (s == ")") return Tok::ClosePar;
  if (s == ",") return Tok::Comma;
  if (s == "!") return Tok::Not;
  if (s == "==") return Tok::DoubleEquals;
  if (s == "=") return Tok::Equals;
  if (s == ">") return Tok::Greater;
  if (s == "in") return Tok::In;
  if (s == "<") return Tok::Less;
  if (s == "!=") return Tok::NotEquals;
  if (s == "notin") return Tok::NotIn;
  if (s == "(") return Tok::OpenPar;
  return std::nullopt;
}

// The server's lexer stops at a NUL byte as if the input ended there; so does this one.
std::vector<Item> lex(std::string_view s) {
  std::vector<Item> items;
  size_t pos = 0;
  auto at = [&](size_t i) { return i < s.size() ? s[i] : '\0'; };
  while (true) {
    while (is_space(at(pos))) ++pos;
    char c = at(pos);
    if (c == '\0') {
      items.push_back({Tok::End, ""});
      return items;
    }
    if (is_special(c)) {
      // Longest run of special characters that is still a known operator ("!=", "==").
      std::string buf;
      std::optional<Item> last;
      while (is_special(at(pos))) {
        buf.push_back(at(pos));
        if (auto t = token_of(buf)) {
          last = Item{*t, buf};
          ++pos;
        } else {
          break;
        }
      }
      if (!last) {  // unreachable with today's operator set; kept for parity with the server
        items.push_back({Tok::Error, "error expected: keyword found '" + buf + "'"});
        ++pos;
      } else {
        items.push_back(*last);
      }
      continue;
    }
    size_t start = pos;
    while (at(pos) != '\0' && !is_special(at(pos)) && !is_space(at(pos))) ++pos;
    std::string word(s.substr(start, pos - start));
    auto t = token_of(word);
    items.push_back({t ? *t : Tok::Ident, word});
  }
}

// ---- parser ----------------------------------------------------------------------------------

enum class Ctx { KeyAndOperator, Values };

class Parser {
 public:
  explicit Parser(std::string_view s) : items_(lex(s)) {}

  Result<std::vector<Requirement>> parse() {
    std::vector<Requirement> reqs;
    while (true) {
      auto [tok, lit] = lookahead(Ctx::Values);
      if (tok == Tok::Ident || tok == Tok::Not) {
        auto r = parse_requirement();
        if (!r) return fail("unable to parse requirement: " + r.error());
        reqs.push_back(std::move(*r));
        auto [t, l] = consume(Ctx::Values);
        if (t == Tok::End) return reqs;
        if (t == Tok::Comma) {
          auto [t2, l2] = lookahead(Ctx::Values);
          if (t2 != Tok::Ident && t2 != Tok::Not)
            return fail("found '" + l2 + "', expected: identifier after ','");
        } else {
          return fail("found '" + l + "', expected: ',' or 'end of string'");
        }
      } else if (tok == Tok::End) {
        return reqs;
      } else {
        return fail("found '" + lit + "', expected: !, identifier, or 'end of string'");
      }
    }
  }

 private:
  static Result<std::vector<Requirement>> fail(std::string m) {
    return Result<std::vector<Requirement>>::failure(std::move(m));
  }

  Item lookahead(Ctx ctx) const {
    Item it = items_[std::min(pos_, items_.size() - 1)];
    if (ctx == Ctx::Values && (it.tok == Tok::In || it.tok == Tok::NotIn)) it.tok = Tok::Ident;
    return it;
  }
  Item consume(Ctx ctx) {
    Item it = lookahead(ctx);
    if (pos_ < items_.size() - 1) ++pos_;  // End stays the last token
    return it;
  }

  Result<Requirement> parse_requirement() {
    Operator op = Operator::In;
    bool inferred = false;
    Item first = consume(Ctx::Values);
    bool negated = first.tok == Tok::Not;
    if (negated) first = consume(Ctx::Values);
    if (first.tok != Tok::Ident)
      return Result<Requirement>::failure("found '" + first.lit + "', expected: identifier");
    if (auto e = label_key_error(first.lit, FieldPath())) return Result<Requirement>::failure(e->message());
    std::string key = first.lit;
    auto next = lookahead(Ctx::Values).tok;
    if (negated) {
      op = Operator::DoesNotExist;
      inferred = true;
    } else if (next == Tok::End || next == Tok::Comma) {
      op = Operator::Exists;
      inferred = true;
    }
    if (inferred) return make_requirement(key, op, {});

    auto [otok, olit] = consume(Ctx::KeyAndOperator);
    switch (otok) {
      case Tok::In: op = Operator::In; break;
      case Tok::Equals: op = Operator::Equals; break;
      case Tok::DoubleEquals: op = Operator::DoubleEquals; break;
      case Tok::Greater: op = Operator::GreaterThan; break;
      case Tok::Less: op = Operator::LessThan; break;
      case Tok::NotIn: op = Operator::NotIn; break;
      case Tok::NotEquals: op = Operator::NotEquals; break;
      default:
        return Result<Requirement>::failure("found '" + olit + "', expected: in, notin, =, ==, !=, gt, lt");
    }
    std::set<std::string> values;
    std::optional<std::string> err =
        (op == Operator::In || op == Operator::NotIn) ? parse_values(values) : parse_exact_value(values);
    if (err) return Result<Requirement>::failure(*err);
    return make_requirement(key, op, {values.begin(), values.end()});
  }

  std::optional<std::string> parse_values(std::set<std::string>& s) {
    auto [tok, lit] = consume(Ctx::Values);
    if (tok != Tok::OpenPar) return "found '" + lit + "' expected: '('";
    auto [t, l] = lookahead(Ctx::Values);
    if (t == Tok::Ident || t == Tok::Comma) {
      if (auto e = parse_identifiers(s)) return e;
      if (consume(Ctx::Values).tok != Tok::ClosePar) return "found '" + l + "', expected: ')'";
      return std::nullopt;
    }
    if (t == Tok::ClosePar) {  // "()" is the set holding the empty value
      consume(Ctx::Values);
      s.insert("");
      return std::nullopt;
    }
    return "found '" + l + "', expected: ',', ')' or identifier";
  }

  // A possibly empty list of possibly empty identifiers: "(a,,b)" holds "", "a" and "b".
  std::optional<std::string> parse_identifiers(std::set<std::string>& s) {
    while (true) {
      auto [tok, lit] = consume(Ctx::Values);
      if (tok == Tok::Ident) {
        s.insert(lit);
        auto [t2, l2] = lookahead(Ctx::Values);
        if (t2 == Tok::Comma) continue;
        if (t2 == Tok::ClosePar) return std::nullopt;
        return "found '" + l2 + "', expected: ',' or ')'";
      }
      if (tok == Tok::Comma) {
        if (s.empty()) s.insert("");
        auto t2 = lookahead(Ctx::Values).tok;
        if (t2 == Tok::ClosePar) {
          s.insert("");
          return std::nullopt;
        }
        if (t2 == Tok::Comma) s.insert("");
        continue;
      }
      return "found '" + lit + "', expected: ',', or identifier";
    }
  }

  std::optional<std::string> parse_exact_value(std::set<std::string>& s) {
    auto t = lookahead(Ctx::Values).tok;
    if (t == Tok::End || t == Tok::Comma) {  // "a=" selects the empty value
      s.insert("");
      return std::nullopt;
    }
    auto [tok, lit] = consume(Ctx::Values);
    if (tok == Tok::Ident) {
      s.insert(lit);
      return std::nullopt;
    }
    return "found '" + lit + "', expected: identifier";
  }

  std::vector<Item> items_;
  size_t pos_ = 0;
};

bool has_value(const Requirement& r, const std::string& v) {
  return std::binary_search(r.values.begin(), r.values.end(), v);
}

}  // namespace

Set set_from_json(const bj::value& labels) {
  Set s;
  if (!labels.is_object()) return s;
  for (const auto& kv : labels.get_object())
    if (kv.value().is_string()) s.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
  return s;
}

Result<Requirement> make_requirement(std::string key, Operator op, std::vector<std::string> vals) {
  FieldErrorList errs;
  if (auto e = label_key_error(key, FieldPath("key"))) errs.push_back(*e);
  FieldPath vpath("values");
  switch (op) {
    case Operator::In:
    case Operator::NotIn:
      if (vals.empty())
        errs.push_back(invalid(vpath, string_array(vals), "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case Operator::Equals:
    case Operator::DoubleEquals:
    case Operator::NotEquals:
      if (vals.size() != 1)
        errs.push_back(invalid(vpath, string_array(vals), "exact-match compatibility requires one single value"));
      break;
    case Operator::Exists:
    case Operator::DoesNotExist:
      if (!vals.empty())
        errs.push_back(invalid(vpath, string_array(vals), "values set must be empty for exists and does not exist"));
      break;
    case Operator::GreaterThan:
    case Operator::LessThan:
      if (vals.size() != 1)
        errs.push_back(invalid(vpath, string_array(vals), "for 'Gt', 'Lt' operators, exactly one value is required"));
      for (size_t i = 0; i < vals.size(); ++i)
        if (!parse_int64(vals[i]))
          errs.push_back(invalid(vpath.index(i), bj::string(vals[i]), "for 'Gt', 'Lt' operators, the value must be an integer"));
      break;
  }
  for (size_t i = 0; i < vals.size(); ++i) {
    auto problems = validation::label_value(vals[i]);
    if (!problems.empty())
      errs.push_back(invalid(vpath.index(i).key(key), bj::string(vals[i]), join(problems, "; ")));
  }
  if (!errs.empty()) return Result<Requirement>::failure(aggregate_message(errs));
  std::sort(vals.begin(), vals.end());
  vals.erase(std::unique(vals.begin(), vals.end()), vals.end());
  return Requirement{std::move(key), op, std::move(vals)};
}

bool Requirement::matches(const Set& labels) const {
  auto it = labels.find(key);
  bool exists = it != labels.end();
  switch (op) {
    case Operator::In:
    case Operator::Equals:
    case Operator::DoubleEquals:
      return exists && has_value(*this, it->second);
    case Operator::NotIn:
    case Operator::NotEquals:
      return !exists || !has_value(*this, it->second);
    case Operator::Exists:
      return exists;
    case Operator::DoesNotExist:
      return !exists;
    case Operator::GreaterThan:
    case Operator::LessThan: {
      if (!exists || values.size() != 1) return false;
      auto lv = parse_int64(it->second);
      auto rv = parse_int64(values[0]);
      if (!lv || !rv) return false;
      return op == Operator::GreaterThan ? *lv > *rv : *lv < *rv;
    }
  }
  return false;
}

std::string Requirement::str() const {
  std::string s = op == Operator::DoesNotExist ? "!" + key : key;
  switch (op) {
    case Operator::Exists:
    case Operator::DoesNotExist: return s;
    case Operator::Equals: s += "="; break;
    case Operator::DoubleEquals: s += "=="; break;
    case Operator::NotEquals: s += "!="; break;
    case Operator::In: s += " in ("; break;
    case Operator::NotIn: s += " notin ("; break;
    case Operator::GreaterThan: s += ">"; break;
    case Operator::LessThan: s += "<"; break;
  }
  s += join(values, ",");
  if (op == Operator::In || op == Operator::NotIn) s += ")";
  return s;
}

Selector Selector::nothing() {
  Selector s;
  s.nothing_ = true;
  return s;
}

void Selector::add(Requirement r) {
  // Kept sorted by key (stable, so equal keys stay in the order given), as the server sorts.
  auto it = std::upper_bound(reqs_.begin(), reqs_.end(), r.key,
                             [](const std::string& k, const Requirement& x) { return k < x.key; });
  reqs_.insert(it, std::move(r));
}

bool Selector::matches(const Set& labels) const {
  if (nothing_) return false;
  return std::all_of(reqs_.begin(), reqs_.end(), [&](const Requirement& r) { return r.matches(labels); });
}

std::string Selector::str() const {
  std::string out;
  for (size_t i = 0; i < reqs_.size(); ++i) {
    if (i) out += ",";
    out += reqs_[i].str();
  }
  return out;
}

std::optional<std::string> Selector::requires_exact_match(std::string_view key) const {
  for (const auto& r : reqs_) {
    if (r.key != key) continue;
    if ((r.op == Operator::Equals || r.op == Operator::DoubleEquals || r.op == Operator::In) &&
        r.values.size() == 1)
      return r.values[0];
    return std::nullopt;
  }
  return std::nullopt;
}

Result<Selector> parse(std::string_view selector) {
  auto reqs = Parser(selector).parse();
  if (!reqs) return Result<Selector>::failure(reqs.error());
  Selector s;
  for (auto& r : *reqs) s.add(std::move(r));
  return s;
}

Result<Selector> from_label_selector(const bj::value& ls) {
  if (ls.is_null()) return Selector::nothing();
  if (!ls.is_object()) return Result<Selector>::failure("label selector must be an object");
  const bj::value* ml = json::find(ls, "matchLabels");
  const bj::value* me = json::find(ls, "matchExpressions");
  size_t n = (ml && ml->is_object() ? ml->get_object().size() : 0) +
             (me && me->is_array() ? me->get_array().size() : 0);
  if (n == 0) return Selector::everything();
  Selector s;
  if (ml && ml->is_object()) {
    // Sorted by key so that, with several bad labels, the error reported is deterministic.
    std::vector<std::pair<std::string, const bj::value*>> sorted;
    for (const auto& kv : ml->get_object()) sorted.emplace_back(std::string(kv.key()), &kv.value());
    std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (auto& [k, v] : sorted) {
      if (!v->is_string()) return Result<Selector>::failure("matchLabels[" + k + "]: value must be a string");
      auto r = make_requirement(k, Operator::Equals, {std::string(v->get_string())});
      if (!r) return Result<Selector>::failure(r.error());
      s.add(std::move(*r));
    }
  }
  if (me && me->is_array()) {
    for (const auto& e : me->get_array()) {
      const bj::value* key = json::find(e, "key");
      const bj::value* op = json::find(e, "operator");
      const bj::value* values = json::find(e, "values");
      std::string ops = op && op->is_string() ? std::string(op->get_string()) : "";
      Operator o;
      if (ops == "In") o = Operator::In;
      else if (ops == "NotIn") o = Operator::NotIn;
      else if (ops == "Exists") o = Operator::Exists;
      else if (ops == "DoesNotExist") o = Operator::DoesNotExist;
      else return Result<Selector>::failure(gofmt::quote(ops) + " is not a valid label selector operator");
      std::vector<std::string> vals;
      if (values && values->is_array())
        for (const auto& v : values->get_array())
          if (v.is_string()) vals.emplace_back(v.get_string());
      auto r = make_requirement(key && key->is_string() ? std::string(key->get_string()) : "", o, vals);
      if (!r) return Result<Selector>::failure(r.error());
      s.add(std::move(*r));
    }
  }
  return s;
}

FieldErrorList validate_label_selector(const bj::value& ls, const FieldPath& path) {
  FieldErrorList errs;
  if (!ls.is_object()) return errs;
  if (auto* ml = json::find(ls, "matchLabels"))
    for (auto& e : validation::validate_labels(*ml, path.child("matchLabels"))) errs.push_back(std::move(e));
  auto* me = json::find(ls, "matchExpressions");
  if (!me || !me->is_array()) return errs;
  size_t i = 0;
  for (const auto& sr : me->get_array()) {
    FieldPath p = path.child("matchExpressions").index(i++);
    auto* op = json::find(sr, "operator");
    auto* values = json::find(sr, "values");
    size_t nvalues = values && values->is_array() ? values->get_array().size() : 0;
    std::string ops = op && op->is_string() ? std::string(op->get_string()) : "";
    if (ops == "In" || ops == "NotIn") {
      if (nvalues == 0)
        errs.push_back(required(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (ops == "Exists" || ops == "DoesNotExist") {
      if (nvalues > 0)
        errs.push_back(forbidden(p.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push_back(invalid(p.child("operator"), bj::string(ops), "not a valid selector operator"));
    }
    auto* key = json::find(sr, "key");
    std::string k = key && key->is_string() ? std::string(key->get_string()) : "";
    for (auto& m : validation::qualified_name(k)) errs.push_back(invalid(p.child("key"), bj::string(k), m));
    if (values && values->is_array()) {
      size_t j = 0;
      for (const auto& v : values->get_array()) {
        std::string sv = v.is_string() ? std::string(v.get_string()) : "";
        for (auto& m : validation::label_value(sv)) errs.push_back(invalid(p.child("values").index(j), bj::string(sv), m));
        ++j;
      }
    }
  }
  return errs;
}

}  // namespace orch::apimachinery::labels
