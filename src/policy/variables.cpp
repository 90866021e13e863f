#include "policy/variables.h"

#include "policy/match.h"

namespace orch::policy {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void add_text(Template& t, std::string_view s) {
  if (s.empty()) return;
  if (!t.pieces.empty() && t.pieces.back().kind == Template::Piece::Kind::Text) {
    t.pieces.back().text.append(s);
    return;
  }
  Template::Piece p;
  p.text = std::string(s);
  t.pieces.push_back(std::move(p));
}

// The inside of ${...}: a key, optionally followed by `, 'default'`.
Template::Piece variable_piece(std::string_view inner) {
  Template::Piece p;
  inner = trim(inner);
  if (inner == "*" || inner == "?" || inner == "$") {
    p.kind = Template::Piece::Kind::Literal;
    p.text = std::string(inner);
    return p;
  }
  p.kind = Template::Piece::Kind::Variable;
  std::string_view key = inner;
  size_t comma = inner.find(',');
  if (comma != std::string_view::npos) {
    std::string_view def = trim(inner.substr(comma + 1));
    if (def.size() >= 2 && def.front() == '\'' && def.back() == '\'') {
      key = trim(inner.substr(0, comma));
      p.has_default = true;
      p.default_value = std::string(def.substr(1, def.size() - 2));
    }
    // Anything else after the comma is not a default; the whole text is then an (unknown) key.
  }
  p.text.reserve(key.size());
  for (char c : key) p.text.push_back(ascii_lower(c));
  return p;
}

}  // namespace

bool compile_template(std::string_view prefix, std::string_view s, Template& out) {
  out.pieces.clear();
  if (s.find("${") == std::string_view::npos) return false;
  add_text(out, prefix);
  size_t pos = 0;
  while (pos < s.size()) {
    size_t open = s.find("${", pos);
    size_t close = open == std::string_view::npos ? open : s.find('}', open + 2);
    if (close == std::string_view::npos) {  // no (complete) variable left: the rest is text
      add_text(out, s.substr(pos));
      break;
    }
    add_text(out, s.substr(pos, open - pos));
    out.pieces.push_back(variable_piece(s.substr(open + 2, close - open - 2)));
    pos = close + 1;
  }
  return true;
}

bool expand_template(const Template& t, const Context& ctx, std::string& out,
                     std::vector<unsigned char>& literal) {
  out.clear();
  literal.clear();
  auto append = [&](std::string_view s, unsigned char lit) {
    out.append(s);
    literal.insert(literal.end(), s.size(), lit);
  };
  for (const auto& p : t.pieces) {
    switch (p.kind) {
      case Template::Piece::Kind::Text:
        append(p.text, 0);
        break;
      case Template::Piece::Kind::Literal:
        append(p.text, 1);
        break;
      case Template::Piece::Kind::Variable: {
        // Only single-valued keys can stand in for a variable (reference §5.4).
        const std::vector<std::string>* v = ctx.find_lower(p.text);
        if (v && v->size() == 1) {
          append((*v)[0], 1);
        } else if (p.has_default) {
          append(p.default_value, 1);
        } else {
          return false;
        }
        break;
      }
    }
  }
  return true;
}

}  // namespace orch::policy
