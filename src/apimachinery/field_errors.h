// Field-level validation errors (k8s.io/apimachinery/pkg/util/validation/field): a field path, a
// type, the offending value and a detail, rendered exactly as kube-apiserver renders them, e.g.
//   metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of ...
//   spec.containers[0].image: Required value
// A list of them becomes an Invalid (422) Status through status::invalid (status.h).
#pragma once
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace orch::apimachinery {

// A field path as validation code builds it: FieldPath("spec").child("containers").index(0)
// renders "spec.containers[0]"; key("app") renders "[app]" (map keys are not quoted).
class FieldPath {
 public:
  FieldPath() = default;  // the empty path; renders "<nil>", like a nil *field.Path
  explicit FieldPath(std::string_view name);
  FieldPath child(std::string_view name) const;
  FieldPath index(size_t i) const;
  FieldPath key(std::string_view k) const;
  const std::string& str() const { return text_; }
  bool empty() const { return text_ == "<nil>"; }

 private:
  std::string text_ = "<nil>";
};

enum class FieldErrorType {
  NotFound,      // FieldValueNotFound    "Not found"
  Required,      // FieldValueRequired    "Required value"
  Duplicate,     // FieldValueDuplicate   "Duplicate value"
  Invalid,       // FieldValueInvalid     "Invalid value"
  NotSupported,  // FieldValueNotSupported "Unsupported value"
  Forbidden,     // FieldValueForbidden   "Forbidden"
  TooLong,       // FieldValueTooLong     "Too long"
  TooMany,       // FieldValueTooMany     "Too many"
  Internal,      // InternalError         "Internal error"
  TypeInvalid,   // FieldValueTypeInvalid "Invalid value"
};

// The StatusCause "reason" for the type ("FieldValueRequired", ...).
std::string_view cause_type(FieldErrorType t);
// The canonical text for the type ("Required value", ...).
std::string_view type_text(FieldErrorType t);

struct FieldError {
  FieldErrorType type = FieldErrorType::Invalid;
  std::string field;                // rendered path, e.g. "spec.containers[0].image"
  boost::json::value bad_value;     // what was found; null renders as null
  bool omit_value = false;          // render the type text without a value
  std::string detail;               // appended after ": " when not empty

  // "Invalid value: \"x\": detail" (field.Error.ErrorBody): strings are quoted as Go's %q, numbers
  // and booleans printed plain, lists of strings as []string{"a"}, other composites as %#v.
  std::string body() const;
  // "field: body" (field.Error.Error).
  std::string message() const;
};

using FieldErrorList = std::vector<FieldError>;

// Constructors with kube-apiserver's wording for the details they generate themselves.
FieldError not_found(const FieldPath& p, boost::json::value v);
FieldError required(const FieldPath& p, std::string detail = {});
FieldError duplicate(const FieldPath& p, boost::json::value v);
FieldError invalid(const FieldPath& p, boost::json::value v, std::string detail);
// detail: supported values: "a", "b"
FieldError not_supported(const FieldPath& p, boost::json::value v,
                         const std::vector<std::string>& valid);
FieldError forbidden(const FieldPath& p, std::string detail);
// detail: may not be more than N bytes (value omitted)
FieldError too_long(const FieldPath& p, int max_length);
// detail: must have at most N items
FieldError too_many(const FieldPath& p, int actual, int max_items);
FieldError internal_error(const FieldPath& p, std::string detail);

// errors.ToAggregate().Error(): "" for none, the message for one, "[m1, m2]" for several, with
// duplicate messages dropped.
std::string aggregate_message(const FieldErrorList& errs);
// The same for plain strings (utilerrors.NewAggregate of non-field errors).
std::string aggregate_message(const std::vector<std::string>& msgs);

}  // namespace orch::apimachinery
