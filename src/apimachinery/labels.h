// Label selectors (k8s.io/apimachinery/pkg/labels, metav1.LabelSelector).
//
// The string form is what ?labelSelector= and kubectl -l carry:
//   a=b,c!=d,e in (x,y),f notin (z),g,!h     (also ==, and the server's extra gt/lt forms a>1, a<1)
// Parse errors are kube-apiserver's, word for word, e.g.
//   unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of ...
//   found '', expected: identifier after ','
// The structured form is metav1.LabelSelector {matchLabels, matchExpressions[{key, operator,
// values}]}, as Deployments, ReplicaSets, Jobs and NetworkPolicies hold it.
#pragma once
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apimachinery/field_errors.h"
#include "apimachinery/result.h"

namespace orch::apimachinery::labels {

enum class Operator { In, NotIn, Equals, DoubleEquals, NotEquals, Exists, DoesNotExist, GreaterThan, LessThan };

// The label set of an object: metadata.labels.
using Set = std::map<std::string, std::string, std::less<>>;
// metadata.labels as JSON (an object of strings; anything else gives an empty or partial set).
Set set_from_json(const boost::json::value& labels);

struct Requirement {
  std::string key;
  Operator op = Operator::Exists;
  std::vector<std::string> values;  // sorted, without duplicates

  bool matches(const Set& labels) const;
  // "a in (x,y)", "!a", "a!=b" — the server's canonical rendering.
  std::string str() const;
};

// labels.NewRequirement: validates the key, the values and the operator's arity; the error is the
// aggregate of field errors, e.g. `values[0][app]: Invalid value: "-x": a valid label must ...`.
Result<Requirement> make_requirement(std::string key, Operator op, std::vector<std::string> values);

class Selector {
 public:
  static Selector everything() { return Selector(); }
  static Selector nothing();

  // All requirements hold (AND). `nothing()` matches no set; an empty selector matches all.
  bool matches(const Set& labels) const;
  bool empty() const { return !nothing_ && reqs_.empty(); }
  bool matches_nothing() const { return nothing_; }
  // Requirements sorted by key, joined with ','.
  std::string str() const;
  const std::vector<Requirement>& requirements() const { return reqs_; }
  // The single value key must equal (a=b, a==b or a in (b)), if the selector demands one.
  std::optional<std::string> requires_exact_match(std::string_view key) const;

  void add(Requirement r);

 private:
  std::vector<Requirement> reqs_;
  bool nothing_ = false;
};

// labels.Parse.
Result<Selector> parse(std::string_view selector);

// metav1.LabelSelectorAsSelector: null → nothing(); {} → everything(); unknown operator →
// `"Foo" is not a valid label selector operator`.
Result<Selector> from_label_selector(const boost::json::value& label_selector);

// ValidateLabelSelector for objects that embed one (spec.selector), e.g.
//   spec.selector.matchExpressions[0].values: Required value: must be specified when `operator`
//   is 'In' or 'NotIn'
FieldErrorList validate_label_selector(const boost::json::value& label_selector, const FieldPath& path);

}  // namespace orch::apimachinery::labels
