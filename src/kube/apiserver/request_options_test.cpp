// Request options as kube-apiserver reads and validates them (watch ListOptions, DeleteOptions),
// the bookmark schedule, and the deletion decisions, without a store.
#include <gtest/gtest.h>

#include "base/clock.h"
#include "kube/apiserver/deletion.h"
#include "kube/apiserver/pod_strategy.h"
#include "kube/apiserver/registry.h"
#include "kube/apiserver/watches.h"

namespace orch::kube {
namespace {
namespace json = boost::json;

// The Status of the ApiError f throws.
template <typename F>
json::object error_of(F f) {
  try {
    f();
  } catch (const ApiError& e) {
    return e.status;
  }
  ADD_FAILURE() << "no error";
  return {};
}

TEST(WatchOptions, ReadsTheQuery) {
  WatchOptions o = watch_options({{"resourceVersion", "12"}, {"allowWatchBookmarks", "true"}, {"timeoutSeconds", "300"},
                                  {"labelSelector", "a=b"}, {"fieldSelector", "metadata.name=x"}});
  EXPECT_EQ(o.resource_version, 12);
  EXPECT_TRUE(o.allow_bookmarks);
  EXPECT_EQ(o.timeout_seconds, 300);
  EXPECT_EQ(o.label_selector, "a=b");
  EXPECT_EQ(o.field_selector, "metadata.name=x");
  EXPECT_FALSE(o.initial_events());  // a resourceVersion: changes after it only
  EXPECT_TRUE(watch_options({}).initial_events());
  EXPECT_TRUE(watch_options({{"resourceVersion", "0"}}).initial_events());
  EXPECT_FALSE(watch_options({}).allow_bookmarks);
}

TEST(WatchOptions, StreamingList) {
  WatchOptions o = watch_options({{"sendInitialEvents", "true"}, {"resourceVersionMatch", "NotOlderThan"},
                                  {"resourceVersion", "7"}, {"allowWatchBookmarks", "1"}});
  EXPECT_TRUE(o.initial_events());
  EXPECT_TRUE(o.initial_events_end());
  o = watch_options({{"sendInitialEvents", "true"}, {"resourceVersionMatch", "NotOlderThan"}});
  EXPECT_TRUE(o.initial_events());
  EXPECT_FALSE(o.initial_events_end());  // the end is a bookmark: only when bookmarks are allowed
  o = watch_options({{"sendInitialEvents", "false"}, {"resourceVersionMatch", "NotOlderThan"}});
  EXPECT_FALSE(o.initial_events());
}

TEST(WatchOptions, ForbiddenCombinationsAreInvalidListOptions) {
  auto invalid = [](Query q) { return error_of([&] { watch_options(q); }); };
  json::object e = invalid({{"sendInitialEvents", "true"}});
  EXPECT_EQ(e.at("code"), 422);
  EXPECT_EQ(e.at("reason"), "Invalid");
  EXPECT_EQ(e.at("message"), "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
                             "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
  EXPECT_EQ(invalid({{"resourceVersionMatch", "NotOlderThan"}}).at("message"),
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
            "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided");
  EXPECT_EQ(invalid({{"sendInitialEvents", "true"}, {"resourceVersionMatch", "Exact"}}).at("message"),
            "ListOptions.meta.k8s.io \"\" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires "
            "setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: \"Exact\": "
            "supported values: \"NotOlderThan\"]");
  EXPECT_EQ(invalid({{"sendInitialEvents", "true"}, {"resourceVersionMatch", "NotOlderThan"}, {"continue", "x"}}).at("code"), 422);
}

TEST(WatchOptions, MalformedValuesAreBadRequests) {
  for (Query q : {Query{{"resourceVersion", "abc"}}, Query{{"resourceVersion", "-1"}}, Query{{"timeoutSeconds", "1s"}},
                  Query{{"allowWatchBookmarks", "yes"}}, Query{{"sendInitialEvents", "on"}}}) {
    json::object e = error_of([&] { watch_options(q); });
    EXPECT_EQ(e.at("code"), 400) << q.begin()->first;
    EXPECT_EQ(e.at("message"), json::value("invalid " + q.begin()->first + ": " + q.begin()->second));
  }
}

TEST(DeleteOptions, FromTheBodyOrElseTheQuery) {
  json::object body{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"gracePeriodSeconds", 0},
                    {"propagationPolicy", "Foreground"}, {"preconditions", json::object{{"uid", "u1"}}}};
  DeleteOptions o = delete_options(&body, {{"gracePeriodSeconds", "5"}});
  EXPECT_EQ(o.grace_period_seconds, 0);  // a body wins entirely, as in kube-apiserver
  EXPECT_EQ(o.propagation_policy, "Foreground");
  EXPECT_EQ(o.uid, "u1");
  EXPECT_FALSE(o.resource_version);
  o = delete_options(nullptr, {{"gracePeriodSeconds", "5"}, {"propagationPolicy", "Orphan"}});
  EXPECT_EQ(o.grace_period_seconds, 5);
  EXPECT_EQ(o.propagation_policy, "Orphan");
  o = delete_options(nullptr, {});
  EXPECT_FALSE(o.grace_period_seconds);
  EXPECT_EQ(o.propagation_policy, "");
  json::object orphan{{"orphanDependents", true}};
  EXPECT_EQ(delete_options(&orphan, {}).propagation_policy, "Orphan");
}

TEST(DeleteOptions, NegativeGracePeriodsAreOneSecond) {
  EXPECT_EQ(delete_options(nullptr, {{"gracePeriodSeconds", "-5"}}).grace_period_seconds, 1);
  json::object body{{"gracePeriodSeconds", -1}};
  EXPECT_EQ(delete_options(&body, {}).grace_period_seconds, 1);
}

TEST(DeleteOptions, RefusedAsKubeApiserverRefusesThem) {
  json::object e = error_of([] { delete_options(nullptr, {{"gracePeriodSeconds", "soon"}}); });
  EXPECT_EQ(e.at("code"), 400);
  json::object wrong_type{{"gracePeriodSeconds", "30"}};
  EXPECT_EQ(error_of([&] { delete_options(&wrong_type, {}); }).at("code"), 400);
  json::object bad_policy{{"propagationPolicy", "Later"}};
  e = error_of([&] { delete_options(&bad_policy, {}); });
  EXPECT_EQ(e.at("code"), 422);
  EXPECT_EQ(e.at("message"), "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: "
                             "\"Later\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"");
  json::object both{{"propagationPolicy", "Orphan"}, {"orphanDependents", true}};
  EXPECT_EQ(error_of([&] { delete_options(&both, {}); }).at("code"), 422);
  json::object dry{{"dryRun", json::array{"All"}}};
  EXPECT_EQ(error_of([&] { delete_options(&dry, {}); }).at("code"), 400);
  EXPECT_EQ(error_of([] { delete_options(nullptr, {{"dryRun", "All"}}); }).at("code"), 400);
}

TEST(Bookmarks, EveryIntervalAndTwoSecondsBeforeTheDeadline) {
  EXPECT_EQ(next_bookmark(100, 0, 60), 160);      // no deadline
  EXPECT_EQ(next_bookmark(100, 1000, 60), 160);
  EXPECT_EQ(next_bookmark(100, 105, 60), 103);    // a short watch: just before it ends
  EXPECT_EQ(next_bookmark(103, 105, 60), std::nullopt);  // that one was the last
  EXPECT_EQ(next_bookmark(100, 101, 60), std::nullopt);  // too short for any
}

json::object pod(std::string node, std::optional<int64_t> termination_grace, std::string phase = "Pending") {
  json::object spec;
  if (!node.empty()) spec["nodeName"] = node;
  if (termination_grace) spec["terminationGracePeriodSeconds"] = *termination_grace;
  return {{"spec", std::move(spec)}, {"status", json::object{{"phase", phase}}}};
}

TEST(PodStrategy, GracePeriodOfADelete) {
  EXPECT_EQ(pod_grace_period(pod("n1", 30), std::nullopt), 30);
  EXPECT_EQ(pod_grace_period(pod("n1", 30), 5), 5);
  EXPECT_EQ(pod_grace_period(pod("n1", std::nullopt), std::nullopt), 0);
  EXPECT_EQ(pod_grace_period(pod("", 30), 60), 0);  // no node: nothing to stop
  EXPECT_EQ(pod_grace_period(pod("n1", 30, "Succeeded"), std::nullopt), 0);
  EXPECT_EQ(pod_grace_period(pod("n1", 30, "Failed"), 10), 0);
  EXPECT_EQ(pod_grace_period(pod("n1", -3), std::nullopt), 1);
}

TEST(PodStrategy, DefaultsTheTerminationGracePeriod) {
  json::object p{{"spec", json::object{{"containers", json::array{}}}}};
  default_pod_spec(p);
  EXPECT_EQ(p.at("spec").at("terminationGracePeriodSeconds"), 30);
  json::object q{{"spec", json::object{{"terminationGracePeriodSeconds", 0}}}};
  default_pod_spec(q);
  EXPECT_EQ(q.at("spec").at("terminationGracePeriodSeconds"), 0);
}

using A = Deletion::Action;
constexpr int64_t kNow = 1'700'000'000;

json::object marked(int64_t at, int64_t grace) {
  return {{"deletionTimestamp", clock::iso8601(at)}, {"deletionGracePeriodSeconds", grace}};
}

TEST(PlanDeletion, KindsWithoutGracefulDeletion) {
  EXPECT_EQ(plan_deletion({}, std::nullopt, 30, false, kNow).action, A::Erase);
  Deletion d = plan_deletion({}, std::nullopt, 30, true, kNow);  // finalizers
  EXPECT_EQ(d.action, A::Mark);
  EXPECT_EQ(d.deletion_time, kNow);
  EXPECT_EQ(d.grace_period, 0);
  EXPECT_EQ(plan_deletion(marked(kNow, 0), std::nullopt, std::nullopt, true, kNow + 5).action, A::Keep);
  EXPECT_EQ(plan_deletion(marked(kNow, 0), std::nullopt, std::nullopt, false, kNow + 5).action, A::Erase);
}

TEST(PlanDeletion, GracefulDeletion) {
  Deletion d = plan_deletion({}, 30, std::nullopt, false, kNow);
  EXPECT_EQ(d.action, A::Mark);
  EXPECT_EQ(d.deletion_time, kNow + 30);
  EXPECT_EQ(d.grace_period, 30);
  EXPECT_EQ(plan_deletion({}, 0, std::nullopt, false, kNow).action, A::Erase);
  d = plan_deletion({}, 0, std::nullopt, true, kNow);
  EXPECT_EQ(d.action, A::Mark);
  EXPECT_EQ(d.grace_period, 0);
  // Already being deleted: only shorter, measured from when the deletion was asked for.
  json::object md = marked(kNow + 30, 30);
  EXPECT_EQ(plan_deletion(md, 30, std::nullopt, false, kNow + 10).action, A::Keep);
  EXPECT_EQ(plan_deletion(md, 30, 30, false, kNow + 10).action, A::Keep);
  d = plan_deletion(md, 30, 5, false, kNow + 10);
  EXPECT_EQ(d.action, A::Mark);
  EXPECT_EQ(d.deletion_time, kNow + 5);
  EXPECT_EQ(d.grace_period, 5);
  EXPECT_EQ(plan_deletion(md, 30, 0, false, kNow + 10).action, A::Erase);
  d = plan_deletion(md, 30, 0, true, kNow + 10);
  EXPECT_EQ(d.action, A::Mark);
  EXPECT_EQ(d.grace_period, 0);
  // A deletion left with grace 0 finishes.
  EXPECT_EQ(plan_deletion(marked(kNow, 0), 30, std::nullopt, false, kNow).action, A::Erase);
}

TEST(PlanDeletion, EraseOnUpdate) {
  auto obj = [](json::object md) { return json::object{{"metadata", std::move(md)}}; };
  EXPECT_FALSE(erase_on_update(obj({})));
  EXPECT_TRUE(erase_on_update(obj(marked(kNow, 0))));
  EXPECT_FALSE(erase_on_update(obj(marked(kNow, 30))));  // a pod still terminating
  json::object held = marked(kNow, 0);
  held["finalizers"] = json::array{"x"};
  EXPECT_FALSE(erase_on_update(obj(held)));
}

}  // namespace
}  // namespace orch::kube
