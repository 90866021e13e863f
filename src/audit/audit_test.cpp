#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "audit/log.h"

namespace orch::audit {
namespace {

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/orch-audit-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

Event sample(int64_t ms, std::string principal, std::string decision) {
  Event e;
  e.time_ms = ms;
  e.plane = "aws";
  e.account = "123456789012";
  e.principal_arn = std::move(principal);
  e.access_key_id = "AKIAEXAMPLE";
  e.action = "iam:CreateUser";
  e.resource = "arn:aws:iam::123456789012:user/alice";
  e.decision = std::move(decision);
  e.reason = "allowed by statement 0 of policy AdministratorAccess";
  e.status = 200;
  return e;
}

std::vector<Event> all(const std::string& dir, Filter f = {}) {
  std::vector<Event> out;
  scan(dir, f, [&](const Event& e) { out.push_back(e); });
  return out;
}

TEST(AuditEvent, JsonRoundTripKeepsEveryField) {
  Event e = sample(1700000000123, "arn:aws:sts::123456789012:assumed-role/devs/s1", "deny");
  e.plane = "kubernetes";
  e.cluster = "spark-dev";
  e.kube_user = "arn:aws:sts::123456789012:assumed-role/devs/{{SessionName}}";
  e.kube_groups = {"orchestera:platform-devs", "system:authenticated"};
  e.session_name = "s1";
  e.request_id = "r-1";
  e.source_ip = "127.0.0.1";
  e.user_agent = "kubectl/v1.32";
  std::string line = to_json(e);
  EXPECT_NE(line.find("\"time\":\"2023-11-14T22:13:20.123Z\""), std::string::npos) << line;
  auto back = from_json(line);
  ASSERT_TRUE(back);
  EXPECT_EQ(to_json(*back), line);
  EXPECT_FALSE(from_json("{\"timeMs\":"));  // a torn line
  EXPECT_FALSE(from_json("[]"));
}

TEST(AuditEvent, BytesThatAreNotUtf8AreReplacedSoTheLineReadsBack) {
  // A user agent is whatever the client sent; a line Boost.JSON cannot read back would vanish.
  Event e = sample(1, "arn:aws:iam::1:user/a", "deny");
  e.user_agent = std::string("evil\xff\xfe agent \xc3") + "\xe2\x82\xac" + "\xed\xa0\x80";  // bad, bad, cut, €, surrogate
  auto back = from_json(to_json(e));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->user_agent, "evil\xEF\xBF\xBD\xEF\xBF\xBD agent \xEF\xBF\xBD\xe2\x82\xac\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(AuditEvent, FilterByPrincipalDecisionTimeAndCluster) {
  Event e = sample(5000, "arn:aws:iam::123456789012:user/alice", "deny");
  EXPECT_TRUE(matches(e, {}));
  EXPECT_TRUE(matches(e, Filter{.principal = "user/alice"}));
  EXPECT_TRUE(matches(e, Filter{.principal = "AKIAEXAMPLE"}));
  EXPECT_FALSE(matches(e, Filter{.principal = "user/bob"}));
  EXPECT_TRUE(matches(e, Filter{.decision = "deny"}));
  EXPECT_FALSE(matches(e, Filter{.decision = "allow"}));
  EXPECT_TRUE(matches(e, Filter{.since_ms = 5000, .until_ms = 5000}));
  EXPECT_FALSE(matches(e, Filter{.since_ms = 5001}));
  EXPECT_FALSE(matches(e, Filter{.until_ms = 4999}));
  EXPECT_FALSE(matches(e, Filter{.cluster = "spark-dev"}));
}

TEST(AuditLog, WritesPrivateJsonLinesThatScanReadsBack) {
  TempDir t;
  {
    Log log(LogOptions{.dir = t.path + "/audit"});
    log.record(sample(1, "arn:aws:iam::1:user/a", "allow"));
    log.record(sample(2, "arn:aws:iam::1:user/b", "deny"));
    log.flush();
    EXPECT_EQ(all(t.path + "/audit").size(), 2u);
    log.record(sample(3, "arn:aws:iam::1:user/a", "deny"));
  }  // the destructor writes what is queued
  struct stat st {};
  ASSERT_EQ(::stat((t.path + "/audit/audit.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto denied = all(t.path + "/audit", Filter{.decision = "deny"});
  ASSERT_EQ(denied.size(), 2u);
  EXPECT_EQ(denied[0].time_ms, 2);
  EXPECT_EQ(denied[1].time_ms, 3);
  // A torn last line (a crash mid-write) is skipped; what follows a restart is read.
  { std::ofstream(t.path + "/audit/audit.log", std::ios::app) << "{\"timeMs\":4,\"pla"; }
  {
    Log log(LogOptions{.dir = t.path + "/audit"});
    log.record(sample(5, "arn:aws:iam::1:user/a", "allow"));
  }
  auto a = all(t.path + "/audit", Filter{.principal = "user/a"});
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[1].time_ms, 3);
  EXPECT_EQ(a[2].time_ms, 5);
}

TEST(AuditLog, RotatesBySizeKeepsTheNewestFilesAndScansInOrder) {
  TempDir t;
  {
    Log log(LogOptions{.dir = t.path, .max_file_bytes = 600, .max_files = 2});
    for (int i = 0; i < 40; ++i) {
      log.record(sample(i, "arn:aws:iam::1:user/a", "allow"));
      log.flush();  // one batch per event, so each may rotate
    }
  }
  int rotated = 0;
  for (const auto& entry : std::filesystem::directory_iterator(t.path))
    if (entry.path().filename().string().starts_with("audit-")) ++rotated;
  EXPECT_EQ(rotated, 2);
  auto kept = all(t.path);
  ASSERT_FALSE(kept.empty());
  EXPECT_LT(kept.size(), 40u);
  EXPECT_EQ(kept.back().time_ms, 39);
  for (size_t i = 1; i < kept.size(); ++i) EXPECT_EQ(kept[i].time_ms, kept[i - 1].time_ms + 1);
}

TEST(AuditLog, AFullQueueIsRecordedAsAGapNotSilence) {
  TempDir t;
  {
    Log log(LogOptions{.dir = t.path, .max_queued = 0});
    log.record(sample(1, "arn:aws:iam::1:user/a", "allow"));
    log.record(sample(2, "arn:aws:iam::1:user/a", "allow"));
  }
  auto events = all(t.path);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].decision, "dropped");
  EXPECT_NE(events[0].reason.find("2 events were dropped"), std::string::npos);
}

}  // namespace
}  // namespace orch::audit
