// Kubernetes RBAC (rbac.authorization.k8s.io/v1): the object types and their validation, the
// authorizer, ClusterRole aggregation, rules review, escalation prevention and the bootstrap
// roles. Pure logic (layer 2): no I/O, no HTTP, no store. The API server owns storage and calls in.
//
// Reference behaviour is kube-apiserver's: plugin/pkg/auth/authorizer/rbac (decisions and
// reasons), pkg/apis/rbac/validation (field errors), pkg/registry/rbac (escalation checks),
// pkg/controller/clusterroleaggregation (aggregation) and the bootstrap policy test data.
//
// Concurrency: every type here is a value; an Authorizer is immutable once built and is shared
// across threads through std::shared_ptr<const Authorizer>. On any change to roles or bindings
// the API server builds a new Authorizer from its PolicySet and swaps the pointer (for example
// with std::atomic<std::shared_ptr<const Authorizer>>); requests in flight keep the old one.
// Rebuilding (not incremental update) was chosen because a binding's effective rules depend on
// its role and, through aggregation, on other roles' labels: a rebuild can never go stale, and
// indexing 10,000 bindings takes milliseconds, far below how often RBAC objects change.
#pragma once
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace orch::rbac {

inline constexpr std::string_view kGroupName = "rbac.authorization.k8s.io";
inline constexpr std::string_view kApiVersion = "rbac.authorization.k8s.io/v1";
// The group whose members the API server lets escalate (kube's user.SystemPrivilegedGroup).
inline constexpr std::string_view kSystemMasters = "system:masters";
inline constexpr std::string_view kServiceAccountPrefix = "system:serviceaccount:";

// ---- object types ----------------------------------------------------------------------------

struct PolicyRule {
  std::vector<std::string> verbs;
  std::vector<std::string> api_groups;  // "" is the core group, "*" all groups
  std::vector<std::string> resources;   // "pods", "pods/log", "*/scale", "*"
  std::vector<std::string> resource_names;
  std::vector<std::string> non_resource_urls;  // "/healthz", "/api/*", "*"
  bool operator==(const PolicyRule&) const = default;
};

using Labels = std::map<std::string, std::string, std::less<>>;

struct LabelSelectorRequirement {
  std::string key;
  std::string op;  // In, NotIn, Exists, DoesNotExist (as written in JSON: "operator")
  std::vector<std::string> values;
  bool operator==(const LabelSelectorRequirement&) const = default;
};

struct LabelSelector {
  std::map<std::string, std::string, std::less<>> match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;
  // As metav1.LabelSelectorAsSelector: all terms must hold; an empty selector matches everything.
  bool matches(const Labels& labels) const;
  bool operator==(const LabelSelector&) const = default;
};

struct AggregationRule {
  std::vector<LabelSelector> cluster_role_selectors;
  bool operator==(const AggregationRule&) const = default;
};

// The metadata RBAC needs. The API server keeps the full JSON object for everything else.
struct ObjectMeta {
  std::string name;
  std::string ns;  // empty for cluster-scoped objects
  Labels labels;
  bool operator==(const ObjectMeta&) const = default;
};

struct Role {
  ObjectMeta metadata;
  std::vector<PolicyRule> rules;
};

struct ClusterRole {
  ObjectMeta metadata;
  std::optional<AggregationRule> aggregation_rule;  // present => rules are controller-owned
  std::vector<PolicyRule> rules;
};

struct RoleRef {
  std::string api_group;  // defaulted to rbac.authorization.k8s.io when empty
  std::string kind;       // Role | ClusterRole
  std::string name;
  bool operator==(const RoleRef&) const = default;
};

struct Subject {
  std::string kind;  // User | Group | ServiceAccount
  std::string api_group;  // defaulted: rbac.authorization.k8s.io for User and Group, "" for SAs
  std::string name;
  std::string ns;  // ServiceAccount only; in a RoleBinding empty means the binding's namespace
  bool operator==(const Subject&) const = default;
};

struct RoleBinding {
  ObjectMeta metadata;
  RoleRef role_ref;
  std::vector<Subject> subjects;
};

struct ClusterRoleBinding {
  ObjectMeta metadata;
  RoleRef role_ref;
  std::vector<Subject> subjects;
};

using Object = std::variant<Role, ClusterRole, RoleBinding, ClusterRoleBinding>;

// ---- parsing and validation -------------------------------------------------------------------

// k8s.io/apimachinery field.ErrorType. TypeInvalid marks a value of the wrong JSON type: the
// object could not be decoded at all (kube-apiserver answers those 400 BadRequest, not 422).
enum class ErrorType { Required, Invalid, NotSupported, Forbidden, TypeInvalid };

struct FieldError {
  ErrorType type = ErrorType::Invalid;
  std::string field;      // "rules[0].verbs"
  std::string bad_value;  // the value as Go prints it ("\"x\"", "[]string{\"/a\"}"); may be empty
  std::string detail;
  std::string body() const;       // "Required value: verbs must contain at least one value"
  std::string to_string() const;  // "rules[0].verbs: Required value: verbs must contain ..."
  std::string_view reason() const;  // StatusCause reason: "FieldValueRequired", ...
};
using FieldErrors = std::vector<FieldError>;

template <class T>
struct Parsed {
  T object{};          // defaulted; meaningful only when errors is empty
  FieldErrors errors;  // in the order Kubernetes reports them
  bool ok() const { return errors.empty(); }
  bool decode_error() const {
    for (const auto& e : errors)
      if (e.type == ErrorType::TypeInvalid) return true;
    return false;
  }
};

// Each takes the whole object as the API would store it ({"apiVersion", "kind", "metadata",
// ...}); apiVersion and kind may be absent (the URL decides), but must match when present.
// Defaults are applied before validation, as kube-apiserver does.
Parsed<Role> parse_role(const boost::json::value& v);
Parsed<ClusterRole> parse_cluster_role(const boost::json::value& v);
Parsed<RoleBinding> parse_role_binding(const boost::json::value& v);
Parsed<ClusterRoleBinding> parse_cluster_role_binding(const boost::json::value& v);
Parsed<Object> parse_object(const boost::json::value& v);  // dispatches on "kind"

// Update rule the API server must also enforce: a binding's roleRef is immutable.
FieldErrors validate_role_ref_update(const RoleRef& old_ref, const RoleRef& new_ref);

// kube's StatusError message for 422 Invalid: `ClusterRole.rbac.authorization.k8s.io "x" is
// invalid: rules[0].verbs: Required value: ...` (several errors are listed in [a, b]).
std::string invalid_message(std::string_view kind, std::string_view name, const FieldErrors& errs);

// RBAC defaulting on the stored JSON (roleRef.apiGroup, User/Group subjects' apiGroup), so what
// the API server stores and returns matches kube-apiserver. Leaves other fields alone.
void apply_defaults(boost::json::object& obj);

boost::json::object to_json(const PolicyRule& r);
boost::json::array to_json(const std::vector<PolicyRule>& rules);

// ---- requests and decisions ---------------------------------------------------------------------

struct UserInfo {
  std::string name;
  std::string uid;                  // not used by RBAC
  std::vector<std::string> groups;  // as authenticated, e.g. system:authenticated
  std::map<std::string, std::vector<std::string>> extra;  // not used by RBAC
};

// authorizer.Attributes. For a non-resource request set resource_request = false and path.
struct Attributes {
  UserInfo user;
  std::string verb;  // get, list, watch, create, update, patch, delete, deletecollection, ...
  bool resource_request = true;
  std::string ns;  // empty: cluster-scoped request (or all namespaces)
  std::string api_group;  // "" for the core group
  std::string api_version;
  std::string resource;
  std::string subresource;
  std::string name;
  std::string path;  // non-resource requests, e.g. /healthz
};

struct Decision {
  bool allowed = false;
  // On allow, kube's wording: `RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to
  // User "alice"`. Empty on denial: the API server words the 403 (forbidden_message).
  std::string reason;
  // Denial only, when some applicable binding names a role that does not exist: kube's
  // `RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`; kube-apiserver appends it to
  // the 403 message as the reason (forbidden_message(attrs, decision.resolution_error)).
  std::string resolution_error;
};

// The 403 message exactly as kube-apiserver writes it (responsewriters.Forbidden wrapped by
// apierrors.NewForbidden), e.g.
//   pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "ds"
//   pods "x" is forbidden: User "a" cannot get resource "pods/log" in API group "" in the namespace "ns"
//   forbidden: User "a" cannot get path "/metrics"
// A non-empty reason is appended after ": ".
std::string forbidden_message(const Attributes& a, std::string_view reason = {});

// Go's %q (strconv.Quote) of a string, and of a []string ("[\"a\" \"b\"]").
std::string go_quote(std::string_view s);
std::string go_quote(const std::vector<std::string>& list);

// ---- rules review (SelfSubjectRulesReview, kubectl auth can-i --list) -------------------------

struct ResourceRule {
  std::vector<std::string> verbs, api_groups, resources, resource_names;
  bool operator==(const ResourceRule&) const = default;
};
struct NonResourceRule {
  std::vector<std::string> verbs, non_resource_urls;
  bool operator==(const NonResourceRule&) const = default;
};
struct RulesReview {
  std::vector<ResourceRule> resource_rules;
  std::vector<NonResourceRule> non_resource_rules;
  bool incomplete = false;       // RBAC always knows all its rules
  std::string evaluation_error;  // missing roles, as kube reports them
  boost::json::object to_json() const;  // SubjectRulesReviewStatus
};

// ---- the authorizer ----------------------------------------------------------------------------

struct Snapshot {
  std::vector<Role> roles;
  std::vector<ClusterRole> cluster_roles;
  std::vector<RoleBinding> role_bindings;
  std::vector<ClusterRoleBinding> cluster_role_bindings;
};

// Immutable index over a snapshot. A decision looks up the caller's user name and each group
// (service accounts are users named system:serviceaccount:NS:NAME) in the cluster-wide index
// and, for namespaced requests, in that namespace's index; only the bindings found are
// evaluated, so cost depends on the caller's bindings, not on how many exist.
// Aggregated ClusterRoles are evaluated with the rules aggregation gives them (computed at
// build), so a role change is reflected as soon as the new Authorizer is swapped in.
class Authorizer {
 public:
  static std::shared_ptr<const Authorizer> build(const Snapshot& s);
  ~Authorizer();
  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

  // Bindings are visited as kube's resolver does, ClusterRoleBindings before RoleBindings;
  // within each, in name order (kube's is cache order), and the first rule that allows wins.
  Decision authorize(const Attributes& a) const;

  // The rules that apply to the caller in ns (cluster-wide ones when ns is empty), as kube's
  // RBAC RulesFor, then deduplicated: identical rules once, rules differing only in verbs
  // merged, and rules another rule wholly covers dropped.
  RulesReview rules_for(std::string_view user, const std::vector<std::string>& groups,
                        std::string_view ns) const;

  // kube's RulesFor without deduplication (what escalation checks compare against); missing
  // roles are reported in *errors (kube's aggregate error text) when errors is non-null.
  std::vector<PolicyRule> applicable_rules(std::string_view user,
                                           const std::vector<std::string>& groups,
                                           std::string_view ns, std::string* errors = nullptr) const;

  // The effective rules a roleRef names, as seen from a binding in ns (empty for a
  // ClusterRoleBinding); nullptr if the role does not exist.
  const std::vector<PolicyRule>* role_rules(const RoleRef& ref, std::string_view ns) const;

  size_t binding_count() const;

 private:
  struct Impl;
  explicit Authorizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The set of RBAC objects the API server holds, keyed as the API keys them. Not thread-safe:
// the API server changes it under its own lock and then calls build() to publish.
class PolicySet {
 public:
  // Parse (with defaults and validation) and insert or replace; returns the errors, if any,
  // in which case nothing changes.
  FieldErrors apply(const boost::json::value& object);
  void upsert(Role r);
  void upsert(ClusterRole r);
  void upsert(RoleBinding b);
  void upsert(ClusterRoleBinding b);
  // kind: Role, ClusterRole, RoleBinding or ClusterRoleBinding; ns empty for cluster kinds.
  bool remove(std::string_view kind, std::string_view ns, std::string_view name);

  Snapshot snapshot() const;  // objects in (namespace, name) order
  std::shared_ptr<const Authorizer> build() const { return Authorizer::build(snapshot()); }
  // For each aggregated ClusterRole, the rules to write back to storage (see
  // aggregate_cluster_roles), so stored objects show what the authorizer enforces.
  std::map<std::string, std::vector<PolicyRule>> aggregated_rules() const;

 private:
  std::map<std::pair<std::string, std::string>, Role> roles_;
  std::map<std::string, ClusterRole> cluster_roles_;
  std::map<std::pair<std::string, std::string>, RoleBinding> role_bindings_;
  std::map<std::string, ClusterRoleBinding> cluster_role_bindings_;
};

// ---- ClusterRole aggregation --------------------------------------------------------------------

// For every ClusterRole with an aggregationRule, the rules the aggregation controller writes:
// for each selector in order, the roles it selects in name order (the role itself excluded),
// each of their rules appended unless an equal rule is already there. Aggregated roles that
// select other aggregated roles see those roles' aggregated rules: the computation repeats to
// a fixed point, starting from empty rules, so a cycle yields the union of what it can reach
// and stale stored rules never survive.
std::map<std::string, std::vector<PolicyRule>> aggregate_cluster_roles(
    const std::vector<ClusterRole>& all);
// The same, written into the roles' rules.
void apply_aggregation(std::vector<ClusterRole>& all);

// ---- escalation prevention ----------------------------------------------------------------------

struct CoverResult {
  bool covered = true;
  std::vector<PolicyRule> missing;  // requested rules broken down to one verb/resource/name
};
// component-helpers' validation.Covers: whether owner's rules allow everything requested.
CoverResult covers(const std::vector<PolicyRule>& owner, const std::vector<PolicyRule>& requested);
// kube's CompactRules (merges simple rules differing only in verbs) and CompactString
// ("{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}").
std::vector<PolicyRule> compact_rules(const std::vector<PolicyRule>& rules);
std::string compact_string(const PolicyRule& r);

struct Verdict {
  enum class Outcome { Allowed, Forbidden, NotFound };
  Outcome outcome = Outcome::Allowed;
  // The Status message kube-apiserver returns (403 Forbidden or 404 NotFound), e.g.
  // `roles.rbac.authorization.k8s.io "r" is forbidden: user "x" (groups=["g"]) is attempting
  // to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], ...}`.
  std::string message;
  bool allowed() const { return outcome == Outcome::Allowed; }
};

// kube's ConfirmNoEscalation: whether user's rules in ns (cluster-wide rules only when ns is
// empty) cover rules. On refusal message is the bare error text (no "... is forbidden: ").
Verdict confirm_no_escalation(const Authorizer& a, const UserInfo& user, std::string_view ns,
                              const std::vector<PolicyRule>& rules);

// Creating or updating a Role (ns non-empty) or ClusterRole (ns empty) named object_name with
// rules. request is the create/update request itself: its user, and its resource, namespace and
// name are what the `escalate` check authorizes (kube's RoleEscalationAuthorized; name is empty
// on create). Members of system:masters, and callers allowed `escalate` on roles/clusterroles,
// may grant anything; others only what they hold. Pass aggregation_rule = true when the new
// ClusterRole, or on update the old one, has an aggregationRule: that needs full authority
// ("must have cluster-admin privileges to use the aggregationRule").
Verdict may_create_role(const Authorizer& a, const Attributes& request, std::string_view ns,
                        const std::vector<PolicyRule>& rules, std::string_view object_name = {},
                        bool aggregation_rule = false);

// Creating or updating a binding: allowed for system:masters, for callers allowed `bind` on the
// referenced role (in the binding's namespace, or cluster-wide for a ClusterRoleBinding), and
// for callers who already hold every permission the role grants there. NotFound if the role
// does not exist (and the caller may not simply bind it).
Verdict may_bind(const Authorizer& a, const UserInfo& creator, const RoleBinding& binding);
Verdict may_bind(const Authorizer& a, const UserInfo& creator, const ClusterRoleBinding& binding);

// ---- bootstrap policy ----------------------------------------------------------------------------

// The default ClusterRoles and ClusterRoleBindings kube-apiserver creates (cluster-admin, admin,
// edit, view and the system:aggregate-to-* roles feeding them, system:basic-user,
// system:discovery, system:public-info-viewer, system:monitoring,
// system:service-account-issuer-discovery), as full JSON objects; admin, edit and view carry
// their aggregated rules. ClusterRoles first, then bindings, each in name order.
std::vector<boost::json::value> bootstrap_objects();

}  // namespace orch::rbac
