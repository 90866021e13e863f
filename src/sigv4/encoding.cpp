#include <array>

#include "sigv4/internal.h"

namespace orch::sigv4::detail {

namespace {
constexpr std::array<bool, 256> make_unreserved() {
  std::array<bool, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  t['-'] = t['_'] = t['.'] = t['~'] = true;
  return t;
}
constexpr std::array<bool, 256> kUnreserved = make_unreserved();
constexpr char kUpperHex[] = "0123456789ABCDEF";

inline void append_byte_encoded(std::string& out, unsigned char c) {
  if (kUnreserved[c]) {
    out.push_back(static_cast<char>(c));
  } else {
    const char esc[3] = {'%', kUpperHex[c >> 4], kUpperHex[c & 0xF]};
    out.append(esc, 3);
  }
}

// Decodes the byte at raw[i] (an escape when well-formed) and advances i past it.
inline unsigned char next_decoded(std::string_view raw, size_t& i) {
  if (raw[i] == '%' && i + 2 < raw.size()) {
    int hi = hex_value(raw[i + 1]);
    int lo = hex_value(raw[i + 2]);
    if (hi >= 0 && lo >= 0) {
      i += 3;
      return static_cast<unsigned char>(hi << 4 | lo);
    }
  }
  return static_cast<unsigned char>(raw[i++]);
}

inline char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }
}  // namespace

bool is_unreserved(unsigned char c) { return kUnreserved[c]; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_encoded(std::string& out, std::string_view bytes, bool keep_slash) {
  for (char ch : bytes) {
    if (keep_slash && ch == '/') {
      out.push_back('/');
    } else {
      append_byte_encoded(out, static_cast<unsigned char>(ch));
    }
  }
}

void append_reencoded(std::string& out, std::string_view raw) {
  size_t i = 0;
  while (i < raw.size()) append_byte_encoded(out, next_decoded(raw, i));
}

std::string percent_decode(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  while (i < raw.size()) out.push_back(static_cast<char>(next_decoded(raw, i)));
  return out;
}

bool decoded_equals(std::string_view raw, std::string_view literal) {
  size_t i = 0;
  size_t j = 0;
  while (i < raw.size()) {
    if (j == literal.size() || next_decoded(raw, i) != static_cast<unsigned char>(literal[j])) {
      return false;
    }
    ++j;
  }
  return j == literal.size();
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

Target split_target(std::string_view target) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

const Header* find_header(const std::vector<Header>* headers, std::string_view name) {
  if (headers == nullptr) return nullptr;
  for (const Header& h : *headers) {
    if (iequals(h.name, name)) return &h;
  }
  return nullptr;
}

std::string scope_of(const Credential& c) {
  std::string s;
  s.reserve(c.date.size() + c.region.size() + c.service.size() + c.terminator.size() + 3);
  s.append(c.date).append(1, '/').append(c.region).append(1, '/').append(c.service);
  s.append(1, '/').append(c.terminator);
  return s;
}

}  // namespace orch::sigv4::detail
