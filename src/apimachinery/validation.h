// Name and label validation with kube-apiserver's exact messages (apimachinery 1.32:
// pkg/util/validation, pkg/api/validation, pkg/api/validation/path), and generateName.
//
// Each Is*/is_* check returns the list of problems (empty when valid) as the detail strings the
// server puts after "Invalid value: ...", e.g. for "Bad_Name" as a subdomain:
//   a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or
//   '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used
//   for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')
#pragma once
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "apimachinery/field_errors.h"

namespace orch::apimachinery::validation {

using Problems = std::vector<std::string>;

// RFC 1123 label: ≤ 63 chars of [a-z0-9-], alphanumeric at both ends (namespaces, most names
// that end up in DNS such as Service names).
Problems dns1123_label(std::string_view v);
// RFC 1123 subdomain: ≤ 253 chars, dot-separated labels (most object names: Pods, ConfigMaps).
Problems dns1123_subdomain(std::string_view v);
// RFC 1035 label: like a 1123 label but starting with a letter (Service names).
Problems dns1035_label(std::string_view v);
// Label key / "qualified name": optional DNS-subdomain prefix and '/', then a name of ≤ 63 chars
// matching ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9].
Problems qualified_name(std::string_view v);
// Label value: empty, or ≤ 63 chars matching the qualified-name name part.
Problems label_value(std::string_view v);
// Names used as path segments (every resource name): not "." or "..", no '/' or '%'. With
// prefix=true (generateName) only the '/' and '%' rules apply.
Problems path_segment_name(std::string_view v, bool prefix = false);

// ValidateNameFunc shapes: prefix=true validates a generateName, where a trailing '-' is allowed
// (the server masks it before checking, as kube-apiserver does).
using NameFunc = std::function<Problems(std::string_view name, bool prefix)>;
Problems name_is_dns_subdomain(std::string_view name, bool prefix);
Problems name_is_dns_label(std::string_view name, bool prefix);
Problems name_is_dns1035_label(std::string_view name, bool prefix);

// The BadRequest message the registry gives for a name that cannot be a path segment:
//   Name parameter invalid: "a/b": may not contain '/'
// or empty when the name is fine.
std::string name_parameter_problem(std::string_view name);

// metadata.labels: each key a qualified name, each value a label value. Errors are
// "<path>: Invalid value: \"<key or value>\": <problem>" as ValidateLabels reports them.
FieldErrorList validate_labels(const boost::json::value& labels, const FieldPath& path);
// metadata.annotations: keys qualified names (case-insensitively), total size ≤ 256 KiB.
FieldErrorList validate_annotations(const boost::json::value& annotations, const FieldPath& path);

// ValidateObjectMetaAccessor for create: generateName and name checked with name_fn, namespace
// required (and a DNS label) or forbidden, labels, annotations, finalizers' names.
FieldErrorList validate_object_meta(const boost::json::value& metadata, bool requires_namespace,
                                    const NameFunc& name_fn,
                                    const FieldPath& path = FieldPath("metadata"));

// generateName: the base cut to 58 characters, then 5 random characters from the alphabet
// Kubernetes uses ("bcdfghjklmnpqrstvwxz2456789": no vowels, no look-alikes). `random` returns
// uniformly distributed numbers; by default the OS CSPRNG is used.
inline constexpr std::string_view kNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
inline constexpr size_t kMaxGeneratedNameLength = 58;
std::string generate_name(std::string_view base, const std::function<uint32_t()>& random = {});

}  // namespace orch::apimachinery::validation
