// Data-driven tests: every tests/data/apimachinery/*.json is {"suite": S, "cases": [...]} (plus
// suite-wide members such as a schema), and each case runs as its own test. The suites and their
// case members are described in tests/data/apimachinery/README.md. Behaviour that data cannot
// express (randomness, limits, garbage input) is tested in apimachinery_more_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "apimachinery/field_errors.h"
#include "apimachinery/fields.h"
#include "apimachinery/json_patch.h"
#include "apimachinery/json_util.h"
#include "apimachinery/known_fields.h"
#include "apimachinery/labels.h"
#include "apimachinery/managed_fields.h"
#include "apimachinery/status.h"
#include "apimachinery/strategic_merge.h"
#include "apimachinery/structural_schema.h"
#include "apimachinery/validation.h"

namespace fs = std::filesystem;
namespace bj = boost::json;
using namespace orch::apimachinery;

namespace {

struct Case {
  std::string suite;
  std::string file;
  std::string name;
  std::string label;
  std::shared_ptr<const bj::object> root;  // the whole file, for suite-wide members
  bj::object data;
};

// Failure messages name the case instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.file << ": " << c.name; }

std::string find_data_dir() {
  fs::path p = fs::current_path();
  for (int i = 0; i < 6; ++i) {
    fs::path d = p / "tests" / "data" / "apimachinery";
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

struct Loaded {
  std::vector<Case> cases;
  std::vector<std::string> errors;
};

const Loaded& loaded() {
  static const Loaded l = [] {
    Loaded l;
    std::string dir = find_data_dir();
    if (dir.empty()) {
      l.errors.push_back("tests/data/apimachinery not found from " + fs::current_path().string());
      return l;
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))  // not protobuf/: that folder has its own tests
      if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::set<std::string> labels;
    for (const auto& f : files) {
      std::ifstream in(f);
      std::stringstream ss;
      ss << in.rdbuf();
      bj::error_code ec;
      bj::parse_options opts;
      opts.max_depth = 256;  // some cases are deliberately deep
      bj::value v = bj::parse(ss.str(), ec, {}, opts);
      if (ec || !v.is_object() || !v.as_object().contains("cases") || !v.as_object().contains("suite")) {
        l.errors.push_back(f.filename().string() + ": not {\"suite\":..., \"cases\": [...]} (" + ec.message() + ")");
        continue;
      }
      auto root = std::make_shared<bj::object>(v.as_object());
      std::string suite(root->at("suite").as_string());
      size_t index = 0;
      for (const auto& c : root->at("cases").as_array()) {
        ++index;
        if (!c.is_object() || !c.as_object().contains("name")) {
          l.errors.push_back(f.filename().string() + ": case " + std::to_string(index) + " has no name");
          continue;
        }
        Case k;
        k.suite = suite;
        k.file = f.filename().string();
        k.name = std::string(c.at("name").as_string());
        k.label = sanitize(f.stem().string() + "_" + k.name);
        while (!labels.insert(k.label).second) k.label += "_" + std::to_string(index);
        k.root = root;
        k.data = c.as_object();
        l.cases.push_back(std::move(k));
      }
    }
    return l;
  }();
  return l;
}

// ---- helpers --------------------------------------------------------------------------------

std::string str(const bj::object& o, std::string_view key, std::string def = {}) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return def;
  if (it->value().is_string()) return std::string(it->value().get_string());
  return bj::serialize(it->value());
}

bool has(const bj::object& o, std::string_view key) { return o.find(key) != o.end(); }

const bj::value& at(const bj::object& o, std::string_view key) {
  static const bj::value null;
  auto it = o.find(key);
  return it == o.end() ? null : it->value();
}

std::vector<std::string> strings(const bj::value& v) {
  std::vector<std::string> out;
  if (v.is_array())
    for (const auto& e : v.get_array()) out.emplace_back(e.is_string() ? std::string(e.get_string()) : bj::serialize(e));
  return out;
}

::testing::AssertionResult json_eq(const bj::value& expected, const bj::value& actual) {
  if (json::equal(expected, actual)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\nexpected: " << bj::serialize(expected) << "\n  actual: " << bj::serialize(actual);
}

// Checks an ApiError against {"code", "reason", "message", "detail", "status"} (each optional).
void expect_error(const bj::object& want, const ApiError& got) {
  if (has(want, "status")) { EXPECT_TRUE(json_eq(at(want, "status"), got.status)); }
  if (has(want, "code")) { EXPECT_EQ(at(want, "code").to_number<int>(), got.code()); }
  if (has(want, "reason")) { EXPECT_EQ(str(want, "reason"), got.reason()); }
  if (has(want, "message")) { EXPECT_EQ(str(want, "message"), got.message()); }
  if (has(want, "detail")) { EXPECT_EQ(str(want, "detail"), got.detail); }
}

// ---- suites ---------------------------------------------------------------------------------

void check_label_selector(const labels::Selector& s, const bj::object& c) {
  if (has(c, "string")) { EXPECT_EQ(str(c, "string"), s.str()); }
  if (has(c, "empty")) { EXPECT_EQ(at(c, "empty").as_bool(), s.empty()); }
  if (has(c, "nothing")) { EXPECT_EQ(at(c, "nothing").as_bool(), s.matches_nothing()); }
  for (const auto& m : at(c, "matches").is_array() ? at(c, "matches").get_array() : bj::array()) {
    const auto& pair = m.as_array();
    EXPECT_EQ(pair[1].as_bool(), s.matches(labels::set_from_json(pair[0]))) << "labels " << bj::serialize(pair[0]);
  }
}

void run_labels(const Case& k) {
  const auto& c = k.data;
  if (has(c, "validate")) {
    auto errs = labels::validate_label_selector(at(c, "validate"), FieldPath("spec").child("selector"));
    std::vector<std::string> got;
    for (const auto& e : errs) got.push_back(e.message());
    EXPECT_EQ(strings(at(c, "errors")), got);
    return;
  }
  Result<labels::Selector> r = has(c, "selector") ? labels::parse(str(c, "selector"))
                                                  : labels::from_label_selector(at(c, "label_selector"));
  if (has(c, "error")) {
    ASSERT_FALSE(r.ok()) << "parsed as " << r->str();
    EXPECT_EQ(str(c, "error"), r.error());
    return;
  }
  ASSERT_TRUE(r.ok()) << r.error();
  check_label_selector(*r, c);
}

void run_fields(const Case& k) {
  const auto& c = k.data;
  auto r = fields::parse(str(c, "selector"));
  if (r && has(c, "kind")) r = fields::convert(*r, fields::selectable_fields(str(c, "group"), str(c, "kind")));
  if (has(c, "error")) {
    ASSERT_FALSE(r.ok()) << "parsed as " << r->str();
    EXPECT_EQ(str(c, "error"), r.error());
    return;
  }
  ASSERT_TRUE(r.ok()) << r.error();
  if (has(c, "string")) { EXPECT_EQ(str(c, "string"), r->str()); }
  if (has(c, "empty")) { EXPECT_EQ(at(c, "empty").as_bool(), r->empty()); }
  if (has(c, "exact")) {
    const auto& e = at(c, "exact").as_array();
    auto got = r->requires_exact_match(std::string(e[0].as_string()));
    EXPECT_EQ(e[1].is_null() ? std::optional<std::string>() : std::optional<std::string>(std::string(e[1].as_string())), got);
  }
  for (const auto& m : at(c, "matches").is_array() ? at(c, "matches").get_array() : bj::array()) {
    const auto& pair = m.as_array();
    const bj::value& obj = pair[0];
    bool got = r->matches([&](std::string_view f) { return fields::field_value(obj, f); });
    EXPECT_EQ(pair[1].as_bool(), got) << "object " << bj::serialize(obj);
  }
}

void run_names(const Case& k) {
  const auto& c = k.data;
  std::string check = str(c, "check");
  std::string v = str(c, "value");
  if (has(c, "repeat")) {  // long values: value repeated n times, then suffix
    std::string base = v;
    v.clear();
    for (int i = 0; i < at(c, "repeat").to_number<int>(); ++i) v += base;
    v += str(c, "suffix");
  }
  if (check == "name_parameter") {
    EXPECT_EQ(str(c, "message"), validation::name_parameter_problem(v));
    return;
  }
  validation::Problems got;
  if (check == "dns1123_label") got = validation::dns1123_label(v);
  else if (check == "dns1123_subdomain") got = validation::dns1123_subdomain(v);
  else if (check == "dns1035_label") got = validation::dns1035_label(v);
  else if (check == "qualified_name") got = validation::qualified_name(v);
  else if (check == "label_value") got = validation::label_value(v);
  else if (check == "path_segment_name") got = validation::path_segment_name(v, false);
  else if (check == "path_segment_prefix") got = validation::path_segment_name(v, true);
  else if (check == "name_is_dns_subdomain") got = validation::name_is_dns_subdomain(v, false);
  else if (check == "generate_name_is_dns_subdomain") got = validation::name_is_dns_subdomain(v, true);
  else if (check == "generate_name_is_dns_label") got = validation::name_is_dns_label(v, true);
  else FAIL() << "unknown check " << check;
  EXPECT_EQ(strings(at(c, "problems")), got);
}

void run_object_meta(const Case& k) {
  const auto& c = k.data;
  validation::NameFunc fn = str(c, "names", "subdomain") == "label" ? validation::name_is_dns_label
                                                                    : validation::name_is_dns_subdomain;
  auto errs = validation::validate_object_meta(at(c, "metadata"), at(c, "namespaced").as_bool(), fn);
  std::vector<std::string> got;
  for (const auto& e : errs) got.push_back(e.message());
  EXPECT_EQ(strings(at(c, "errors")), got);
  if (has(c, "status")) {
    auto s = status::invalid({str(c, "group"), str(c, "kind")}, str(at(c, "metadata").as_object(), "name"), errs);
    EXPECT_TRUE(json_eq(at(c, "status"), s));
  }
}

FieldErrorType error_type(const std::string& t) {
  static const std::map<std::string, FieldErrorType> m = {
      {"NotFound", FieldErrorType::NotFound},   {"Required", FieldErrorType::Required},
      {"Duplicate", FieldErrorType::Duplicate}, {"Invalid", FieldErrorType::Invalid},
      {"NotSupported", FieldErrorType::NotSupported}, {"Forbidden", FieldErrorType::Forbidden},
      {"TooLong", FieldErrorType::TooLong},     {"TooMany", FieldErrorType::TooMany},
      {"Internal", FieldErrorType::Internal},   {"TypeInvalid", FieldErrorType::TypeInvalid}};
  return m.at(t);
}

// {"type", "field", "value", "detail"} or the constructors' own arguments.
FieldError field_error(const bj::object& e) {
  std::string t = str(e, "type");
  FieldPath p(str(e, "field"));
  if (t == "Required") return required(p, str(e, "detail"));
  if (t == "Forbidden") return forbidden(p, str(e, "detail"));
  if (t == "TooLong") return too_long(p, at(e, "max").to_number<int>());
  if (t == "TooMany") return too_many(p, at(e, "actual").to_number<int>(), at(e, "max").to_number<int>());
  if (t == "NotSupported") return not_supported(p, at(e, "value"), strings(at(e, "valid")));
  if (t == "Duplicate") return duplicate(p, at(e, "value"));
  if (t == "NotFound") return not_found(p, at(e, "value"));
  if (t == "Internal") return internal_error(p, str(e, "detail"));
  return FieldError{error_type(t), p.str(), at(e, "value"), false, str(e, "detail")};
}

void run_field_errors(const Case& k) {
  const auto& c = k.data;
  FieldErrorList errs;
  for (const auto& e : at(c, "errors").as_array()) errs.push_back(field_error(e.as_object()));
  std::vector<std::string> got;
  for (const auto& e : errs) got.push_back(e.message());
  if (has(c, "messages")) { EXPECT_EQ(strings(at(c, "messages")), got); }
  if (has(c, "aggregate")) { EXPECT_EQ(str(c, "aggregate"), aggregate_message(errs)); }
  if (has(c, "status")) {
    auto s = status::invalid({str(c, "group"), str(c, "kind")}, str(c, "object"), errs);
    EXPECT_TRUE(json_eq(at(c, "status"), s));
  }
}

void run_status(const Case& k) {
  const auto& c = k.data;
  const bj::object& a = at(c, "args").is_object() ? at(c, "args").get_object() : bj::object();
  std::string call = str(c, "call");
  status::GroupResource gr{str(a, "group"), str(a, "resource")};
  bj::object got;
  if (call == "not_found") got = status::not_found(gr, str(a, "name"));
  else if (call == "already_exists") got = status::already_exists(gr, str(a, "name"));
  else if (call == "generate_name_conflict") got = status::generate_name_conflict(gr, str(a, "name"), at(a, "retry").to_number<int>());
  else if (call == "conflict") got = status::conflict(gr, str(a, "name"), str(a, "err"));
  else if (call == "conflict_modified") got = status::conflict_modified(gr, str(a, "name"));
  else if (call == "bad_request") got = status::bad_request(str(a, "message"));
  else if (call == "unauthorized") got = has(a, "message") ? status::unauthorized(str(a, "message")) : status::unauthorized();
  else if (call == "forbidden") {
    std::string reason = has(a, "path") ? status::forbidden_path_reason(str(a, "user"), str(a, "verb"), str(a, "path"), str(a, "reason"))
                                        : status::forbidden_reason(str(a, "user"), str(a, "verb"), str(a, "group"), str(a, "resource"),
                                                                   str(a, "subresource"), str(a, "namespace"), str(a, "reason"));
    got = status::forbidden(gr, str(a, "name"), reason);
  } else if (call == "method_not_supported") got = status::method_not_supported(gr, str(a, "action"));
  else if (call == "gone") got = status::gone(str(a, "message"));
  else if (call == "expired") got = status::expired(str(a, "message"));
  else if (call == "too_old_resource_version") got = status::too_old_resource_version(at(a, "requested").to_number<int64_t>(), at(a, "oldest").to_number<int64_t>());
  else if (call == "unsupported_media_type") got = status::unsupported_media_type(strings(at(a, "accepted")));
  else if (call == "not_acceptable") got = status::not_acceptable(strings(at(a, "accepted")));
  else if (call == "request_entity_too_large") got = status::request_entity_too_large(str(a, "message"));
  else if (call == "request_body_too_large") got = status::request_body_too_large(at(a, "limit").to_number<int64_t>());
  else if (call == "too_many_requests") got = status::too_many_requests(str(a, "message"), at(a, "retry").to_number<int>());
  else if (call == "internal_error") got = status::internal_error(str(a, "err"));
  else if (call == "timeout") got = status::timeout(str(a, "message"), has(a, "retry") ? at(a, "retry").to_number<int>() : 0);
  else if (call == "server_timeout") got = status::server_timeout(gr, str(a, "operation"), at(a, "retry").to_number<int>());
  else if (call == "service_unavailable") got = status::service_unavailable(str(a, "message"));
  else if (call == "unprocessable") got = status::unprocessable();
  else if (call == "success") {
    status::Details d{str(a, "name"), str(a, "group"), str(a, "kind"), str(a, "uid"), {}, 0};
    got = status::success(&d);
  } else if (call == "apply_conflict") {
    std::vector<status::Cause> causes;
    for (const auto& x : at(a, "causes").as_array())
      causes.push_back({str(x.as_object(), "reason"), str(x.as_object(), "message"), str(x.as_object(), "field")});
    got = status::apply_conflict(causes, str(a, "message"));
  } else FAIL() << "unknown call " << call;
  EXPECT_TRUE(json_eq(at(c, "expect"), got));
  EXPECT_EQ(at(c, "expect").as_object().at("code").to_number<int>(), status::code_of(got));
}

void check_patch_result(const bj::object& c, const Result<bj::value, ApiError>& r) {
  if (has(c, "error")) {
    ASSERT_FALSE(r.ok()) << "patched to " << bj::serialize(*r);
    expect_error(at(c, "error").as_object(), r.error());
    return;
  }
  ASSERT_TRUE(r.ok()) << r.error().message() << " / " << r.error().detail;
  EXPECT_TRUE(json_eq(at(c, "expected"), *r));
}

void run_merge_patch(const Case& k) {
  const auto& c = k.data;
  if (at(c, "api").is_bool() && at(c, "api").get_bool()) {
    check_patch_result(c, apply_merge_patch(at(c, "original"), at(c, "patch")));
    return;
  }
  EXPECT_TRUE(json_eq(at(c, "expected"), json_merge_patch(at(c, "original"), at(c, "patch"))));
}

void run_json_patch(const Case& k) { check_patch_result(k.data, apply_json_patch(at(k.data, "original"), at(k.data, "patch"))); }

void run_smp(const Case& k) {
  const auto& c = k.data;
  auto schema = PatchSchema::for_kind(str(c, "group"), str(c, "kind", "Pod"));
  check_patch_result(c, apply_strategic_merge_patch(at(c, "original"), at(c, "patch"), schema));
}

void run_ssa(const Case& k) {
  const auto& c = k.data;
  std::string kind = str(c, "kind", "Pod");
  std::string group = str(c, "group");
  auto schema = PatchSchema::for_kind(group, kind);
  std::optional<known::Schema> known_schema;
  if (k.root->contains("schema")) {
    auto s = known::Schema::from_json(k.root->at("schema"));
    ASSERT_TRUE(s.ok()) << s.error();
    known_schema = std::move(*s);
  }
  bj::value state = at(c, "live");
  size_t step_no = 0;
  for (const auto& sv : at(c, "steps").as_array()) {
    const auto& s = sv.as_object();
    SCOPED_TRACE("step " + std::to_string(++step_no));
    managed::Options o;
    o.manager = str(s, "manager");
    o.api_version = str(c, "apiVersion", "v1");
    o.kind = kind;
    o.now = str(s, "now", "2024-01-01T00:00:00Z");
    o.subresource = str(s, "subresource");
    o.schema = &schema;
    o.ignored = strings(at(c, "ignored"));
    if (known_schema && at(c, "checkKnown").is_bool() && at(c, "checkKnown").get_bool()) o.known = known_schema->kind(kind);
    const bj::value* live = state.is_null() ? nullptr : &state;
    std::string op = str(s, "op");
    if (op == "apply") {
      auto r = managed::apply(live, at(s, "config"), at(s, "force").is_bool() && at(s, "force").get_bool(), o);
      if (has(s, "error")) {
        ASSERT_FALSE(r.ok()) << "applied to " << bj::serialize(*r);
        expect_error(at(s, "error").as_object(), r.error());
        continue;  // the state stays as it was
      }
      ASSERT_TRUE(r.ok()) << r.error().message();
      state = *r;
    } else if (op == "update") {
      state = managed::update(live, at(s, "object"), o);
    } else {
      FAIL() << "unknown op " << op;
    }
    if (has(s, "expect")) { EXPECT_TRUE(json_eq(at(s, "expect"), state)); }
    if (has(s, "expectManagedFields")) {
      const bj::value* mf = json::find_path(state, "metadata.managedFields");
      EXPECT_TRUE(json_eq(at(s, "expectManagedFields"), mf ? *mf : bj::value()));
    }
    if (has(s, "expectWithoutManagedFields")) {
      bj::value copy = state;
      if (auto* md = json::find(copy, "metadata"); md && md->is_object()) md->get_object().erase("managedFields");
      EXPECT_TRUE(json_eq(at(s, "expectWithoutManagedFields"), copy));
    }
  }
}

void run_unknown_fields(const Case& k) {
  const auto& c = k.data;
  if (has(c, "text")) {
    EXPECT_EQ(strings(at(c, "duplicates")), known::duplicate_fields(str(c, "text")));
    return;
  }
  if (has(c, "messages")) {  // message helpers
    const auto& m = at(c, "messages").as_object();
    std::vector<std::string> msgs;
    for (const auto& p : strings(at(m, "unknown"))) msgs.push_back(known::unknown_field_message(p));
    for (const auto& d : strings(at(m, "duplicate"))) msgs.push_back(known::duplicate_field_message(d));
    std::string err = known::strict_decoding_error(msgs);
    if (has(m, "kind")) err = known::cannot_be_handled(str(m, "kind"), str(m, "version"), err);
    EXPECT_EQ(str(c, "expect"), err);
    if (has(c, "warning")) { EXPECT_EQ(str(c, "warning"), known::warning_header(msgs.at(0))); }
    return;
  }
  auto s = known::Schema::from_json(k.root->at("schema"));
  ASSERT_TRUE(s.ok()) << s.error();
  const known::Type* t = s->kind(str(c, "kind"));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(strings(at(c, "unknown")), known::unknown_fields(at(c, "object"), *t));
}

// A case's `schema` (or the file's) against `object`: the object after pruning (`pruned`), the
// pruned paths (`unknown`), the object after defaulting (`defaulted`) and the validation messages
// of the pruned and defaulted object (`errors`); or the
// structural checks of the schema (`structural`, under `path`).
void run_structural_schema(const Case& k) {
  const auto& c = k.data;
  const bj::value& sch = has(c, "schema") ? at(c, "schema") : k.root->at("schema");
  if (has(c, "structural")) {
    std::vector<std::string> msgs;
    for (const auto& e : schema::structural_errors(sch, FieldPath(str(c, "path", "schema")))) msgs.push_back(e.message());
    EXPECT_EQ(strings(at(c, "structural")), msgs);
    return;
  }
  bj::value obj = at(c, "object");
  std::vector<std::string> unknown = schema::prune(obj, sch);
  if (has(c, "unknown")) { EXPECT_EQ(strings(at(c, "unknown")), unknown); }
  if (has(c, "pruned")) { EXPECT_TRUE(json_eq(at(c, "pruned"), obj)); }
  schema::default_values(obj, sch);
  if (has(c, "defaulted")) { EXPECT_TRUE(json_eq(at(c, "defaulted"), obj)) << bj::serialize(obj); }
  std::vector<std::string> msgs;
  for (const auto& e : schema::validate(obj, sch)) msgs.push_back(e.message());
  EXPECT_EQ(strings(at(c, "errors")), msgs);
}

class DataCase : public ::testing::TestWithParam<Case> {};

TEST_P(DataCase, Run) {
  const Case& k = GetParam();
  SCOPED_TRACE(k.file + ": " + k.name);
  if (k.suite == "labels") run_labels(k);
  else if (k.suite == "fields") run_fields(k);
  else if (k.suite == "names") run_names(k);
  else if (k.suite == "object_meta") run_object_meta(k);
  else if (k.suite == "field_errors") run_field_errors(k);
  else if (k.suite == "status") run_status(k);
  else if (k.suite == "merge_patch") run_merge_patch(k);
  else if (k.suite == "json_patch") run_json_patch(k);
  else if (k.suite == "strategic_merge") run_smp(k);
  else if (k.suite == "server_side_apply") run_ssa(k);
  else if (k.suite == "unknown_fields") run_unknown_fields(k);
  else if (k.suite == "structural_schema") run_structural_schema(k);
  else FAIL() << "unknown suite " << k.suite;
}

INSTANTIATE_TEST_SUITE_P(Data, DataCase, ::testing::ValuesIn(loaded().cases),
                         [](const ::testing::TestParamInfo<Case>& i) { return i.param.label; });

TEST(DataFiles, AllReadable) {
  for (const auto& e : loaded().errors) ADD_FAILURE() << e;
  EXPECT_GE(loaded().cases.size(), 150u);
}

}  // namespace
