#include "apimachinery/protobuf/values.h"

#include <array>
#include <chrono>
#include <cstdio>

namespace orch::kubeproto::values {
namespace {

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years RFC 3339 can write.
constexpr int64_t kMinRfc3339 = -62167219200;
constexpr int64_t kMaxRfc3339 = 253402300799;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at pos.
std::optional<int> digits(std::string_view s, size_t pos, size_t n) {
  if (s.size() < pos + n) return std::nullopt;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!is_digit(s[i])) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) |
                       (uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{static_cast<uint8_t>(bytes[i])} << 16;
    if (rest == 2) v |= uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c != '\r' && c != '\n') clean += c;
  }
  if (clean.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(clean.size() / 4 * 3);
  for (size_t i = 0; i < clean.size(); i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = clean[i + j];
      uint32_t d = 0;
      if (c == '=') {
        // Padding only in the last quantum, only in its last two places, and only at the end.
        if (i + 4 != clean.size() || j < 2) return std::nullopt;
        ++pad;
      } else {
        if (pad > 0) return std::nullopt;
        const size_t p = kBase64.find(c);
        if (p == std::string_view::npos) return std::nullopt;
        d = static_cast<uint32_t>(p);
      }
      v = (v << 6) | d;
    }
    out += static_cast<char>((v >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(v & 0xff);
  }
  return out;
}

std::string sanitize_utf8(std::string_view s) {
  // Fast path: nearly every string is ASCII.
  size_t i = 0;
  while (i < s.size() && static_cast<uint8_t>(s[i]) < 0x80) ++i;
  if (i == s.size()) return std::string(s);
  std::string out(s.substr(0, i));
  while (i < s.size()) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    size_t len = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if (b0 < 0x80) {
      out += static_cast<char>(b0);
      ++i;
      continue;
    } else if ((b0 & 0xe0) == 0xc0) {
      len = 2, cp = b0 & 0x1f, min = 0x80;
    } else if ((b0 & 0xf0) == 0xe0) {
      len = 3, cp = b0 & 0x0f, min = 0x800;
    } else if ((b0 & 0xf8) == 0xf0) {
      len = 4, cp = b0 & 0x07, min = 0x10000;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<uint8_t>(s[i + k]);
      if ((b & 0xc0) != 0x80) ok = false;
      cp = (cp << 6) | (b & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are invalid, as in Go.
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

std::optional<std::string> format_rfc3339(int64_t seconds, int32_t nanos, bool micros) {
  using namespace std::chrono;
  if (seconds < kMinRfc3339 || seconds > kMaxRfc3339) return std::nullopt;
  const int64_t day = floor_div(seconds, 86400);
  const int64_t sod = seconds - day * 86400;
  const year_month_day ymd{sys_days{days{day}}};
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int{ymd.year()},
                              unsigned{ymd.month()}, unsigned{ymd.day()},
                              static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                              static_cast<int>(sod % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (micros) {
    std::snprintf(buf, sizeof buf, ".%06d", static_cast<int>(nanos / 1000));
    out += buf;
  }
  out += 'Z';
  return out;
}

std::optional<Timestamp> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  // 2006-01-02T15:04:05
  const auto y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2), h = digits(s, 11, 2),
             mi = digits(s, 14, 2), se = digits(s, 17, 2);
  if (!y || !mo || !d || !h || !mi || !se || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (*h > 23 || *mi > 59 || *se > 59) return std::nullopt;
  const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)},
                           day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  size_t pos = 19;
  int32_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const size_t start = pos;
    int scale = 100000000;
    while (pos < s.size() && is_digit(s[pos])) {
      nanos += (s[pos] - '0') * scale;  // digits past the ninth are dropped, as Go does
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const auto oh = digits(s, pos + 1, 2), om = digits(s, pos + 4, 2);
    if (!oh || !om || s[pos + 3] != ':' || *oh > 23 || *om > 59) return std::nullopt;
    offset = (int64_t{*oh} * 60 + *om) * 60 * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const int64_t day_count = sys_days{ymd}.time_since_epoch().count();
  return Timestamp{day_count * 86400 + int64_t{*h} * 3600 + int64_t{*mi} * 60 + *se - offset,
                   nanos};
}

std::string format_duration(int64_t nanos) {
  if (nanos == 0) return "0s";
  const bool neg = nanos < 0;
  uint64_t u = neg ? uint64_t{0} - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  // Builds right to left, as the digits come out least significant first.
  std::string out;
  auto put_int = [&](uint64_t v) {
    do {
      out.insert(out.begin(), static_cast<char>('0' + v % 10));
      v /= 10;
    } while (v > 0);
  };
  // Writes the `prec` low decimal digits of v as a fraction without trailing zeros; returns v
  // with them removed.
  auto put_frac = [&](uint64_t v, int prec) {
    bool print = false;
    std::string frac;
    for (int i = 0; i < prec; ++i) {
      const auto digit = static_cast<char>(v % 10);
      print = print || digit != 0;
      if (print) frac.insert(frac.begin(), static_cast<char>('0' + digit));
      v /= 10;
    }
    if (print) out.insert(0, "." + frac);
    return v;
  };
  if (u < 1000000000) {
    // Under a second: one unit, ns, µs or ms, with a fraction.
    int prec = 0;
    if (u < 1000) {
      out = "ns";
    } else if (u < 1000000) {
      prec = 3;
      out = "\xc2\xb5s";  // U+00B5, the micro sign Go prints
    } else {
      prec = 6;
      out = "ms";
    }
    u = put_frac(u, prec);
    put_int(u);
  } else {
    out = "s";
    u = put_frac(u, 9);
    put_int(u % 60);
    u /= 60;
    if (u > 0) {
      out.insert(out.begin(), 'm');
      put_int(u % 60);
      u /= 60;
      if (u > 0) {
        out.insert(out.begin(), 'h');
        put_int(u);
      }
    }
  }
  if (neg) out.insert(out.begin(), '-');
  return out;
}

std::optional<int64_t> parse_duration(std::string_view s) {
  constexpr uint64_t kLimit = uint64_t{1} << 63;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  struct Unit {
    std::string_view name;
    uint64_t nanos;
  };
  static constexpr std::array<Unit, 8> kUnits{{{"ns", 1},
                                               {"us", 1000},
                                               {"\xc2\xb5s", 1000},  // U+00B5
                                               {"\xce\xbcs", 1000},  // U+03BC
                                               {"ms", 1000000},
                                               {"s", 1000000000},
                                               {"m", 60000000000},
                                               {"h", 3600000000000}}};
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || is_digit(s[0]))) return std::nullopt;
    uint64_t whole = 0;
    size_t i = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      if (whole > kLimit / 10) return std::nullopt;
      whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
      if (whole > kLimit) return std::nullopt;
    }
    const bool pre = i > 0;
    s.remove_prefix(i);
    uint64_t frac = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      bool overflow = false;
      for (i = 0; i < s.size() && is_digit(s[i]); ++i) {
        // Digits past what fits are consumed but no longer change the value.
        if (overflow || frac > (kLimit - 1) / 10) {
          overflow = true;
          continue;
        }
        frac = frac * 10 + static_cast<uint64_t>(s[i] - '0');
        scale *= 10;
      }
      post = i > 0;
      s.remove_prefix(i);
    }
    if (!pre && !post) return std::nullopt;
    i = 0;
    while (i < s.size() && s[i] != '.' && !is_digit(s[i])) ++i;
    if (i == 0) return std::nullopt;  // a number without a unit
    const std::string_view name = s.substr(0, i);
    s.remove_prefix(i);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == name) unit = &u;
    }
    if (unit == nullptr) return std::nullopt;
    if (whole > kLimit / unit->nanos) return std::nullopt;
    uint64_t v = whole * unit->nanos;
    if (frac > 0) {
      v += static_cast<uint64_t>(static_cast<double>(frac) *
                                 (static_cast<double>(unit->nanos) / scale));
      if (v > kLimit) return std::nullopt;
    }
    total += v;
    if (total > kLimit) return std::nullopt;
  }
  if (neg) return static_cast<int64_t>(uint64_t{0} - total);
  if (total > kLimit - 1) return std::nullopt;
  return static_cast<int64_t>(total);
}

bool valid_quantity(std::string_view s) {
  // <signedNumber><suffix>; number = digits, digits.digits, digits. or .digits
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  const std::string_view suffix = s.substr(i);
  static constexpr std::array<std::string_view, 14> kSuffixes{
      "", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  for (std::string_view known : kSuffixes) {
    if (suffix == known) return true;
  }
  // A decimal exponent: e or E, an optional sign, digits.
  if (suffix.size() >= 2 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    size_t j = 1;
    if (suffix[j] == '+' || suffix[j] == '-') ++j;
    if (j == suffix.size()) return false;
    for (; j < suffix.size(); ++j) {
      if (!is_digit(suffix[j])) return false;
    }
    return true;
  }
  return false;
}

}  // namespace orch::kubeproto::values
