// The registry over a real store: a create racing its namespace's end, graceful deletion of
// pods, and watches with bookmarks and initial events.
#include "kube/apiserver/registry.h"

#include <gtest/gtest.h>

#include <mutex>

#include "base/clock.h"
#include "store/test_util.h"

namespace orch::kube {
namespace {
namespace json = boost::json;
using store::testing::wait_until;

// A store that runs a hook just before one chosen commit: the deterministic stand-in for another
// request landing between a create's checks and its commit.
class HookedStore : public store::Store {
 public:
  explicit HookedStore(std::unique_ptr<store::Store> inner) : inner_(std::move(inner)) {}
  // Runs `hook` once, before the first commit that writes a key starting with `prefix`.
  void before_commit_of(std::string prefix, std::function<void()> hook) {
    prefix_ = std::move(prefix);
    hook_ = std::move(hook);
  }
  store::CommitResult commit(const std::vector<store::Op>& ops) override {
    for (const auto& op : ops)
      if (hook_ && op.kind != store::Op::Kind::Check && op.key.starts_with(prefix_)) {
        auto hook = std::move(hook_);
        hook_ = nullptr;
        hook();
        break;
      }
    return inner_->commit(ops);
  }
  std::optional<store::KeyValue> get(std::string_view key) const override { return inner_->get(key); }
  store::ListResult list(std::string_view prefix, std::string_view start_after, size_t limit) const override {
    return inner_->list(prefix, start_after, limit);
  }
  int64_t current_revision() const override { return inner_->current_revision(); }
  int64_t compacted_revision() const override { return inner_->compacted_revision(); }
  std::unique_ptr<store::Watch> watch(std::string_view prefix, int64_t after,
                                      std::function<void(const store::Event&)> on_event) override {
    return inner_->watch(prefix, after, std::move(on_event));
  }
  void compact(int64_t revision) override { inner_->compact(revision); }

 private:
  std::unique_ptr<store::Store> inner_;
  std::string prefix_;
  std::function<void()> hook_;
};

constexpr int64_t kNow = 1'700'000'000;
const std::string kCluster = "c1";

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest()
      : store_(store::open_sqlite(dir_.file("store.db"))), reg_(store_, box_),
        namespaces_(*find_resource("", "v1", "namespaces")), pods_(*find_resource("", "v1", "pods")),
        configmaps_(*find_resource("", "v1", "configmaps")) {
    reg_.create(namespaces_, kCluster, "", json::object{{"metadata", json::object{{"name", "ds"}}}}, kNow);
  }

  json::object pod(const std::string& name, const std::string& node = "", json::object extra_md = {}) {
    json::object md = std::move(extra_md);
    md["name"] = name;
    json::object spec{{"containers", json::array{json::object{{"name", "main"}, {"image", "busybox"}}}}};
    if (!node.empty()) spec["nodeName"] = node;
    return reg_.create(pods_, kCluster, "ds", json::object{{"metadata", std::move(md)}, {"spec", std::move(spec)}}, kNow);
  }
  bool exists(const Resource& r, const std::string& name) { return reg_.exists(r, kCluster, "ds", name); }
  int code_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const ApiError& e) {
      return e.code();
    }
    return 0;
  }
  static DeleteOptions grace(std::optional<int64_t> seconds) { return DeleteOptions{seconds, "", {}, {}}; }
  static const json::object& md(const json::object& o) { return o.at("metadata").as_object(); }

  store::testing::TempDir dir_;
  crypto::SecretBox box_{std::string(32, 'k')};
  HookedStore store_;
  Registry reg_;
  const Resource &namespaces_, &pods_, &configmaps_;
};

// Without the create's commit being conditional on the namespace it checked, the create below
// commits after the namespace and its contents are gone, and the pod is left behind for good.
TEST_F(RegistryTest, ACreateCannotOutliveItsNamespace) {
  store_.before_commit_of(pods_.prefix(kCluster), [&] {
    reg_.remove(namespaces_, kCluster, "", "ds", {}, kNow);
    ASSERT_EQ(reg_.finalize_namespaces(kCluster), 1u);
  });
  EXPECT_EQ(code_of([&] { pod("late"); }), 404);  // namespaces "ds" not found, on the retry
  EXPECT_TRUE(store_.list(pods_.prefix(kCluster), {}, 0).items.empty());
}

