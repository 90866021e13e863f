// The text forms that Kubernetes' Go types use in JSON, for the transcoder: base64 ([]byte),
// RFC 3339 (metav1.Time and MicroTime), Go duration strings (metav1.Duration), the Quantity
// grammar, and Go's replacement of invalid UTF-8. Internal to kubeproto.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orch::kubeproto::values {

std::string base64_encode(std::string_view bytes);
// Go's base64.StdEncoding as used by encoding/json: padding required, CR and LF ignored.
std::optional<std::string> base64_decode(std::string_view text);

// Go's encoding/json writes each byte that is not part of valid UTF-8 as U+FFFD.
std::string sanitize_utf8(std::string_view s);

// Seconds since the Unix epoch of 0001-01-01T00:00:00Z, Go's zero time.Time.
inline constexpr int64_t kZeroTimeUnix = -62135596800;

// "2006-01-02T15:04:05Z", or with `micros` "2006-01-02T15:04:05.000000Z". nullopt when the
// year is outside 0000..9999.
std::optional<std::string> format_rfc3339(int64_t seconds, int32_t nanos, bool micros);
struct Timestamp {
  int64_t seconds = 0;
  int32_t nanos = 0;  // 0..999999999
};
// RFC 3339 with optional fraction and a Z or +hh:mm offset, as Go's time.Parse(RFC3339).
std::optional<Timestamp> parse_rfc3339(std::string_view text);

// Go's time.Duration.String() and time.ParseDuration().
std::string format_duration(int64_t nanos);
std::optional<int64_t> parse_duration(std::string_view text);

// Whether text is a resource.Quantity in the grammar of ParseQuantity (e.g. "100m", "1Gi",
// "1e3", "+.5"). The text is kept as written: canonical forms are the caller's business.
bool valid_quantity(std::string_view text);

}  // namespace orch::kubeproto::values
