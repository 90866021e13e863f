#include "cli/audit_command.h"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "audit/log.h"
#include "base/clock.h"
#include "cli/data_dir.h"

namespace orch::cli {

int64_t parse_time_bound(const std::string& text, int64_t now_ms) {
  if (auto t = clock::parse_iso8601(text)) return *t * 1000;
  static const std::pair<char, int64_t> kUnits[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  if (text.size() >= 2 && text.find_first_not_of("0123456789") == text.size() - 1)
    for (const auto& [unit, seconds] : kUnits)
      if (text.back() == unit) return now_ms - std::stoll(text.substr(0, text.size() - 1)) * seconds * 1000;
  throw std::runtime_error("'" + text + "' is neither a time (2026-12-03T10:00:00Z) nor an age (30m, 2h, 7d)");
}

namespace {
std::string who(const audit::Event& e) {
  if (!e.principal_arn.empty()) return e.principal_arn;
  if (!e.kube_user.empty()) return e.kube_user;
  return e.access_key_id.empty() ? "-" : e.access_key_id;
}
}  // namespace

int run_audit(const AuditOptions& opts) {
  audit::Filter f;
  f.principal = opts.principal;
  f.decision = opts.decision;
  f.plane = opts.plane;
  f.cluster = opts.cluster;
  int64_t now = clock::now_millis();
  if (!opts.since.empty()) f.since_ms = parse_time_bound(opts.since, now);
  if (!opts.until.empty()) f.until_ms = parse_time_bound(opts.until, now);
  DataDir d{opts.data_dir};
  if (!std::filesystem::is_directory(d.audit()))
    throw std::runtime_error("no audit trail in " + d.audit() + " (is --data-dir the server's?)");
  int matched = 0;
  if (!opts.json)
    std::printf("%-24s %-8s %-10s %-60s %-22s %-6s %s\n", "TIME", "DECISION", "PLANE", "WHO", "ACTION", "STATUS",
                "RESOURCE / REASON");
  audit::scan(d.audit(), f, [&](const audit::Event& e) {
    ++matched;
    if (opts.json) {
      std::printf("%s\n", audit::to_json(e).c_str());
      return;
    }
    std::string where = e.cluster.empty() ? e.resource : e.cluster + " " + e.resource;
    std::printf("%-24s %-8s %-10s %-60s %-22s %-6d %s%s%s\n", clock::iso8601(e.time_ms / 1000).c_str(),
                e.decision.c_str(), e.plane.c_str(), who(e).c_str(), e.action.c_str(), e.status, where.c_str(),
                e.reason.empty() ? "" : " — ", e.reason.c_str());
  });
  if (!opts.json) std::fprintf(stderr, "%d matching entries\n", matched);
  return 0;
}

}  // namespace orch::cli
