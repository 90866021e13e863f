// Unknown- and duplicate-field detection for ?fieldValidation=Strict|Warn (server-side field
// validation). The caller describes the fields each kind has; this finds what a request body
// has beyond them and words it as kube-apiserver does:
//   create/update/patch (strict decoding):  unknown field "spec.containers[0].foo"
//                                           duplicate field "image"
//       → Strict: 400 `Pod in version "v1" cannot be handled as a Pod: strict decoding error:
//         unknown field "spec.foo"`; Warn: one `Warning: 299 - "unknown field \"spec.foo\""` each
//   server-side apply (typed conversion):   .spec.containers[name="x"].foo: field not declared in schema
//
// Schema description (JSON), compact on purpose:
//   "string" | "integer" | "number" | "boolean" | "scalar"   a leaf
//   "any"                                  anything, unchecked (x-kubernetes-preserve-unknown-fields)
//   "#Name"                                the named type Name from "types"
//   {"field": <shape>, ...}                an object with exactly these fields;
//                                          a "*": <shape> member allows any other key (maps:
//                                          labels are {"*": "string"})
//   [<shape>]                              a list of <shape>
// A document is {"types": {"Name": <shape>, ...}, "kinds": {"Pod": <shape>, ...}}.
#pragma once
#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "apimachinery/result.h"

namespace orch::apimachinery::known {

struct Type {
  enum class Kind { Any, Scalar, Object, List };
  Kind kind = Kind::Any;
  std::map<std::string, const Type*, std::less<>> fields;  // Object
  const Type* additional = nullptr;                         // Object: type of undeclared keys, if allowed
  const Type* elem = nullptr;                               // List

  // The type of member `name`, or nullptr when the object does not declare it.
  const Type* field(std::string_view name) const;
};

// The types of a set of kinds; owns every Type it hands out.
class Schema {
 public:
  static Result<Schema> from_json(const boost::json::value& doc);
  // The root type of a kind, or nullptr (then nothing is checked).
  const Type* kind(std::string_view kind) const;

 private:
  std::vector<std::unique_ptr<Type>> types_;
  std::map<std::string, const Type*, std::less<>> kinds_;
};

// Paths of members the type does not declare, in document order, in the decoder's notation:
// "spec.foo", "spec.containers[0].foo", "metadata.labels" never (maps allow any key).
std::vector<std::string> unknown_fields(const boost::json::value& object, const Type& type);

// Member names that occur twice in one JSON object anywhere in the text, in document order
// (the parsed value keeps only one, so this reads the text). Malformed text yields what was
// found before the error.
std::vector<std::string> duplicate_fields(std::string_view json_text);

std::string unknown_field_message(std::string_view path);    // unknown field "spec.foo"
std::string duplicate_field_message(std::string_view name);  // duplicate field "image"
// "strict decoding error: " + messages joined with ", ".
std::string strict_decoding_error(const std::vector<std::string>& messages);
// The create/update BadRequest message: `Pod in version "v1" cannot be handled as a Pod: <err>`.
std::string cannot_be_handled(std::string_view kind, std::string_view version, std::string_view err);
// A Warning header value carrying text: 299 - "text" (text quoted as Go's %q).
std::string warning_header(std::string_view text);

}  // namespace orch::apimachinery::known
