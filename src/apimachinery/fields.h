// Field selectors (k8s.io/apimachinery/pkg/fields): ?fieldSelector=metadata.name=x,status.phase!=Running
//
// Terms are separated by ','; each is field=value, field==value or field!=value. In values, '\'
// escapes '\', ',' and '='. Which fields a kind can be selected on is the kind's business: the
// server converts each field label per kind and refuses the others with
//   field label not supported: spec.foo                                (kinds with their own list)
//   "spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"  (others)
// The caller says how to read a field from an object (FieldGetter); selectable_fields() and
// field_value() cover the built-in kinds.
#pragma once
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apimachinery/result.h"

namespace orch::apimachinery::fields {

enum class Operator { Equals, DoubleEquals, NotEquals };

struct Term {
  std::string field;
  Operator op = Operator::Equals;
  std::string value;  // unescaped
};

// The value of a selectable field of one object ("" when the object lacks it).
using FieldGetter = std::function<std::string(std::string_view field)>;

class Selector {
 public:
  // No terms selects everything.
  bool empty() const { return terms_.empty(); }
  bool matches(const FieldGetter& get) const;
  const std::vector<Term>& terms() const { return terms_; }
  // The value a field must equal (field=value), if the selector demands one.
  std::optional<std::string> requires_exact_match(std::string_view field) const;
  // Terms in order, values escaped again: "metadata.name=a\,b,status.phase!=Running".
  std::string str() const;

  // For parse() and convert(), which build and rewrite terms.
  std::vector<Term>& mutable_terms() { return terms_; }

 private:
  std::vector<Term> terms_;  // in the order of their sorted source text, as the server keeps them
};

// fields.ParseSelector. Errors are the server's:
//   invalid selector: 'a'; can't understand 'a'
//   invalid field selector: invalid escape sequence: \x
//   invalid field selector: unescaped character in value: 61      (the rune's number, as Go prints it)
Result<Selector> parse(std::string_view selector);

// Which field labels a kind accepts. `custom` kinds have their own conversion function (Pods,
// Nodes, Events, Secrets, ...) and refuse others with "field label not supported: X"; the rest get
// the default metadata.name/metadata.namespace conversion and its wording.
struct SelectableFields {
  std::vector<std::string> labels;
  bool custom = false;
  // Renamed labels: kube-apiserver accepts spec.host for Pods and means spec.nodeName.
  std::vector<std::pair<std::string, std::string>> aliases;
};

// The built-in kinds' lists (kube-apiserver 1.32): Pod, Node, Namespace, Event, Secret,
// ReplicationController, ReplicaSet, Job, CertificateSigningRequest, ...; others get the default.
SelectableFields selectable_fields(std::string_view group, std::string_view kind);

// Checks every term's field against the kind and rewrites aliases; the error message is the
// server's (the caller answers 400 BadRequest with it).
Result<Selector> convert(Selector selector, const SelectableFields& fields);

// The value of a selectable field of a JSON object: dotted member lookup, booleans as
// "true"/"false", numbers in decimal; status.podIP falls back to status.podIPs[0].ip.
std::string field_value(const boost::json::value& object, std::string_view field);

// Escapes a literal for use as a value (\ , = get a backslash).
std::string escape_value(std::string_view v);

}  // namespace orch::apimachinery::fields
