// What the data files cannot express: generated names, nesting limits, the JSON patch operation
// cap, round trips, and garbage input (which must yield errors, never crashes; run under ASan).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <set>

#include "apimachinery/fieldpath.h"
#include "apimachinery/fields.h"
#include "apimachinery/gofmt.h"
#include "apimachinery/json_patch.h"
#include "apimachinery/json_util.h"
#include "apimachinery/known_fields.h"
#include "apimachinery/labels.h"
#include "apimachinery/managed_fields.h"
#include "apimachinery/strategic_merge.h"
#include "apimachinery/validation.h"

namespace bj = boost::json;
using namespace orch::apimachinery;

namespace {

bj::value nest(size_t depth, bj::value leaf = 1) {
  bj::value v = std::move(leaf);
  for (size_t i = 0; i < depth; ++i) v = bj::object{{i % 2 ? "spec" : "x", std::move(v)}};
  return v;
}

TEST(GenerateName, AppendsFiveCharactersFromTheAlphabet) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string n = validation::generate_name("web-");
    ASSERT_EQ(n.size(), 9u);
    EXPECT_EQ(n.substr(0, 4), "web-");
    for (char c : n.substr(4)) EXPECT_NE(validation::kNameAlphabet.find(c), std::string_view::npos) << n;
    EXPECT_TRUE(validation::name_is_dns_subdomain(n, false).empty()) << n;
    seen.insert(n);
  }
  EXPECT_GT(seen.size(), 190u);  // 27^5 possibilities: collisions in 200 draws are rare
}

TEST(GenerateName, CutsTheBaseTo58Characters) {
  std::string base(70, 'a');
  uint32_t next = 0;
  std::string n = validation::generate_name(base, [&] { return next++; });
  EXPECT_EQ(n, std::string(58, 'a') + "bcdfg");
  EXPECT_EQ(n.size(), 63u);
}

TEST(GoFmt, QuoteLikeStrconv) {
  EXPECT_EQ(gofmt::quote("plain"), "\"plain\"");
  EXPECT_EQ(gofmt::quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(gofmt::quote("\n\t\x01\x7f"), "\"\\n\\t\\x01\\x7f\"");
  EXPECT_EQ(gofmt::quote("h\xc3\xa9"), "\"h\xc3\xa9\"");  // printable UTF-8 stays
  EXPECT_EQ(gofmt::quote("\xff"), "\"\\xff\"");           // invalid UTF-8 byte
  EXPECT_EQ(gofmt::quote("\xe2\x80\xa8"), "\"\\u2028\"");  // line separator is not printable
}

TEST(GoFmt, NumbersAsGoPrintsThem) {
  EXPECT_EQ(gofmt::float64(1.5), "1.5");
  EXPECT_EQ(gofmt::float64(100000), "100000");
  EXPECT_EQ(gofmt::float64(1e6), "1e+06");
  EXPECT_EQ(gofmt::float64(0.0001), "0.0001");
  EXPECT_EQ(gofmt::float64(0.00001), "1e-05");
  EXPECT_EQ(gofmt::json_marshal(bj::parse(R"({"b":1e21,"a":"<&>","c":0.5})")),
            R"({"a":"\u003c\u0026\u003e","b":1e+21,"c":0.5})");
  EXPECT_EQ(gofmt::sprint(bj::parse(R"({"b":[1,"x",null],"a":true})")), "map[a:true b:[1 x <nil>]]");
}

TEST(Labels, NulEndsTheInput) {
  auto s = labels::parse(std::string("x=a\0garbage(", 12));
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->str(), "x=a");
}

TEST(Labels, ExactMatch) {
  auto s = labels::parse("a=b,c in (d),e in (f,g),h!=i");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->requires_exact_match("a"), "b");
  EXPECT_EQ(s->requires_exact_match("c"), "d");
  EXPECT_EQ(s->requires_exact_match("e"), std::nullopt);
  EXPECT_EQ(s->requires_exact_match("h"), std::nullopt);
  EXPECT_EQ(s->requires_exact_match("zzz"), std::nullopt);
}

TEST(JsonPatch, OperationCap) {
  bj::array ops;
  for (size_t i = 0; i <= kMaxJsonPatchOperations; ++i) ops.push_back(bj::object{{"op", "test"}, {"path", ""}, {"value", bj::object()}});
  auto r = apply_json_patch(bj::object(), ops);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), 413);
  EXPECT_EQ(r.error().message(), "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001");
  ops.pop_back();
  EXPECT_TRUE(apply_json_patch(bj::object(), ops).ok());
}