TEST_F(RegistryTest, ACreateRacingTheNamespaceMarkIsRefusedAsTerminating) {
  store_.before_commit_of(pods_.prefix(kCluster), [&] { reg_.remove(namespaces_, kCluster, "", "ds", {}, kNow); });
  EXPECT_EQ(code_of([&] { pod("late"); }), 403);
  EXPECT_FALSE(exists(pods_, "late"));
}

TEST_F(RegistryTest, ACreateSurvivesUnrelatedChangesToItsNamespace) {
  store_.before_commit_of(pods_.prefix(kCluster), [&] {
    json::object ns = reg_.get(namespaces_, kCluster, "", "ds");
    ns["metadata"].as_object()["labels"].as_object()["team"] = "ml";
    reg_.update(namespaces_, kCluster, "", "ds", ns);
  });
  pod("p");
  EXPECT_TRUE(exists(pods_, "p"));
}

TEST_F(RegistryTest, PodsGetTheDefaultTerminationGracePeriod) {
  EXPECT_EQ(pod("p").at("spec").at("terminationGracePeriodSeconds"), 30);
  json::object explicit_grace{{"metadata", json::object{{"name", "q"}}},
                              {"spec", json::object{{"terminationGracePeriodSeconds", 5}}}};
  EXPECT_EQ(reg_.create(pods_, kCluster, "ds", explicit_grace, kNow).at("spec").at("terminationGracePeriodSeconds"), 5);
}

TEST_F(RegistryTest, PodsNoNodeHasAreDeletedAtOnceWhateverTheGracePeriod) {
  pod("p");
  reg_.remove(pods_, kCluster, "ds", "p", grace(60), kNow);
  EXPECT_FALSE(exists(pods_, "p"));
}

TEST_F(RegistryTest, BoundPodsAreDeletedGracefullyAndGoWithGraceZero) {
  pod("p", "node-1");
  // The pod's own grace period (30) when the request gives none.
  json::object out = reg_.remove(pods_, kCluster, "ds", "p", grace(std::nullopt), kNow);
  EXPECT_EQ(md(out).at("deletionTimestamp"), json::value(clock::iso8601(kNow + 30)));
  EXPECT_EQ(md(out).at("deletionGracePeriodSeconds"), 30);
  json::object stored = reg_.get(pods_, kCluster, "ds", "p");
  EXPECT_EQ(md(stored).at("deletionGracePeriodSeconds"), 30);
  EXPECT_EQ(md(stored).at("resourceVersion"), md(out).at("resourceVersion"));
  // A longer grace period changes nothing; a shorter one moves the deletion time back.
  reg_.remove(pods_, kCluster, "ds", "p", grace(60), kNow + 1);
  EXPECT_EQ(md(reg_.get(pods_, kCluster, "ds", "p")).at("deletionGracePeriodSeconds"), 30);
  out = reg_.remove(pods_, kCluster, "ds", "p", grace(10), kNow + 1);
  EXPECT_EQ(md(out).at("deletionTimestamp"), json::value(clock::iso8601(kNow + 10)));
  // Updates while it terminates keep it (and its deletion fields).
  json::object labelled = reg_.get(pods_, kCluster, "ds", "p");
  labelled["metadata"].as_object()["labels"] = json::object{{"a", "b"}};
  reg_.update(pods_, kCluster, "ds", "p", labelled);
  EXPECT_EQ(md(reg_.get(pods_, kCluster, "ds", "p")).at("deletionGracePeriodSeconds"), 10);
  // What the node agent will do once the containers are stopped.
  reg_.remove(pods_, kCluster, "ds", "p", grace(0), kNow + 2);
  EXPECT_FALSE(exists(pods_, "p"));
}

