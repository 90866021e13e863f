// Data-driven tests: every *.json under tests/data/policy is a list of cases, each run as its own
// test, so cases can be added without writing C++. File format (see tests/data/policy/README.md):
//   a list of cases, or {"policies": {name: policy}, "principals": {name: principal},
//                        "cases": [...]} where cases may refer to policies and principals by name.
// A few behaviours that data files cannot express (threads, speed, helpers) are tested below.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "policy/match.h"
#include "policy/policy.h"

namespace fs = std::filesystem;
namespace bj = boost::json;
using namespace orch::policy;

namespace {

struct Case {
  std::string file;   // file name, for messages
  std::string name;   // as written
  std::string label;  // the test name: [A-Za-z0-9_] only
  std::shared_ptr<const bj::object> file_root;  // for named policies and principals
  bj::object data;
};

struct Loaded {
  std::vector<Case> cases;
  std::vector<std::string> errors;  // unreadable files, reported by the FilesFound test
  std::string dir;
};

// Tests run from the source root under ctest; when run by hand from elsewhere, look upwards.
std::string find_data_dir() {
  fs::path p = fs::current_path();
  for (int i = 0; i < 6; ++i) {
    fs::path d = p / "tests" / "data" / "policy";
    if (fs::is_directory(d)) return d.string();
    if (!p.has_parent_path() || p.parent_path() == p) break;
    p = p.parent_path();
  }
  return {};
}

std::string sanitize(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out;
}

const Loaded& loaded() {
  static const Loaded l = [] {
    Loaded l;
    l.dir = find_data_dir();
    if (l.dir.empty()) {
      l.errors.push_back("tests/data/policy not found from " + fs::current_path().string());
      return l;
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(l.dir))
      if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::set<std::string> labels;
    for (const auto& f : files) {
      std::ifstream in(f);
      std::stringstream ss;
      ss << in.rdbuf();
      bj::error_code ec;
      bj::value v = bj::parse(ss.str(), ec);
      if (ec) {
        l.errors.push_back(f.filename().string() + ": " + ec.message());
        continue;
      }
      auto root = std::make_shared<bj::object>();
      const bj::array* list = nullptr;
      if (v.is_array()) {
        list = &v.as_array();
      } else if (v.is_object() && v.as_object().contains("cases")) {
        *root = v.as_object();
        list = &root->at("cases").as_array();
      } else {
        l.errors.push_back(f.filename().string() + ": expected a list of cases");
        continue;
      }
      size_t index = 0;
      for (const auto& c : *list) {
        ++index;
        if (!c.is_object() || !c.as_object().contains("name")) {
          l.errors.push_back(f.filename().string() + ": case " + std::to_string(index) +
                             " is not an object with a name");
          continue;
        }
        Case k;
        k.file = f.filename().string();
        k.name = bj::value_to<std::string>(c.at("name"));
        k.label = sanitize(f.stem().string() + "_" + k.name);
        while (!labels.insert(k.label).second) k.label += "_" + std::to_string(index);
        k.file_root = root;
        k.data = c.as_object();
        l.cases.push_back(std::move(k));
      }
    }
    return l;
  }();
  return l;
}

std::string str(const bj::object& o, std::string_view key, std::string def = {}) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return def;
  if (it->value().is_string()) return std::string(it->value().as_string());
  return bj::serialize(it->value());
}

bool flag(const bj::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_bool() && it->value().as_bool();
}

DocKind kind_of(const std::string& s) {
  if (s == "Identity" || s.empty()) return DocKind::Identity;
  if (s == "Boundary") return DocKind::Boundary;
  if (s == "Session") return DocKind::Session;
  if (s == "Trust") return DocKind::Trust;
  throw std::runtime_error("unknown kind " + s);
}

// A document is a JSON object, or a string holding raw text (for syntax-error cases).
std::string document_text(const bj::value& d) {
  return d.is_string() ? std::string(d.as_string()) : bj::serialize(d);
}