TEST(Depth, PatchesRefuseDeepNesting) {
  bj::value deep = nest(150);
  auto schema = PatchSchema::for_kind("", "Pod");
  auto smp = apply_strategic_merge_patch(bj::object(), deep, schema);
  ASSERT_FALSE(smp.ok());
  EXPECT_EQ(smp.error().code(), 400);
  auto smp_orig = apply_strategic_merge_patch(deep, bj::object{{"a", 1}}, schema);
  EXPECT_FALSE(smp_orig.ok());
  auto mp = apply_merge_patch(bj::object(), deep);
  ASSERT_FALSE(mp.ok());
  EXPECT_EQ(mp.error().code(), 400);
  auto jp = apply_json_patch(bj::object(), bj::array{bj::object{{"op", "add"}, {"path", "/a"}, {"value", deep}}});
  ASSERT_FALSE(jp.ok());
  EXPECT_EQ(jp.error().code(), 400);
  // Just inside the limit works.
  EXPECT_TRUE(apply_strategic_merge_patch(bj::object(), nest(99), schema).ok());
  EXPECT_TRUE(apply_merge_patch(bj::object(), nest(99)).ok());
}

TEST(Depth, ApplyRefusesDeepConfigurations) {
  auto schema = PatchSchema::for_kind("", "Pod");
  managed::Options o;
  o.manager = "m";
  o.api_version = "v1";
  o.kind = "Pod";
  o.schema = &schema;
  bj::value config = bj::object{{"apiVersion", "v1"}, {"kind", "Pod"}, {"spec", nest(150)}};
  auto r = managed::apply(nullptr, config, false, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), 400);
  // A deep live object is left alone by update() rather than crashing it.
  bj::value live = bj::object{{"apiVersion", "v1"}, {"kind", "Pod"}, {"spec", nest(150)}};
  bj::value next = managed::update(&live, live, o);
  EXPECT_TRUE(json::equal(next, live));
}

TEST(Depth, ExceedsDepthIsIterative) {
  // Built without recursion so that this test itself does not depend on the stack.
  bj::value v = 1;
  for (int i = 0; i < 20000; ++i) {
    bj::array a;
    a.push_back(std::move(v));
    v = std::move(a);
  }
  EXPECT_TRUE(json::exceeds_depth(v, 100));
  EXPECT_FALSE(json::exceeds_depth(v, 20000));
  // Tear it down iteratively too: boost::json destroys nested values recursively.
  while (v.is_array() && !v.get_array().empty()) {
    bj::value inner = std::move(v.get_array()[0]);
    v = std::move(inner);
  }
}

TEST(FieldPath, RoundTripAndStrings) {
  bj::value fields = bj::parse(
      R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},)"
      R"("f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}},"f:finalizers":{"v:\"a\"":{}},"f:args":{"i:0":{}}}})");
  auto set = fieldpath::Set::from_fields_v1(fields);
  ASSERT_TRUE(set.has_value());
  EXPECT_TRUE(json::equal(fields, set->to_fields_v1()));
  std::vector<std::string> paths;
  for (const auto& p : set->paths()) paths.push_back(fieldpath::to_string(p));
  EXPECT_EQ(paths, (std::vector<std::string>{
                       ".metadata.labels", ".metadata.labels.app", ".spec.args[0]", ".spec.containers[name=\"c\"]",
                       ".spec.containers[name=\"c\"].image",
                       ".spec.containers[name=\"c\"].ports[containerPort=80,protocol=\"TCP\"]",
                       ".spec.containers[name=\"c\"].ports[containerPort=80,protocol=\"TCP\"].containerPort",
                       ".spec.finalizers[=\"a\"]"}));
  EXPECT_FALSE(fieldpath::Set::from_fields_v1(bj::parse(R"({"x:y":{}})")).has_value());
  EXPECT_FALSE(fieldpath::Set::from_fields_v1(bj::parse(R"({"f:a":1})")).has_value());
  EXPECT_FALSE(fieldpath::Set::from_fields_v1(bj::parse(R"({"k:notjson":{}})")).has_value());
  EXPECT_FALSE(fieldpath::Set::from_fields_v1(bj::parse("[1]")).has_value());
}