TEST_F(RegistryTest, FinalizersHoldABoundPodPastGraceZero) {
  pod("p", "node-1", json::object{{"finalizers", json::array{"example.com/x"}}});
  reg_.remove(pods_, kCluster, "ds", "p", grace(std::nullopt), kNow);
  json::object out = reg_.remove(pods_, kCluster, "ds", "p", grace(0), kNow);
  EXPECT_EQ(md(out).at("deletionGracePeriodSeconds"), 0);
  EXPECT_EQ(md(out).at("deletionTimestamp"), json::value(clock::iso8601(kNow)));
  ASSERT_TRUE(exists(pods_, "p"));
  json::object released = reg_.get(pods_, kCluster, "ds", "p");
  released["metadata"].as_object().erase("finalizers");
  reg_.update(pods_, kCluster, "ds", "p", released);
  EXPECT_FALSE(exists(pods_, "p"));
}

TEST_F(RegistryTest, OtherKindsIgnoreTheGracePeriod) {
  reg_.create(configmaps_, kCluster, "ds", json::object{{"metadata", json::object{{"name", "cm"}}}}, kNow);
  reg_.remove(configmaps_, kCluster, "ds", "cm", grace(30), kNow);
  EXPECT_FALSE(exists(configmaps_, "cm"));
}

TEST_F(RegistryTest, ListPagesKeepTheFirstRevisionAndExpireWithCompaction) {
  for (const char* n : {"a", "b", "c", "d", "e"})
    reg_.create(configmaps_, kCluster, "ds", json::object{{"metadata", json::object{{"name", n}}}}, kNow);
  json::object first = reg_.list(configmaps_, kCluster, "ds", "", "", 2);
  ASSERT_EQ(first.at("items").as_array().size(), 2u);
  std::string token(md(first).at("continue").as_string());
  std::string rv(md(first).at("resourceVersion").as_string());
  // A change between pages: the next page reads the current state but says the first revision.
  reg_.remove(configmaps_, kCluster, "ds", "c", grace(std::nullopt), kNow);
  json::object second = reg_.list(configmaps_, kCluster, "ds", "", "", 2, token);
  std::vector<std::string> names;
  for (const auto& i : second.at("items").as_array()) names.emplace_back(md(i.as_object()).at("name").as_string());
  EXPECT_EQ(names, (std::vector<std::string>{"d", "e"}));
  EXPECT_EQ(md(second).at("resourceVersion").as_string(), rv);
  EXPECT_FALSE(md(second).contains("continue"));
  // Tokens from another list, garbage, and tokens older than the kept history are refused.
  EXPECT_EQ(code_of([&] { reg_.list(pods_, kCluster, "ds", "", "", 2, token); }), 400);
  EXPECT_EQ(code_of([&] { reg_.list(configmaps_, kCluster, "ds", "", "", 2, "not-a-token"); }), 400);
  store_.compact(store_.current_revision());
  EXPECT_EQ(code_of([&] { reg_.list(configmaps_, kCluster, "ds", "", "", 2, token); }), 410);
}

TEST_F(RegistryTest, DeletePreconditionsAreChecked) {
  json::object p = pod("p");
  DeleteOptions stale{0, "", std::string("another-uid"), std::nullopt};
  EXPECT_EQ(code_of([&] { reg_.remove(pods_, kCluster, "ds", "p", stale, kNow); }), 409);
  DeleteOptions old_version{0, "", std::nullopt, std::string("1")};
  EXPECT_EQ(code_of([&] { reg_.remove(pods_, kCluster, "ds", "p", old_version, kNow); }), 409);
  EXPECT_TRUE(exists(pods_, "p"));
  DeleteOptions current{0, "", std::string(md(p).at("uid").as_string()), std::string(md(p).at("resourceVersion").as_string())};
  reg_.remove(pods_, kCluster, "ds", "p", current, kNow);
  EXPECT_FALSE(exists(pods_, "p"));
}

// Collects watch events from the delivery thread for the test thread.
struct Events {
  std::mutex mu;
  std::vector<json::object> got;
  std::function<void(json::object)> fn() {
    return [this](json::object e) {
      std::lock_guard lock(mu);
      got.push_back(std::move(e));
    };
  }
  std::vector<json::object> snapshot() {
    std::lock_guard lock(mu);
    return got;
  }
  std::vector<std::string> types() {
    std::vector<std::string> out;
    for (const auto& e : snapshot()) out.emplace_back(e.at("type").as_string());
    return out;
  }
};

