// Time in the formats the AWS wire uses. All instants are UTC seconds since the epoch.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orch::clock {

int64_t now_seconds();
int64_t now_millis();

// 2024-01-02T03:04:05Z (IAM/STS timestamps, aws:CurrentTime).
std::string iso8601(int64_t epoch_seconds);
// 20240102T030405Z (X-Amz-Date).
std::string amz_date(int64_t epoch_seconds);
// Accepts 20240102T030405Z only; nullopt otherwise.
std::optional<int64_t> parse_amz_date(std::string_view s);
// Accepts ISO 8601 date-times as IAM policies write them: 2024-01-02T03:04:05Z, with optional
// fractional seconds and a Z or +hh:mm offset, or a bare date 2024-01-02; nullopt otherwise.
std::optional<int64_t> parse_iso8601(std::string_view s);
// RFC 1123 (the HTTP Date header): "Tue, 02 Jan 2024 03:04:05 GMT".
std::optional<int64_t> parse_http_date(std::string_view s);

}  // namespace orch::clock