// A policy entry: a name from the file's "policies", {"id","type","document"}, or a bare
// document (then the id is generated).
PolicyRef make_ref(const Case& c, const bj::value& entry, DocKind kind, const std::string& slot,
                   size_t n) {
  const bj::value* e = &entry;
  std::string name;
  if (e->is_string()) {
    name = std::string(e->as_string());
    auto pols = c.file_root->find("policies");
    if (pols == c.file_root->end() || !pols->value().as_object().contains(name))
      throw std::runtime_error("no policy named " + name);
    e = &pols->value().as_object().at(name);
  }
  const bj::object& o = e->as_object();
  PolicyRef ref;
  const bj::value* doc = e;
  if (o.contains("document")) {
    doc = &o.at("document");
    ref.id = str(o, "id", name);
    ref.type = str(o, "type");
  }
  if (ref.id.empty()) ref.id = name.empty() ? slot + std::to_string(n) : name;
  if (ref.type.empty())
    ref.type = slot == "identity" ? "user" : slot == "resource" ? "resource" : slot;
  auto parsed = parse(document_text(*doc), kind);
  if (auto* err = std::get_if<ParseError>(&parsed))
    throw std::runtime_error("policy " + ref.id + " does not parse: " + err->message);
  ref.policy = std::get<std::shared_ptr<const Policy>>(parsed);
  return ref;
}

Principal make_principal(const Case& c, const bj::value* v) {
  // Default caller: user alice of account 111122223333.
  bj::object o{{"type", "User"},
               {"account", "111122223333"},
               {"arn", "arn:aws:iam::111122223333:user/alice"},
               {"unique_id", "AIDAALICEALICEALICE22"}};
  if (v && v->is_string()) {
    auto ps = c.file_root->find("principals");
    std::string name(v->as_string());
    if (ps == c.file_root->end() || !ps->value().as_object().contains(name))
      throw std::runtime_error("no principal named " + name);
    v = &ps->value().as_object().at(name);
  }
  if (v) o = v->as_object();
  Principal p;
  std::string t = str(o, "type", "User");
  p.type = t == "User"          ? Principal::Type::User
           : t == "AssumedRole" ? Principal::Type::AssumedRole
           : t == "Account"     ? Principal::Type::Account
                                : throw std::runtime_error("unknown principal type " + t);
  p.account = str(o, "account");
  p.arn = str(o, "arn");
  p.role_arn = str(o, "role_arn");
  p.unique_id = str(o, "unique_id");
  return p;
}

// Failure messages name the case instead of dumping its bytes.
[[maybe_unused]] void PrintTo(const Case& c, std::ostream* os) { *os << c.file << ": " << c.name; }

class PolicyCase : public ::testing::TestWithParam<Case> {};

void run_parse_case(const Case& c) {
  const bj::object& o = c.data;
  std::string text = document_text(o.at("document"));
  auto parsed = parse(text, kind_of(str(o, "kind")));
  if (o.contains("expect_error")) {
    auto* err = std::get_if<ParseError>(&parsed);
    ASSERT_NE(err, nullptr) << "parsed, but expected: " << str(o, "expect_error");
    EXPECT_EQ(err->message, str(o, "expect_error"));
    return;
  }
  auto* err = std::get_if<ParseError>(&parsed);
  ASSERT_EQ(err, nullptr) << "unexpected error: " << err->message;
  const Policy& p = *std::get<std::shared_ptr<const Policy>>(parsed);
  if (o.contains("expect_principals")) {
    std::vector<std::string> want;
    for (const auto& v : o.at("expect_principals").as_array())
      want.emplace_back(v.as_string());
    EXPECT_EQ(aws_principals(p), want);
  }
  if (o.contains("expect_size")) {
    EXPECT_EQ(size_without_whitespace(text), o.at("expect_size").to_number<size_t>());
  }
}