TEST(ManagedFields, DecodeRefusesMalformedEntries) {
  EXPECT_FALSE(managed::decode(bj::parse(R"({"metadata":{"managedFields":{}}})")).has_value());
  EXPECT_FALSE(managed::decode(bj::parse(R"({"metadata":{"managedFields":[{"manager":"a","fieldsType":"FieldsV2"}]}})")).has_value());
  EXPECT_FALSE(managed::decode(bj::parse(
      R"({"metadata":{"managedFields":[{"manager":"a","operation":"Apply","fieldsType":"FieldsV1"},)"
      R"({"manager":"a","operation":"Apply","fieldsType":"FieldsV1"}]}})")).has_value());
  auto ok = managed::decode(bj::parse(R"({"metadata":{"managedFields":[{"manager":"a","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:x":{}}}]}})"));
  ASSERT_TRUE(ok.has_value());
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ((*ok)[0].manager, "a");
}

TEST(ManagedFields, ManagerFromUserAgent) {
  EXPECT_EQ(managed::manager_from_user_agent("kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07"), "kubectl");
  EXPECT_EQ(managed::manager_from_user_agent("Go-http-client/1.1"), "Go-http-client");
  EXPECT_EQ(managed::manager_from_user_agent("a\x01" "b"), "ab");
  EXPECT_EQ(managed::manager_from_user_agent(std::string(300, 'x')).size(), 128u);
  EXPECT_EQ(managed::manager_from_user_agent(""), "");
}

TEST(ManagedFields, ApplyRefusesNonObjects) {
  auto schema = PatchSchema::for_kind("", "Pod");
  managed::Options o;
  o.manager = "m";
  o.api_version = "v1";
  o.kind = "Pod";
  o.schema = &schema;
  auto r = managed::apply(nullptr, bj::array{1}, false, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), 400);
}

// ---- garbage in, errors out --------------------------------------------------------------------

std::string random_text(std::mt19937& rng, std::string_view alphabet, size_t max_len) {
  std::uniform_int_distribution<size_t> len(0, max_len);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string s(len(rng), ' ');
  for (auto& c : s) c = alphabet[pick(rng)];
  return s;
}

TEST(Garbage, SelectorsNeverCrash) {
  std::mt19937 rng(42);
  const std::string alphabet = std::string("abxyz=!(),<>\\ \t-_./in notin0129%") + '\0' + "\xff\xc3";
  for (int i = 0; i < 20000; ++i) {
    std::string s = random_text(rng, alphabet, 40);
    auto l = labels::parse(s);
    if (l) {
      (void)l->str();
      (void)l->matches({{"a", "b"}, {"x", "1"}});
      // The canonical form parses back to itself.
      auto again = labels::parse(l->str());
      ASSERT_TRUE(again.ok()) << "'" << s << "' -> '" << l->str() << "': " << again.error();
      EXPECT_EQ(again->str(), l->str());
    }
    auto f = fields::parse(s);
    if (f) {
      (void)f->matches([](std::string_view) { return std::string("b"); });
      auto again = fields::parse(f->str());
      ASSERT_TRUE(again.ok()) << "'" << s << "' -> '" << f->str() << "': " << again.error();
    }
  }
}

bj::value random_json(std::mt19937& rng, int depth) {
  static const char* keys[] = {"$patch", "$setElementOrder/containers", "$retainKeys", "$deleteFromPrimitiveList/finalizers",
                               "containers", "name", "finalizers", "spec", "metadata", "image", "ports", "containerPort",
                               "protocol", "env", "value", "labels", "apiVersion", "kind", "$setElementOrder/finalizers",
                               "$setElementOrder", "$deleteFromPrimitiveList", "tolerations", "x"};
  static const char* strings[] = {"delete", "replace", "merge", "a", "b", "c", "v1", "Pod", "TCP", ""};
  std::uniform_int_distribution<int> kind(0, depth <= 0 ? 4 : 7);
  switch (kind(rng)) {
    case 0: return nullptr;
    case 1: return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    case 2: return std::uniform_int_distribution<int>(-2, 90)(rng);
    case 3: return 1.5;
    case 4: return strings[std::uniform_int_distribution<size_t>(0, std::size(strings) - 1)(rng)];
    case 5:
    case 6: {
      bj::object o;
      int n = std::uniform_int_distribution<int>(0, 4)(rng);
      for (int i = 0; i < n; ++i) o[keys[std::uniform_int_distribution<size_t>(0, std::size(keys) - 1)(rng)]] = random_json(rng, depth - 1);
      return o;
    }
    default: {
      bj::array a;
      int n = std::uniform_int_distribution<int>(0, 3)(rng);
      for (int i = 0; i < n; ++i) a.push_back(random_json(rng, depth - 1));
      return a;
    }
  }
}