TEST_F(RegistryTest, BookmarksCarryTheRevisionEveryEarlierEventWasSentAt) {
  pod("a");
  Events ev;
  WatchOptions o;
  o.allow_bookmarks = true;
  auto w = reg_.watch(pods_, kCluster, "ds", o, ev.fn());
  // Writes elsewhere move the revision on too.
  reg_.create(configmaps_, kCluster, "ds", json::object{{"metadata", json::object{{"name", "elsewhere"}}}}, kNow);
  const json::object newest{{"kind", "Pod"}, {"apiVersion", "v1"},
                            {"metadata", json::object{{"resourceVersion", std::to_string(store_.current_revision())}}}};
  ASSERT_TRUE(wait_until([&] {
    w->request_progress();
    return ev.snapshot().back().at("object") == newest;
  }));
  auto types = ev.types();
  EXPECT_EQ(types[0], "ADDED");
  for (size_t i = 1; i < types.size(); ++i) EXPECT_EQ(types[i], "BOOKMARK");
}

TEST_F(RegistryTest, NoBookmarksUnlessAllowed) {
  Events ev;
  WatchOptions o;
  o.send_initial_events = true;  // but no allowWatchBookmarks: no initial-events-end either
  auto w = reg_.watch(pods_, kCluster, "ds", o, ev.fn());
  w->request_progress();
  pod("a");
  ASSERT_TRUE(wait_until([&] { return !ev.snapshot().empty(); }));
  w->request_progress();
  pod("b");
  ASSERT_TRUE(wait_until([&] { return ev.snapshot().size() == 2; }));
  EXPECT_EQ(ev.types(), (std::vector<std::string>{"ADDED", "ADDED"}));
}

TEST_F(RegistryTest, StreamingListSendsTheStateThenTheInitialEventsEndBookmark) {
  pod("a");
  pod("b");
  int64_t listed = store_.current_revision();
  Events ev;
  WatchOptions o;
  o.send_initial_events = true;
  o.allow_bookmarks = true;
  o.resource_version = listed - 1;  // NotOlderThan: the current state is newer still
  auto w = reg_.watch(pods_, kCluster, "ds", o, ev.fn());
  ASSERT_TRUE(w);
  pod("c");
  ASSERT_TRUE(wait_until([&] { return ev.snapshot().size() == 4; }));
  auto got = ev.snapshot();
  EXPECT_EQ(ev.types(), (std::vector<std::string>{"ADDED", "ADDED", "BOOKMARK", "ADDED"}));
  EXPECT_EQ(got[2].at("object").at("metadata"),
            (json::object{{"resourceVersion", std::to_string(listed)},
                          {"annotations", json::object{{"k8s.io/initial-events-end", "true"}}}}));
  EXPECT_EQ(got[3].at("object").at("metadata").at("name"), "c");
}

TEST_F(RegistryTest, StreamingListFromTheFutureIsTooLarge) {
  Events ev;
  WatchOptions o;
  o.send_initial_events = true;
  o.allow_bookmarks = true;
  o.resource_version = store_.current_revision() + 100;
  EXPECT_FALSE(reg_.watch(pods_, kCluster, "ds", o, ev.fn()));
  auto got = ev.snapshot();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].at("type"), "ERROR");
  EXPECT_EQ(got[0].at("object").at("code"), 504);
  EXPECT_EQ(got[0].at("object").at("details").at("causes").at(0).at("reason"), "ResourceVersionTooLarge");
}

TEST_F(RegistryTest, NoInitialEventsMeansChangesFromNow) {
  pod("a");
  Events ev;
  WatchOptions o;
  o.send_initial_events = false;
  auto w = reg_.watch(pods_, kCluster, "ds", o, ev.fn());
  pod("b");
  ASSERT_TRUE(wait_until([&] { return !ev.snapshot().empty(); }));
  auto got = ev.snapshot();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].at("object").at("metadata").at("name"), "b");
}

}  // namespace
}  // namespace orch::kube