void run_eval_case(const Case& c) {
  const bj::object& o = c.data;
  EvalInput in;
  if (auto it = o.find("identity"); it != o.end()) {
    size_t n = 0;
    for (const auto& e : it->value().as_array())
      in.identity.push_back(make_ref(c, e, DocKind::Identity, "identity", ++n));
  }
  if (auto it = o.find("boundary"); it != o.end() && !it->value().is_null())
    in.boundary = make_ref(c, it->value(), DocKind::Boundary, "boundary", 1);
  if (auto it = o.find("session"); it != o.end() && !it->value().is_null()) {
    in.session.emplace();
    size_t n = 0;
    for (const auto& e : it->value().as_array())
      in.session->push_back(make_ref(c, e, DocKind::Session, "session", ++n));
  }
  if (auto it = o.find("resource"); it != o.end() && !it->value().is_null())
    in.resource = make_ref(c, it->value(), DocKind::Trust, "resource", 1);
  in.cross_account = flag(o, "cross_account");
  in.resource_must_allow = flag(o, "resource_must_allow");
  in.is_root = flag(o, "is_root");

  const bj::object& r = o.at("request").as_object();
  Request req;
  req.action = str(r, "action");
  req.resource = str(r, "resource", "*");
  auto pit = r.find("principal");
  req.principal = make_principal(c, pit == r.end() ? nullptr : &pit->value());
  if (auto it = r.find("context"); it != r.end()) {
    for (const auto& [k, v] : it->value().as_object()) {
      if (v.is_array()) {
        std::vector<std::string> vals;
        for (const auto& x : v.as_array())
          vals.push_back(x.is_string() ? std::string(x.as_string()) : bj::serialize(x));
        req.context.set_multi(k, std::move(vals));
      } else {
        req.context.set(k, v.is_string() ? std::string(v.as_string()) : bj::serialize(v));
      }
    }
  }

  Decision d = evaluate(in, req);
  static const char* const kNames[] = {"Allow", "ExplicitDeny", "ImplicitDeny"};
  std::string got = kNames[static_cast<int>(d.effect)];
  EXPECT_EQ(got, str(o, "expect")) << "reason: " << d.reason;
  if (o.contains("expect_reason")) {
    EXPECT_EQ(d.reason, str(o, "expect_reason"));
  }
  if (d.allowed()) {
    EXPECT_EQ(d.reason, "");
  }
  if (o.contains("expect_matched")) {
    // Each entry "<policy id>#<statement index>", optionally followed by "/<sid>".
    std::vector<std::string> want, have;
    for (const auto& v : o.at("expect_matched").as_array()) want.emplace_back(v.as_string());
    for (const auto& m : d.matched) {
      std::string s = m.policy_id + "#" + std::to_string(m.index);
      bool with_sid = std::any_of(want.begin(), want.end(),
                                  [&](const std::string& w) { return w.starts_with(s + "/"); });
      have.push_back(with_sid ? s + "/" + m.sid : s);
    }
    EXPECT_EQ(have, want);
  }
}

