// Server-side apply and metadata.managedFields (the field manager of kube-apiserver, simplified).
//
// Every write records which manager owns which fields, at field granularity, in
// metadata.managedFields: one entry per manager and operation,
//   {"manager":"kubectl","operation":"Apply","apiVersion":"v1","time":"...","fieldsType":"FieldsV1",
//    "fieldsV1":{"f:spec":{"f:containers":{"k:{\"name\":\"x\"}":{".":{},"f:image":{},...}}}}}
//
// apply() (PATCH application/apply-patch+yaml, kubectl apply --server-side):
//   - merges the applied configuration into the live object: maps key by key, lists by the
//     schema's list types (PatchSchema: +listType=map keys, sets, atomic lists);
//   - the manager then owns exactly the fields of its configuration;
//   - fields it owned from its previous apply and no longer applies are removed, unless another
//     manager owns them (or something below them);
//   - changing a value another manager owns is a conflict: 409
//       Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.containers[name="x"].image
//     unless force=true, which takes the fields over;
//   - as in kube-apiserver, manager "kubectl" upgrading an object that kubectl client-side apply
//     made may take over fields whose live value still equals the last-applied annotation, and
//     keeps that annotation in step with what it applies.
// update() (every other create/update/patch): the manager takes the fields that changed, other
// managers lose them; removed fields leave every manager.
//
// Not done (kube-apiserver does): converting field sets between API versions, the cap of 10
// Update entries (older ones merged into "ancient-changes"), probabilistic skipping of tracking on
// create, and schema-driven atomic maps (every map is granular here).
#pragma once
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apimachinery/fieldpath.h"
#include "apimachinery/known_fields.h"
#include "apimachinery/patch_schema.h"
#include "apimachinery/result.h"
#include "apimachinery/status.h"

namespace orch::apimachinery::managed {

struct Options {
  std::string manager;          // ?fieldManager (see manager_from_user_agent for the default)
  std::string api_version;      // the version served: "v1", "apps/v1"
  std::string kind;             // "Pod"
  std::string subresource;      // "" or "status", recorded on the entry
  std::string now;              // RFC 3339 UTC time for entries that change: "2024-05-01T10:00:00Z"
  const PatchSchema* schema = nullptr;      // list types; required
  const known::Type* known = nullptr;       // optional: apply refuses fields the kind lacks
  // Top-level or nested member paths ("status", "metadata.annotations.x") no manager may own
  // here, e.g. status on the main resource (kube-apiserver's reset fields).
  std::vector<std::string> ignored;
  // The object a create starts from, for deciding which maps and lists a create "added" whole;
  // empty_object(kind) when not given.
  std::optional<boost::json::value> create_skeleton;
};

// One metadata.managedFields entry, decoded.
struct Entry {
  std::string manager;
  std::string operation;    // "Apply" or "Update"
  std::string api_version;
  std::string time;         // "" when the entry never changed anything
  std::string subresource;
  fieldpath::Set fields;
};

// metadata.managedFields of an object; nullopt when it is malformed (the server then starts
// afresh, as it does).
std::optional<std::vector<Entry>> decode(const boost::json::value& object);
// The entries in the server's order (Apply before Update, then by time, manager, apiVersion).
boost::json::array encode(std::vector<Entry> entries);

// Server-side apply. `live` is nullptr when the object does not exist yet (apply creates it).
// Returns the new object with metadata.managedFields set. Errors:
//   400 `invalid object type: /v1, Kind=Pod` (apiVersion/kind differ from the endpoint's)
//   400 `metadata.managedFields must be nil`
//   400 when the configuration nests deeper than json::kMaxDepth
//   409 Conflict with causes [{reason: FieldManagerConflict, message: conflict with "m", field}]
//   500 (no reason) `failed to create typed patch object (ns/name; /v1, Kind=Pod): <problem>` for
//       unknown fields (`.spec.foo: field not declared in schema`), list elements without their
//       key fields, and duplicate keys.
Result<boost::json::value, ApiError> apply(const boost::json::value* live, const boost::json::value& config,
                                           bool force, const Options& options);

// Records a non-apply write: `next` is the object about to be stored (after defaulting), `live`
// the stored one (nullptr on create). Returns `next` with metadata.managedFields set. The entries
// `next` carries are used when the client sent some ([{}] clears them); otherwise the live ones.
boost::json::value update(const boost::json::value* live, boost::json::value next, const Options& options);

// The empty object of a built-in kind as kube-apiserver's typed zero value serializes it, e.g.
// Pod: {"metadata":{"creationTimestamp":null},"spec":{"containers":null},"status":{}}; other kinds
// (custom resources): {"metadata":{}}.
boost::json::value empty_object(std::string_view kind);

// The default manager for writes without ?fieldManager: the User-Agent up to its first '/',
// printable characters only, at most 128 bytes ("kubectl/v1.32.4 (linux/amd64) ..." → "kubectl").
std::string manager_from_user_agent(std::string_view user_agent);

inline constexpr std::string_view kLastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

}  // namespace orch::apimachinery::managed