TEST(Garbage, PatchesNeverCrash) {
  std::mt19937 rng(7);
  auto schema = PatchSchema::for_kind("", "Pod");
  int ok = 0, failed = 0;
  for (int i = 0; i < 5000; ++i) {
    bj::value original = random_json(rng, 5);
    bj::value patch = random_json(rng, 5);
    auto r = apply_strategic_merge_patch(original, patch, schema);
    if (r.ok()) {
      ++ok;
      // Directives never reach the result (unless the original itself held such keys).
      std::string text = bj::serialize(*r);
      if (bj::serialize(original).find('$') != std::string::npos) continue;
      EXPECT_EQ(text.find("$patch"), std::string::npos) << bj::serialize(original) << " + " << bj::serialize(patch) << " = " << text;
      EXPECT_EQ(text.find("$setElementOrder/"), std::string::npos) << text;
    } else {
      ++failed;
      EXPECT_TRUE(r.error().code() == 400 || r.error().code() == 422 || r.error().code() == 500);
      EXPECT_FALSE(r.error().message().empty());
    }
    (void)apply_merge_patch(original, patch);
    (void)apply_json_patch(original, patch);
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(failed, 0);
}

TEST(Garbage, JsonPatchOperationsNeverCrash) {
  std::mt19937 rng(11);
  const char* paths[] = {"", "/", "/a", "/a/0", "/a/-", "/a/b", "/spec/containers/0/name", "/~0", "/~1", "/~", "/a/01", "/a/99", "a"};
  const char* ops[] = {"add", "remove", "replace", "move", "copy", "test", "nope"};
  for (int i = 0; i < 5000; ++i) {
    bj::array patch;
    int n = std::uniform_int_distribution<int>(1, 4)(rng);
    for (int j = 0; j < n; ++j) {
      bj::object op{{"op", ops[std::uniform_int_distribution<size_t>(0, std::size(ops) - 1)(rng)]},
                    {"path", paths[std::uniform_int_distribution<size_t>(0, std::size(paths) - 1)(rng)]},
                    {"from", paths[std::uniform_int_distribution<size_t>(0, std::size(paths) - 1)(rng)]}};
      if (std::uniform_int_distribution<int>(0, 3)(rng)) op["value"] = random_json(rng, 2);
      patch.push_back(std::move(op));
    }
    bj::value doc = bj::parse(R"({"a":[1,{"b":2}],"spec":{"containers":[{"name":"c"}]},"~":1,"/":2})");
    auto r = apply_json_patch(doc, patch);
    if (!r.ok()) {
      EXPECT_TRUE(r.error().code() == 422 || r.error().code() == 400) << bj::serialize(patch);
    }
  }
}

TEST(Garbage, ApplyAndUpdateNeverCrash) {
  std::mt19937 rng(3);
  auto schema = PatchSchema::for_kind("", "Pod");
  managed::Options o;
  o.manager = "m";
  o.api_version = "v1";
  o.kind = "Pod";
  o.now = "2024-01-01T00:00:00Z";
  o.schema = &schema;
  bj::value live = bj::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x"}]}})");
  for (int i = 0; i < 3000; ++i) {
    bj::value config = random_json(rng, 5);
    if (config.is_object() && i % 2) {
      config.get_object()["apiVersion"] = "v1";
      config.get_object()["kind"] = "Pod";
    }
    o.manager = i % 3 ? "m" : "kubectl";
    auto r = managed::apply(&live, config, i % 5 == 0, o);
    if (r.ok()) {
      ASSERT_TRUE(r->is_object());
      EXPECT_TRUE(managed::decode(*r).has_value()) << bj::serialize(*r);
      if (i % 7 == 0) live = *r;
    }
    bj::value next = random_json(rng, 4);
    if (next.is_object()) next.get_object()["metadata"] = bj::object{{"name", "p"}};
    (void)managed::update(&live, next, o);
  }
}

TEST(Garbage, FieldsV1AndSchemasNeverCrash) {
  std::mt19937 rng(5);
  for (int i = 0; i < 3000; ++i) {
    bj::value v = random_json(rng, 4);
    auto s = fieldpath::Set::from_fields_v1(v);
    if (s) (void)s->to_fields_v1();
    auto schema = known::Schema::from_json(bj::object{{"kinds", bj::object{{"K", v}}}});
    if (schema.ok() && schema->kind("K")) (void)known::unknown_fields(random_json(rng, 4), *schema->kind("K"));
    (void)known::duplicate_fields(bj::serialize(v));
    (void)known::duplicate_fields(random_text(rng, "{}[]\",:\\u0a", 30));
  }
}

}  // namespace
