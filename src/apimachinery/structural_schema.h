// Custom resources against their CRD's openAPIV3Schema, as the apiextensions-apiserver treats
// them: pruning (members the schema does not declare are dropped, unless
// x-kubernetes-preserve-unknown-fields keeps them), validation with the kube-openapi
// validator's messages as ValidateCustomResource turns them into field errors, e.g.
//   spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
// and the structural-schema checks a CRD's schema must pass. Pure logic.
#pragma once
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "apimachinery/field_errors.h"

namespace orch::apimachinery::schema {

// Removes from `object` (a whole custom resource) what `schema` does not declare and returns
// the removed members' paths ("spec.foo", "spec.items[0].bar"), which fieldValidation reports.
// apiVersion, kind and metadata are never pruned at the root.
std::vector<std::string> prune(boost::json::value& object, const boost::json::value& schema);

// Sets the schema's `default`s where the object lacks a member (or has null where the schema does
// not allow it), at every level the object has, as the apiextensions-apiserver's structural
// defaulting does; applied after pruning and before validation, so defaults are validated too.
void default_values(boost::json::value& object, const boost::json::value& schema);

// The errors of a (pruned) custom resource against the schema: type, nullable, enum,
// minimum/maximum (and exclusive), minLength/maxLength, pattern, minItems/maxItems, required,
// x-kubernetes-int-or-string; in the order the object's members are met.
FieldErrorList validate(const boost::json::value& object, const boost::json::value& schema);

// Why a schema is not structural: the root must be an object, and every specified property,
// array item and additionalProperties schema needs a type (unless it is
// x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields). `path` names the schema
// ("spec.versions[0].schema.openAPIV3Schema").
FieldErrorList structural_errors(const boost::json::value& schema, const FieldPath& path);

}  // namespace orch::apimachinery::schema