TEST_P(PolicyCase, Run) {
  const Case& c = GetParam();
  SCOPED_TRACE(c.file + ": " + c.name);
  try {
    if (c.data.contains("request")) {
      run_eval_case(c);
    } else if (c.data.contains("document")) {
      run_parse_case(c);
    } else {
      FAIL() << "a case needs a request or a document";
    }
  } catch (const std::exception& e) {
    FAIL() << "bad case: " << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Data, PolicyCase, ::testing::ValuesIn(loaded().cases),
                         [](const ::testing::TestParamInfo<Case>& i) { return i.param.label; });

TEST(PolicyData, FilesFound) {
  const Loaded& l = loaded();
  for (const auto& e : l.errors) ADD_FAILURE() << e;
  ASSERT_FALSE(l.cases.empty()) << "no policy cases in " << l.dir;
  std::cout << "[ policy  ] " << l.cases.size() << " data cases from " << l.dir << "\n";
}

// ---- behaviours outside the data files ------------------------------------------------------

std::shared_ptr<const Policy> must_parse(std::string_view text, DocKind kind = DocKind::Identity) {
  auto r = parse(text, kind);
  if (auto* e = std::get_if<ParseError>(&r)) throw std::runtime_error(e->message);
  return std::get<std::shared_ptr<const Policy>>(r);
}

TEST(PolicyContext, KeysIgnoreCase) {
  Context c;
  c.set("aws:SourceIp", "10.0.0.1");
  c.set_multi("AWS:TagKeys", {"a", "b"});
  ASSERT_NE(c.find("AWS:sourceip"), nullptr);
  EXPECT_EQ(c.find("aws:sourceIP")->at(0), "10.0.0.1");
  EXPECT_EQ(c.find("aws:tagkeys")->size(), 2u);
  EXPECT_EQ(c.find_lower("aws:tagkeys")->size(), 2u);
  EXPECT_EQ(c.find("aws:username"), nullptr);
  c.set("aws:SourceIp", "10.0.0.2");  // set replaces
  EXPECT_EQ(c.find("aws:sourceip")->size(), 1u);
  std::string long_key(300, 'K');
  c.set(long_key, "v");
  EXPECT_NE(c.find(long_key), nullptr);
}

TEST(PolicyMatch, Globs) {
  EXPECT_TRUE(glob_match("iam:*accesskey*", nullptr, "IAM:ListAccessKeys", true));
  EXPECT_FALSE(glob_match("iam:*accesskey*", nullptr, "iam:ListUsers", true));
  EXPECT_TRUE(glob_match("a?c", nullptr, "abc"));
  EXPECT_TRUE(glob_match("a?c", nullptr, "a\xc3\xa9" "c"));  // ? is one character, é included
  EXPECT_FALSE(glob_match("a?c", nullptr, "ac"));
  EXPECT_TRUE(glob_match("*", nullptr, ""));
  EXPECT_TRUE(glob_match("a*b*c", nullptr, "aXXbYYbZZc"));
  EXPECT_FALSE(glob_match("a*b*c", nullptr, "aXXbYYbZZ"));
  const unsigned char lit[] = {0, 1, 0};
  EXPECT_TRUE(glob_match("a*c", lit, "a*c"));
  EXPECT_FALSE(glob_match("a*c", lit, "abc"));
  // Pathological backtracking stays fast.
  std::string text(5000, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*b", nullptr, text));
}

TEST(PolicySize, WhitespaceOutsideStringsOnly) {
  EXPECT_EQ(size_without_whitespace("{ \"a b\" :\n\t[ 1 , 2 ] }"), 13u);
  EXPECT_EQ(size_without_whitespace(R"({"a\" b": 1})"), 11u);
}

// Many threads evaluate one parsed policy (with variables, so the per-thread scratch buffers are
// exercised) and must all see the same answers.
TEST(PolicyConcurrency, SharedPolicyManyThreads) {
  auto p = must_parse(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${aws:username}/*",
     "Condition":{"StringLike":{"s3:prefix":"${aws:username}/*"}}}]})");
  EvalInput in;
  in.identity.push_back({"home", "user", p});
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::string user = "user" + std::to_string(t);
      for (int i = 0; i < 2000; ++i) {
        Request r;
        r.action = "s3:GetObject";
        bool own = i % 2 == 0;
        r.resource = "arn:aws:s3:::bucket/" + (own ? user : std::string("other")) + "/f";
        r.context.set("aws:username", user);
        r.context.set("s3:prefix", user + "/x");
        if (evaluate(in, r).allowed() != own) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

// Damaged documents must be rejected cleanly, never crash (run under ASan/UBSan too): every
// truncation and many single-byte corruptions of a document using most of the grammar.
TEST(PolicyRobustness, DamagedDocumentsNeverCrash) {
  const std::string doc = R"({"Version":"2012-10-17","Id":"x","Statement":[
    {"Sid":"A","Effect":"Allow","Action":["iam:*AccessKey*","s3:Get?bject"],"Resource":"arn:aws:s3:::b/${aws:username, 'd'}/*",
     "Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["a*",1,true]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},
                  "DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"Null":{"aws:TokenIssueTime":"true"}}},
    {"Effect":"Deny","NotAction":"s3:*","NotResource":["arn:aws:s3:::b","arn:aws:iam::111122223333:user/*"]}]})";
  ASSERT_NE(must_parse(doc), nullptr);
  const std::string trust = R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/R"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}})";
  ASSERT_NE(must_parse(trust, DocKind::Trust), nullptr);
  Request req;
  req.action = "s3:GetObject";
  req.resource = "arn:aws:s3:::b/alice/k";
  req.context.set("aws:username", "alice");
  req.context.set_multi("aws:TagKeys", {"ab", "1"});
  req.context.set("aws:SourceIp", "10.1.1.1");
  req.context.set("aws:CurrentTime", "2024-01-01T00:00:00Z");
  size_t parsed = 0;
  for (const std::string* base : {&doc, &trust}) {
    DocKind kind = base == &trust ? DocKind::Trust : DocKind::Identity;
    std::vector<std::string> variants;
    for (size_t i = 0; i < base->size(); ++i) variants.push_back(base->substr(0, i));
    for (size_t i = 0; i < base->size(); ++i)
      for (char c : {'"', '{', ']', ':', ',', '*', '$', '\\', '\0', '\x80', '\xc3'}) {
        std::string v = *base;
        v[i] = c;
        variants.push_back(std::move(v));
      }
    for (const auto& v : variants) {
      auto r = parse(v, kind);
      if (auto* p = std::get_if<std::shared_ptr<const Policy>>(&r)) {
        ++parsed;
        EvalInput in;
        if (kind == DocKind::Trust) {
          in.resource = PolicyRef{"t", "resource", *p};
        } else {
          in.identity.push_back({"p", "user", *p});
        }
        (void)evaluate(in, req);
        (void)aws_principals(**p);
      } else {
        EXPECT_FALSE(std::get<ParseError>(r).message.empty());
      }
      (void)size_without_whitespace(v);
    }
  }
  EXPECT_GT(parsed, 0u);  // some corruptions stay valid (e.g. inside strings) and evaluate
  // Nesting beyond any policy's needs is refused, not recursed into.
  std::string deep = R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:a":)" +
                     std::string(10000, '[') + std::string(10000, ']') + "}}}}";
  EXPECT_EQ(std::get<ParseError>(parse(deep, DocKind::Identity)).message, "Syntax errors in policy.");
}

// The brief's target is well over 100k evaluations/s for a 10-statement policy. Debug and
// sanitizer builds are far slower, so the bound is only enforced in optimized builds.
TEST(PolicySpeed, TenStatementPolicy) {
  std::string doc = R"({"Version":"2012-10-17","Statement":[)";
  for (int i = 0; i < 9; ++i)
    doc += R"({"Sid":"S)" + std::to_string(i) + R"(","Effect":"Allow","Action":["ec2:Describe*","s3:Get*"],"Resource":"arn:aws:s3:::b)" +
           std::to_string(i) + R"(/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"t)" +
           std::to_string(i) + R"("},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}},)";
  doc += R"({"Sid":"Own","Effect":"Allow","Action":"iam:*AccessKey*","Resource":"arn:aws:iam::111122223333:user/${aws:username}"}]})";
  EvalInput in;
  in.identity.push_back({"p", "user", must_parse(doc)});
  Request r;
  r.action = "iam:CreateAccessKey";
  r.resource = "arn:aws:iam::111122223333:user/alice";
  r.context.set("aws:username", "alice");
  r.context.set("aws:SourceIp", "10.1.2.3");
  r.context.set("aws:PrincipalTag/team", "t3");
  ASSERT_TRUE(evaluate(in, r).allowed());
  const int n = 100000;
  auto t0 = std::chrono::steady_clock::now();
  int allowed = 0;
  for (int i = 0; i < n; ++i) allowed += evaluate(in, r).allowed();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(allowed, n);
  double rate = n / secs;
  std::cout << "[ policy  ] " << static_cast<long>(rate) << " evaluations/s (10 statements)\n";
  RecordProperty("evaluations_per_second", static_cast<int>(rate));
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
  EXPECT_GT(rate, 100000.0);
#endif
}

}  // namespace
