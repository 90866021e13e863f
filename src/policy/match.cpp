#include "policy/match.h"

namespace orch::policy {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

namespace {

// Length of the UTF-8 sequence starting at t[i], clipped to the text (malformed input counts
// byte by byte, which is all a matcher needs).
size_t char_len(std::string_view t, size_t i) {
  unsigned char c = static_cast<unsigned char>(t[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  size_t j = i + 1;
  while (j < t.size() && j < i + n && (static_cast<unsigned char>(t[j]) & 0xC0) == 0x80) ++j;
  return j - i;
}

}  // namespace

bool glob_match(std::string_view p, const unsigned char* lit, std::string_view t, bool fold) {
  // Greedy matching with one backtrack point: on a mismatch after a `*`, let that `*` swallow
  // one more character and retry. Linear in practice, O(|p|*|t|) worst case; no recursion.
  size_t pi = 0, ti = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  auto wild = [&](size_t i, char w) { return p[i] == w && !(lit && lit[i]); };
  while (ti < t.size()) {
    if (pi < p.size()) {
      if (wild(pi, '*')) {
        star_p = pi++;
        star_t = ti;
        continue;
      }
      if (wild(pi, '?')) {
        ++pi;
        ti += char_len(t, ti);
        continue;
      }
      char tc = fold ? ascii_lower(t[ti]) : t[ti];
      if (p[pi] == tc) {
        ++pi;
        ++ti;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p + 1;
    star_t += char_len(t, star_t);
    ti = star_t;
  }
  while (pi < p.size() && wild(pi, '*')) ++pi;
  return pi == p.size();
}

ArnParts split_arn(std::string_view s) {
  ArnParts a;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t c = s.find(':', start);
    if (c == std::string_view::npos) return a;
    a.part[i] = s.substr(start, c - start);
    start = c + 1;
  }
  a.part[5] = s.substr(start);
  a.ok = true;
  return a;
}

bool arn_match(std::string_view pattern, const unsigned char* lit, const ArnParts& text) {
  if (pattern == "*" && !(lit && lit[0])) return true;
  if (!text.ok) return false;
  ArnParts p = split_arn(pattern);
  if (!p.ok) return false;
  for (size_t i = 0; i < 6; ++i) {
    const unsigned char* part_lit = lit ? lit + (p.part[i].data() - pattern.data()) : nullptr;
    if (!glob_match(p.part[i], part_lit, text.part[i])) return false;
  }
  return true;
}

}  // namespace orch::policy
