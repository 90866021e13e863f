#include "kube/apiserver/deletion.h"

#include "base/clock.h"

namespace orch::kube {
namespace json = boost::json;

namespace {
std::optional<int64_t> int_member(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_int64() ? std::optional<int64_t>(v->as_int64()) : std::nullopt;
}

std::string string_member(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

const json::object& metadata_of(const json::object& obj) {
  static const json::object empty;
  const json::value* md = obj.if_contains("metadata");
  return md && md->is_object() ? md->as_object() : empty;
}
}  // namespace

Deletion plan_deletion(const json::object& md, std::optional<int64_t> graceful, std::optional<int64_t> requested,
                       bool held, int64_t now) {
  using A = Deletion::Action;
  const json::value* ts = md.if_contains("deletionTimestamp");
  const bool deleting = ts && !ts->is_null();
  // A grace period that has run out, with nothing holding the object, ends it at once.
  auto graceful_deletion = [&](int64_t when, int64_t grace) {
    return grace == 0 && !held ? Deletion{A::Erase} : Deletion{A::Mark, when, grace};
  };
  if (!graceful) {
    if (!held) return {A::Erase};
    return deleting ? Deletion{A::Keep} : Deletion{A::Mark, now, 0};
  }
  if (!deleting) return graceful_deletion(now + *graceful, *graceful);
  std::optional<int64_t> current = int_member(md, "deletionGracePeriodSeconds");
  if (current && *current < 0) current = 1;
  // Marked with no grace period left (or half-deleted): it goes unless something holds it.
  if (!current || *current == 0) return held ? Deletion{A::Keep} : Deletion{A::Erase};
  // Only a shorter grace period may be asked for; the deletion time moves back by the difference.
  if (!requested || *requested >= *current) return {A::Keep};
  int64_t marked = ts->is_string() ? clock::parse_iso8601(ts->as_string()).value_or(now) : now;
  return graceful_deletion(marked - *current + *requested, *requested);
}

bool erase_on_update(const json::object& obj) {
  const json::object& md = metadata_of(obj);
  const json::value* ts = md.if_contains("deletionTimestamp");
  if (!ts || ts->is_null()) return false;
  const json::value* f = md.if_contains("finalizers");
  if (f && f->is_array() && !f->as_array().empty()) return false;
  std::optional<int64_t> grace = int_member(md, "deletionGracePeriodSeconds");
  return !grace || *grace == 0;
}

void check_preconditions(const apimachinery::status::GroupResource& kind, const json::object& obj,
                         const DeleteOptions& o) {
  const json::object& md = metadata_of(obj);
  std::string name = string_member(md, "name"), uid = string_member(md, "uid"), rv = string_member(md, "resourceVersion");
  auto conflict = [&](const std::string& why) {
    return apimachinery::ApiError{apimachinery::status::conflict(kind, name, why), {}};
  };
  if (o.uid && *o.uid != uid)
    throw conflict("the UID in the precondition (" + *o.uid + ") does not match the UID in record (" + uid +
                   "). The object might have been deleted and then recreated");
  if (o.resource_version && *o.resource_version != rv)
    throw conflict("the ResourceVersion in the precondition (" + *o.resource_version +
                   ") does not match the ResourceVersion in record (" + rv + "). The object might have been modified");
}

}  // namespace orch::kube
