// `orchestera audit`: reads the audit trail of a data directory, filtered by principal, time,
// decision, plane and cluster; prints a table for people or the JSON lines for tools.
#pragma once
#include <string>

#include "audit/event.h"

namespace orch::cli {

struct AuditOptions {
  std::string data_dir;
  std::string principal, decision, plane, cluster;
  std::string since, until;  // RFC 3339 time, or an age such as 30m, 2h, 7d
  bool json = false;
};

// Returns the process exit status; throws std::runtime_error for a bad option value.
int run_audit(const AuditOptions& opts);

// "2026-12-03T10:00:00Z" or an age before now ("90s", "30m", "2h", "7d") as epoch milliseconds.
int64_t parse_time_bound(const std::string& text, int64_t now_ms);

}  // namespace orch::cli
