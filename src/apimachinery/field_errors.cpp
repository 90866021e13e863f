#include "apimachinery/field_errors.h"

#include <boost/json.hpp>
#include <set>

#include "apimachinery/gofmt.h"

namespace orch::apimachinery {
namespace bj = boost::json;

FieldPath::FieldPath(std::string_view name) : text_(name) {}

FieldPath FieldPath::child(std::string_view name) const {
  FieldPath p;
  p.text_ = empty() ? std::string(name) : text_ + "." + std::string(name);
  return p;
}

FieldPath FieldPath::index(size_t i) const {
  FieldPath p;
  p.text_ = (empty() ? std::string() : text_) + "[" + std::to_string(i) + "]";
  return p;
}

FieldPath FieldPath::key(std::string_view k) const {
  FieldPath p;
  p.text_ = (empty() ? std::string() : text_) + "[" + std::string(k) + "]";
  return p;
}

std::string_view cause_type(FieldErrorType t) {
  switch (t) {
    case FieldErrorType::NotFound: return "FieldValueNotFound";
    case FieldErrorType::Required: return "FieldValueRequired";
    case FieldErrorType::Duplicate: return "FieldValueDuplicate";
    case FieldErrorType::Invalid: return "FieldValueInvalid";
    case FieldErrorType::NotSupported: return "FieldValueNotSupported";
    case FieldErrorType::Forbidden: return "FieldValueForbidden";
    case FieldErrorType::TooLong: return "FieldValueTooLong";
    case FieldErrorType::TooMany: return "FieldValueTooMany";
    case FieldErrorType::Internal: return "InternalError";
    case FieldErrorType::TypeInvalid: return "FieldValueTypeInvalid";
  }
  return "";
}

std::string_view type_text(FieldErrorType t) {
  switch (t) {
    case FieldErrorType::NotFound: return "Not found";
    case FieldErrorType::Required: return "Required value";
    case FieldErrorType::Duplicate: return "Duplicate value";
    case FieldErrorType::Invalid: return "Invalid value";
    case FieldErrorType::NotSupported: return "Unsupported value";
    case FieldErrorType::Forbidden: return "Forbidden";
    case FieldErrorType::TooLong: return "Too long";
    case FieldErrorType::TooMany: return "Too many";
    case FieldErrorType::Internal: return "Internal error";
    case FieldErrorType::TypeInvalid: return "Invalid value";
  }
  return "";
}

std::string FieldError::body() const {
  std::string s(type_text(type));
  // Required, Forbidden, TooLong and Internal never show the value (apimachinery 1.32).
  bool show = !omit_value && type != FieldErrorType::Required &&
              type != FieldErrorType::Forbidden && type != FieldErrorType::TooLong &&
              type != FieldErrorType::Internal;
  if (show) {
    if (bad_value.is_string())
      s += ": " + gofmt::quote(bad_value.get_string());
    else if (bad_value.is_null())
      s += ": null";
    else if (bad_value.is_array() || bad_value.is_object())
      s += ": " + gofmt::go_syntax(bad_value);
    else
      s += ": " + gofmt::sprint(bad_value);
  }
  if (!detail.empty()) s += ": " + detail;
  return s;
}

std::string FieldError::message() const { return field + ": " + body(); }

FieldError not_found(const FieldPath& p, bj::value v) {
  return {FieldErrorType::NotFound, p.str(), std::move(v), false, {}};
}
FieldError required(const FieldPath& p, std::string detail) {
  return {FieldErrorType::Required, p.str(), bj::string(), false, std::move(detail)};
}
FieldError duplicate(const FieldPath& p, bj::value v) {
  return {FieldErrorType::Duplicate, p.str(), std::move(v), false, {}};
}
FieldError invalid(const FieldPath& p, bj::value v, std::string detail) {
  return {FieldErrorType::Invalid, p.str(), std::move(v), false, std::move(detail)};
}
FieldError not_supported(const FieldPath& p, bj::value v, const std::vector<std::string>& valid) {
  std::string detail;
  if (!valid.empty()) {
    detail = "supported values: ";
    for (size_t i = 0; i < valid.size(); ++i) {
      if (i) detail += ", ";
      detail += gofmt::quote(valid[i]);
    }
  }
  return {FieldErrorType::NotSupported, p.str(), std::move(v), false, std::move(detail)};
}
FieldError forbidden(const FieldPath& p, std::string detail) {
  return {FieldErrorType::Forbidden, p.str(), bj::string(), false, std::move(detail)};
}
FieldError too_long(const FieldPath& p, int max_length) {
  std::string d = max_length >= 0 ? "may not be more than " + std::to_string(max_length) + " bytes"
                                   : "value is too long";
  return {FieldErrorType::TooLong, p.str(), bj::string("<value omitted>"), false, std::move(d)};
}
FieldError too_many(const FieldPath& p, int actual, int max_items) {
  std::string d = max_items >= 0 ? "must have at most " + std::to_string(max_items) + " items"
                                 : "has too many items";
  FieldError e{FieldErrorType::TooMany, p.str(), bj::value(actual), actual < 0, std::move(d)};
  return e;
}
FieldError internal_error(const FieldPath& p, std::string detail) {
  return {FieldErrorType::Internal, p.str(), nullptr, false, std::move(detail)};
}

std::string aggregate_message(const std::vector<std::string>& msgs) {
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (const auto& m : msgs)
    if (seen.insert(m).second) unique.push_back(m);
  if (unique.empty()) return {};
  if (unique.size() == 1) return unique[0];
  std::string out = "[";
  for (size_t i = 0; i < unique.size(); ++i) {
    if (i) out += ", ";
    out += unique[i];
  }
  return out + "]";
}

std::string aggregate_message(const FieldErrorList& errs) {
  std::vector<std::string> msgs;
  msgs.reserve(errs.size());
  for (const auto& e : errs) msgs.push_back(e.message());
  return aggregate_message(msgs);
}

}  // namespace orch::apimachinery
