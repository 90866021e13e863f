#include "apimachinery/managed_fields.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "apimachinery/gofmt.h"
#include "apimachinery/json_util.h"

namespace orch::apimachinery::managed {
namespace bj = boost::json;
using fieldpath::Path;
using fieldpath::PathElement;
using fieldpath::Set;

namespace {

// ---- managers ------------------------------------------------------------------------------

// The manager identifier kube-apiserver keys ownership by: the entry without time and fields,
// and without apiVersion for appliers (an applier stays itself across versions).
std::string identifier(const Entry& e) {
  bj::object o;
  if (!e.manager.empty()) o["manager"] = e.manager;
  if (!e.operation.empty()) o["operation"] = e.operation;
  if (e.operation != "Apply" && !e.api_version.empty()) o["apiVersion"] = e.api_version;
  if (!e.subresource.empty()) o["subresource"] = e.subresource;
  return bj::serialize(o);
}

// How conflict messages name a manager: "kubectl", `"m" using v1`, `"m" with subresource "status"`.
std::string print_manager(const Entry& e) {
  std::string s = gofmt::quote(e.manager);
  if (!e.subresource.empty()) s += " with subresource " + gofmt::quote(e.subresource);
  if (e.operation == "Update") s += " using " + e.api_version;
  return s;
}

using Managers = std::map<std::string, Entry>;  // by identifier

Managers to_managers(const std::vector<Entry>& entries) {
  Managers m;
  for (const auto& e : entries) m[identifier(e)] = e;
  return m;
}

std::vector<Entry> to_entries(const Managers& m) {
  std::vector<Entry> out;
  for (const auto& [id, e] : m)
    if (!e.fields.empty()) out.push_back(e);
  return out;
}

// ---- paths and list types ---------------------------------------------------------------------

enum class ListKind { Atomic, Map, Set };

ListKind list_kind(const ListStrategy* st) {
  if (!st) return ListKind::Atomic;
  switch (st->ssa) {
    case ListStrategy::Ssa::Map: return ListKind::Map;
    case ListStrategy::Ssa::Set: return ListKind::Set;
    default: return ListKind::Atomic;
  }
}

// The path element of a list item, or an error in structured-merge-diff's words.
std::optional<PathElement> item_pe(ListKind kind, const ListStrategy& st, const bj::value& item, std::string& err) {
  if (kind == ListKind::Map) {
    if (item.is_null()) {
      err = "associative list with keys may not have a null element";
      return std::nullopt;
    }
    if (!item.is_object()) {
      err = "associative list with keys may not have non-map elements";
      return std::nullopt;
    }
    bj::object key;
    for (const auto& k : st.map_keys) {
      if (auto* v = json::find(item, k)) {
        key[k] = *v;
      } else if (auto it = st.key_defaults.find(k); it != st.key_defaults.end()) {
        key[k] = it->value();
      } else {
        err = "associative list with keys has an element that omits key field " + gofmt::quote(k) +
              " (and doesn't have default value)";
        return std::nullopt;
      }
    }
    return PathElement::of_key(std::move(key));
  }
  if (item.is_object()) {
    err = "associative list without keys has an element that's a map type";
    return std::nullopt;
  }
  if (item.is_array()) {
    err = "associative list without keys has an element that's a list type";
    return std::nullopt;
  }
  return PathElement::of_value(item);
}

struct Keyed {
  std::vector<PathElement> order;                  // distinct elements, first-seen order
  std::vector<std::vector<const bj::value*>> items;  // the items of each, in order
  long find(const PathElement& pe) const {
    for (size_t i = 0; i < order.size(); ++i)
      if (fieldpath::compare(order[i], pe) == 0) return static_cast<long>(i);
    return -1;
  }
};

// Keys every element of a list; false when some element cannot be keyed (the list is then
// handled as atomic: live data the schema does not fit is kept as it is).
bool key_items(const bj::array& a, ListKind kind, const ListStrategy& st, Keyed& out) {
  for (const auto& item : a) {
    std::string err;
    auto pe = item_pe(kind, st, item, err);
    if (!pe) return false;
    long i = out.find(*pe);
    if (i < 0) {
      out.order.push_back(*pe);
      out.items.push_back({&item});
    } else {
      out.items[static_cast<size_t>(i)].push_back(&item);
    }
  }
  return true;
}

class Walker {
 public:
  explicit Walker(const PatchSchema& schema) : schema_(schema) {}

  const ListStrategy* strategy(const std::string& spath) const { return schema_.list(spath); }

  // ToFieldSet: leaves, empty maps and nulls, list items (and for duplicated items only the item).
  void field_set(const bj::value& v, const std::string& spath, Path& path, Set& out) const {
    if (v.is_object()) {
      for (const auto& kv : v.get_object()) {
        path.push_back(PathElement::of_field(std::string(kv.key())));
        const bj::value& c = kv.value();
        if (c.is_null() || (c.is_object() && c.get_object().empty())) out.insert(path);
        field_set(c, schema_child(spath, kv.key()), path, out);
        path.pop_back();
      }
      return;
    }
    if (v.is_array()) {
      const ListStrategy* st = strategy(spath);
      ListKind kind = list_kind(st);
      Keyed k;
      if (kind == ListKind::Atomic || !key_items(v.get_array(), kind, *st, k)) {
        out.insert(path);
        return;
      }
      for (size_t i = 0; i < k.order.size(); ++i) {
        path.push_back(k.order[i]);
        out.insert(path);
        if (k.items[i].size() == 1) field_set(*k.items[i][0], schema_elem(spath), path, out);
        path.pop_back();
      }
      return;
    }
    out.insert(path);
  }

  struct Comparison {
    Set added, modified, removed;
  };

  void compare(const bj::value* l, const bj::value* r, const std::string& spath, Path& path, Comparison& c) const {
    if (!l && !r) return;
    auto shape = [](const bj::value& v) { return v.is_object() ? 1 : v.is_array() ? 2 : 0; };
    // A null facing a non-empty map or list is that container, present but empty (a typed nil
    // slice or map): its contents are added or removed, the container itself is not.
    bj::value empty;
    auto non_empty = [](const bj::value* v) {
      return v && ((v->is_object() && !v->get_object().empty()) || (v->is_array() && !v->get_array().empty()));
    };
    if (l && r && l->is_null() && non_empty(r)) {
      empty = r->is_object() ? bj::value(bj::object()) : bj::value(bj::array());
      l = &empty;
    } else if (l && r && r->is_null() && non_empty(l)) {
      empty = l->is_object() ? bj::value(bj::object()) : bj::value(bj::array());
      r = &empty;
    }
    const bj::value& any = r ? *r : *l;
    if (l && r && shape(*l) != shape(*r)) return leaf(l, r, path, c);
    if (any.is_object()) {
      bool l_empty = !l || l->get_object().empty(), r_empty = !r || r->get_object().empty();
      if (l_empty && r_empty) return leaf(l, r, path, c);
      std::vector<std::string> keys;
      if (l)
        for (const auto& kv : l->get_object()) keys.emplace_back(kv.key());
      if (r)
        for (const auto& kv : r->get_object())
          if (!l || !l->get_object().contains(kv.key())) keys.emplace_back(kv.key());
      for (const auto& k : keys) {
        path.push_back(PathElement::of_field(k));
        compare(l ? json::find(*l, k) : nullptr, r ? json::find(*r, k) : nullptr, schema_child(spath, k), path, c);
        path.pop_back();
      }
      return node_presence(l, r, path, c);
    }
    if (any.is_array()) {
      const ListStrategy* st = strategy(spath);
      ListKind kind = list_kind(st);
      bool l_empty = !l || l->get_array().empty(), r_empty = !r || r->get_array().empty();
      Keyed lk, rk;
      if (kind == ListKind::Atomic || (l_empty && r_empty) || (l && !key_items(l->get_array(), kind, *st, lk)) ||
          (r && !key_items(r->get_array(), kind, *st, rk)))
        return leaf(l, r, path, c);
      std::vector<PathElement> all = lk.order;
      for (const auto& pe : rk.order)
        if (lk.find(pe) < 0) all.push_back(pe);
      for (const auto& pe : all) {
        long li = lk.find(pe), ri = rk.find(pe);
        std::vector<const bj::value*> none;
        const auto& ll = li >= 0 ? lk.items[static_cast<size_t>(li)] : none;
        const auto& rl = ri >= 0 ? rk.items[static_cast<size_t>(ri)] : none;
        path.push_back(pe);
        if (ll.size() <= 1 && rl.size() <= 1) {
          compare(ll.empty() ? nullptr : ll[0], rl.empty() ? nullptr : rl[0], schema_elem(spath), path, c);
        } else if (ll.size() >= 2 && rl.size() >= 2) {
          bool same = ll.size() == rl.size();
          for (size_t i = 0; same && i < ll.size(); ++i) same = json::equal(*ll[i], *rl[i]);
          if (!same) c.modified.insert(path);
        } else if (ll.size() >= 2) {
          if (!rl.empty()) compare(nullptr, rl[0], schema_elem(spath), path, c);
          c.removed.insert(path);
        } else {
          if (!ll.empty()) compare(ll[0], nullptr, schema_elem(spath), path, c);
          c.added.insert(path);
        }
        path.pop_back();
      }
      return node_presence(l, r, path, c);
    }
    leaf(l, r, path, c);
  }

  // live.Merge(config) for apply: the configuration wins; maps merge; keyed lists merge by key
  // with the configuration's order for its elements and live-only elements kept in place.
  bj::value merge(const bj::value* l, const bj::value& r, const std::string& spath) const {
    if (!l) return without_nulls(r);
    if (l->is_object() && r.is_object()) {
      bj::value out = *l;
      auto& o = out.get_object();
      for (const auto& kv : r.get_object()) {
        if (kv.value().is_null()) {
          o.erase(kv.key());
          continue;
        }
        o[kv.key()] = merge(json::find(*l, kv.key()), kv.value(), schema_child(spath, kv.key()));
      }
      return out;
    }
    if (l->is_array() && r.is_array()) {
      const ListStrategy* st = strategy(spath);
      ListKind kind = list_kind(st);
      Keyed lk, rk;
      if (kind == ListKind::Atomic || !key_items(l->get_array(), kind, *st, lk) ||
          !key_items(r.get_array(), kind, *st, rk))
        return without_nulls(r);
      return merge_lists(l->get_array(), lk, rk, kind, *st, spath);
    }
    return without_nulls(r);
  }

  // Removes from v what `remove` lists unless `keep` owns it (a member field also when keep owns
  // something below it). Key fields of list items that stay are never removed. Returns whether
  // anything went.
  bool prune(bj::value& v, const std::string& spath, Path& path, const Set& remove, const Set& keep,
             const std::vector<std::string>* key_fields = nullptr) const {
    bool removed = false;
    if (v.is_object()) {
      auto& o = v.get_object();
      for (auto it = o.begin(); it != o.end();) {
        std::string k(it->key());
        if (key_fields && std::find(key_fields->begin(), key_fields->end(), k) != key_fields->end()) {
          ++it;
          continue;
        }
        path.push_back(PathElement::of_field(k));
        bool erase = false;
        if (remove.has(path) && !keep.has_prefix(path)) {
          erase = true;
        } else if ((it->value().is_object() || it->value().is_array()) &&
                   prune(it->value(), schema_child(spath, k), path, remove, keep)) {
          removed = true;
          // A map emptied by pruning goes too, unless someone owns it as it is.
          erase = it->value().is_object() && it->value().get_object().empty() && !keep.has(path);
        }
        path.pop_back();
        if (erase) {
          it = o.erase(it);
          removed = true;
        } else {
          ++it;
        }
      }
      return removed;
    }
    if (v.is_array()) {
      const ListStrategy* st = strategy(spath);
      ListKind kind = list_kind(st);
      if (kind == ListKind::Atomic) return false;
      auto& a = v.get_array();
      for (auto it = a.begin(); it != a.end();) {
        std::string err;
        auto pe = item_pe(kind, *st, *it, err);
        if (!pe) {
          ++it;
          continue;
        }
        path.push_back(*pe);
        // An item survives only if someone owns the item itself: owning a field inside it does not
        // keep it (structured-merge-diff makes only named fields members of their ancestors).
        bool erase = remove.has(path) && !keep.has(path);
        if (!erase && it->is_object() && prune(*it, schema_elem(spath), path, remove, keep, &st->map_keys))
          removed = true;
        path.pop_back();
        if (erase) {
          it = a.erase(it);
          removed = true;
        } else {
          ++it;
        }
      }
    }
    return removed;
  }

  // The typed conversion of an applied configuration: unknown fields (when a schema is given),
  // list elements that cannot be keyed and duplicate keys, as "<path>: <problem>".
  void validate(const bj::value& v, const known::Type* t, const std::string& spath, Path& path,
                std::vector<std::string>& errs) const {
    if (t && t->kind == known::Type::Kind::Any) t = nullptr;
    if (v.is_object()) {
      for (const auto& kv : v.get_object()) {
        path.push_back(PathElement::of_field(std::string(kv.key())));
        const known::Type* ft = nullptr;
        if (t && t->kind == known::Type::Kind::Object) {
          ft = t->field(kv.key());
          if (!ft) ft = t->additional;
          if (!ft) {
            errs.push_back(fieldpath::to_string(path) + ": field not declared in schema");
            path.pop_back();
            continue;
          }
        }
        validate(kv.value(), ft, schema_child(spath, kv.key()), path, errs);
        path.pop_back();
      }
      return;
    }
    if (!v.is_array()) return;
    const known::Type* et = t && t->kind == known::Type::Kind::List ? t->elem : nullptr;
    const ListStrategy* st = strategy(spath);
    ListKind kind = list_kind(st);
    const auto& a = v.get_array();
    if (kind == ListKind::Atomic) {
      for (size_t i = 0; i < a.size(); ++i) {
        path.push_back(PathElement::of_index(static_cast<int64_t>(i)));
        validate(a[i], et, schema_elem(spath), path, errs);
        path.pop_back();
      }
      return;
    }
    std::vector<PathElement> seen;
    for (size_t i = 0; i < a.size(); ++i) {
      std::string err;
      auto pe = item_pe(kind, *st, a[i], err);
      if (!pe) {
        errs.push_back(fieldpath::to_string(path) + ": element " + std::to_string(i) + ": " + err);
        continue;
      }
      bool dup = std::any_of(seen.begin(), seen.end(), [&](const PathElement& s) { return fieldpath::compare(s, *pe) == 0; });
      if (dup) {
        errs.push_back(fieldpath::to_string(path) + ": duplicate entries for key " + pe->str());
        continue;
      }
      seen.push_back(*pe);
      path.push_back(*pe);
      validate(a[i], et, schema_elem(spath), path, errs);
      path.pop_back();
    }
  }

 private:
  static void leaf(const bj::value* l, const bj::value* r, const Path& path, Comparison& c) {
    if (path.empty()) return;
    if (!l)
      c.added.insert(path);
    else if (!r)
      c.removed.insert(path);
    else if (!json::equal(*l, *r))
      c.modified.insert(path);
  }
  static void node_presence(const bj::value* l, const bj::value* r, const Path& path, Comparison& c) {
    if (path.empty()) return;
    if (!l)
      c.added.insert(path);
    else if (!r)
      c.removed.insert(path);
  }

  static bj::value without_nulls(const bj::value& v) {
    if (v.is_object()) {
      bj::object o;
      for (const auto& kv : v.get_object())
        if (!kv.value().is_null()) o[kv.key()] = without_nulls(kv.value());
      return o;
    }
    if (v.is_array()) {
      bj::array a;
      for (const auto& e : v.get_array()) a.push_back(without_nulls(e));
      return a;
    }
    return v;
  }

  bj::value merge_lists(const bj::array& l, const Keyed& lk, const Keyed& rk, ListKind kind, const ListStrategy& st,
                        const std::string& spath) const {
    bj::array out;
    std::vector<bool> emitted(rk.order.size(), false);
    size_t next = 0;  // rk elements before `next` are placed
    auto emit_config = [&](size_t ri) {
      if (emitted[ri]) return;
      emitted[ri] = true;
      long li = lk.find(rk.order[ri]);
      const bj::value* lv = nullptr;
      // Duplicated live items are not merged with the configuration; it replaces them.
      if (li >= 0 && lk.items[static_cast<size_t>(li)].size() == 1) lv = lk.items[static_cast<size_t>(li)][0];
      out.push_back(merge(lv, *rk.items[ri][0], schema_elem(spath)));
    };
    for (const auto& item : l) {
      std::string err;
      auto pe = item_pe(kind, st, item, err);
      long ri = pe ? rk.find(*pe) : -1;
      if (ri < 0) {
        out.push_back(item);  // live only: stays where it is
        continue;
      }
      // A shared element: the configuration's elements up to it come here, in its order.
      for (; next <= static_cast<size_t>(ri); ++next) emit_config(next);
    }
    for (; next < rk.order.size(); ++next) emit_config(next);
    return out;
  }

  const PatchSchema& schema_;
};

// ---- shared steps --------------------------------------------------------------------------

Set strip_meta(Set s) {
  static const std::vector<Path> strip = [] {
    std::vector<Path> v;
    auto f = [](std::initializer_list<const char*> names) {
      Path p;
      for (auto* n : names) p.push_back(PathElement::of_field(n));
      return p;
    };
    for (auto p : {f({"apiVersion"}), f({"kind"}), f({"metadata"}), f({"metadata", "name"}),
                   f({"metadata", "namespace"}), f({"metadata", "creationTimestamp"}), f({"metadata", "selfLink"}),
                   f({"metadata", "uid"}), f({"metadata", "clusterName"}), f({"metadata", "generation"}),
                   f({"metadata", "managedFields"}), f({"metadata", "resourceVersion"})})
      v.push_back(p);
    return v;
  }();
  Set drop;
  for (const auto& p : strip) drop.insert(p);
  return s.difference(drop);
}

// Drops paths at or under the ignored (reset) fields.
Set filter_ignored(const Set& s, const std::vector<Path>& ignored) {
  if (ignored.empty()) return s;
  Set out;
  for (const auto& p : s.paths()) {
    bool skip = std::any_of(ignored.begin(), ignored.end(), [&](const Path& ig) {
      if (p.size() < ig.size()) return false;
      for (size_t i = 0; i < ig.size(); ++i)
        if (fieldpath::compare(p[i], ig[i]) != 0) return false;
      return true;
    });
    if (!skip) out.insert(p);
  }
  return out;
}

std::vector<Path> ignored_paths(const Options& o) {
  std::vector<Path> out;
  for (const auto& dotted : o.ignored) {
    Path p;
    std::string_view s = dotted;
    while (!s.empty()) {
      auto dot = s.find('.');
      p.push_back(PathElement::of_field(std::string(s.substr(0, dot))));
      if (dot == std::string_view::npos) break;
      s.remove_prefix(dot + 1);
    }
    out.push_back(std::move(p));
  }
  return out;
}

bj::value without_managed_fields(const bj::value& obj) {
  bj::value out = obj.is_object() ? obj : bj::value(bj::object());
  if (auto* md = json::find(out, "metadata"); md && md->is_object()) md->get_object().erase("managedFields");
  return out;
}

bj::value skeleton(const Options& o) {
  if (o.create_skeleton) return *o.create_skeleton;
  return empty_object(o.kind);
}

void set_managed_fields(bj::value& obj, const Managers& managers) {
  if (!obj.is_object()) return;
  auto entries = to_entries(managers);
  bj::value& md = obj.get_object()["metadata"];
  if (!md.is_object()) md = bj::object();
  if (entries.empty())
    md.get_object().erase("managedFields");
  else
    md.get_object()["managedFields"] = encode(std::move(entries));
}

Walker::Comparison compare_objects(const Walker& w, const bj::value& l, const bj::value& r,
                                   const std::vector<Path>& ignored) {
  Walker::Comparison c;
  Path path;
  w.compare(&l, &r, "", path, c);
  c.added = filter_ignored(c.added, ignored);
  c.modified = filter_ignored(c.modified, ignored);
  c.removed = filter_ignored(c.removed, ignored);
  return c;
}

// The Update bookkeeping: `manager` takes what changed; everyone loses what changed or went.
void record_update(Managers& managers, const Walker& w, const bj::value& before, const bj::value& after,
                   const Entry& who, const std::string& now, const std::vector<Path>& ignored) {
  auto c = compare_objects(w, before, after, ignored);
  Set changed = c.added.union_with(c.modified);
  for (auto& [id, e] : managers) e.fields = e.fields.difference(changed).difference(c.removed);
  Set current = strip_meta(changed);
  std::string id = identifier(who);
  if (!current.empty()) {
    Entry& e = managers[id];
    Set previous = e.fields;
    e = who;
    e.fields = current.union_with(previous);
    e.time = now;
  }
  for (auto it = managers.begin(); it != managers.end();) {
    if (it->second.fields.empty())
      it = managers.erase(it);
    else
      ++it;
  }
}

Entry entry_for(const Options& o, std::string_view operation, std::string manager) {
  Entry e;
  e.manager = manager.empty() ? "unknown" : std::move(manager);
  e.operation = operation;
  e.api_version = o.api_version;
  e.subresource = o.subresource;
  return e;
}

std::string gvk_string(const bj::value& obj) {
  std::string av, kind;
  if (auto* v = json::find(obj, "apiVersion"); v && v->is_string()) av = v->get_string();
  if (auto* v = json::find(obj, "kind"); v && v->is_string()) kind = v->get_string();
  auto slash = av.find('/');
  std::string group = slash == std::string::npos ? "" : av.substr(0, slash);
  std::string version = slash == std::string::npos ? av : av.substr(slash + 1);
  return group + "/" + version + ", Kind=" + kind;
}

std::string meta_string(const bj::value& obj, const char* field) {
  auto* v = json::find_path(obj, std::string("metadata.") + field);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

Result<bj::value, ApiError> fail(bj::object status, std::string detail) {
  return Result<bj::value, ApiError>::failure(ApiError{std::move(status), std::move(detail)});
}

// The fields client-side apply left that may change hands without a conflict: those of the
// last-applied annotation whose live value still matches it.
std::optional<Set> allowed_from_last_applied(const Walker& w, const bj::value& live, const Options& o) {
  auto* ann = json::find_path(live, "metadata.annotations");
  auto* la = ann ? json::find(*ann, kLastAppliedAnnotation) : nullptr;
  if (!la || !la->is_string() || la->get_string().empty()) return std::nullopt;
  bj::error_code ec;
  bj::value last = bj::parse(la->get_string(), ec);
  if (ec || !last.is_object() || json::exceeds_depth(last)) return std::nullopt;
  auto* av = json::find(last, "apiVersion");
  if (!av || !av->is_string() || av->get_string() != o.api_version) return std::nullopt;
  Set set;
  Path path;
  w.field_set(last, "", path, set);
  Walker::Comparison c;
  w.compare(&last, &live, "", path, c);
  return set.difference(c.modified).difference(c.added).difference(c.removed);
}

}  // namespace

bj::value empty_object(std::string_view kind) {
  // What the server's zero-valued Go structs serialize to: members without omitempty are present
  // (null for slices and pointers, {} for structs), which decides which lists and maps a create
  // "adds" as a whole (a "." in managedFields) and which it only fills.
  const bj::value template_spec = bj::object{{"metadata", bj::object{{"creationTimestamp", nullptr}}},
                                             {"spec", bj::object{{"containers", nullptr}}}};
  bj::object meta{{"creationTimestamp", nullptr}};
  if (kind == "Pod")
    return bj::object{{"metadata", meta}, {"spec", bj::object{{"containers", nullptr}}}, {"status", bj::object()}};
  if (kind == "PodTemplate") return bj::object{{"metadata", meta}, {"template", template_spec}};
  if (kind == "Deployment")
    return bj::object{{"metadata", meta},
                      {"spec", bj::object{{"selector", nullptr}, {"template", template_spec}, {"strategy", bj::object()}}},
                      {"status", bj::object()}};
  if (kind == "ReplicaSet")
    return bj::object{{"metadata", meta}, {"spec", bj::object{{"selector", nullptr}, {"template", template_spec}}},
                      {"status", bj::object()}};
  if (kind == "StatefulSet" || kind == "DaemonSet")
    return bj::object{{"metadata", meta},
                      {"spec", bj::object{{"selector", nullptr}, {"template", template_spec}, {"updateStrategy", bj::object()}}},
                      {"status", bj::object()}};
  if (kind == "Job") return bj::object{{"metadata", meta}, {"spec", bj::object{{"template", template_spec}}}, {"status", bj::object()}};
  if (kind == "CronJob")
    return bj::object{{"metadata", meta},
                      {"spec", bj::object{{"jobTemplate", bj::object{{"metadata", meta}, {"spec", bj::object{{"template", template_spec}}}}}}},
                      {"status", bj::object()}};
  if (kind == "Service")
    return bj::object{{"metadata", meta}, {"spec", bj::object()}, {"status", bj::object{{"loadBalancer", bj::object()}}}};
  if (kind == "ClusterRole" || kind == "Role") return bj::object{{"metadata", meta}, {"rules", nullptr}};
  if (kind == "RoleBinding" || kind == "ClusterRoleBinding")
    return bj::object{{"metadata", meta}, {"roleRef", bj::object{{"apiGroup", ""}, {"kind", ""}, {"name", ""}}}};
  if (kind == "ConfigMap" || kind == "Secret" || kind == "ServiceAccount") return bj::object{{"metadata", meta}};
  if (kind == "Namespace" || kind == "Node" || kind == "PersistentVolumeClaim" || kind == "ReplicationController")
    return bj::object{{"metadata", meta}, {"spec", bj::object()}, {"status", bj::object()}};
  return bj::object{{"metadata", bj::object()}};  // custom resources start as an empty object
}

std::optional<std::vector<Entry>> decode(const bj::value& object) {
  std::vector<Entry> out;
  const bj::value* mf = json::find_path(object, "metadata.managedFields");
  if (!mf || mf->is_null()) return out;
  if (!mf->is_array()) return std::nullopt;
  std::set<std::string> ids;
  for (const auto& item : mf->get_array()) {
    if (!item.is_object()) return std::nullopt;
    Entry e;
    auto str = [&](const char* k) {
      auto* v = json::find(item, k);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    e.manager = str("manager");
    e.operation = str("operation");
    e.api_version = str("apiVersion");
    e.time = str("time");
    e.subresource = str("subresource");
    if (str("fieldsType") != "FieldsV1") return std::nullopt;
    const bj::value* f = json::find(item, "fieldsV1");
    auto set = fieldpath::Set::from_fields_v1(f ? *f : bj::value());
    if (!set) return std::nullopt;
    e.fields = std::move(*set);
    if (!ids.insert(identifier(e)).second) return std::nullopt;  // one entry per manager
    out.push_back(std::move(e));
  }
  return out;
}

bj::array encode(std::vector<Entry> entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.operation != b.operation) return a.operation < b.operation;
    // RFC 3339 UTC times of one format order as strings; entries without a time come first.
    if (a.time != b.time) return a.time < b.time;
    if (a.manager != b.manager) return a.manager < b.manager;
    if (a.api_version != b.api_version) return a.api_version < b.api_version;
    return a.subresource < b.subresource;
  });
  bj::array out;
  for (const auto& e : entries) {
    bj::object o;
    o["manager"] = e.manager;
    o["operation"] = e.operation;
    if (!e.api_version.empty()) o["apiVersion"] = e.api_version;
    if (!e.time.empty()) o["time"] = e.time;
    o["fieldsType"] = "FieldsV1";
    o["fieldsV1"] = e.fields.to_fields_v1();
    if (!e.subresource.empty()) o["subresource"] = e.subresource;
    out.push_back(std::move(o));
  }
  return out;
}

Result<bj::value, ApiError> apply(const bj::value* live, const bj::value& config, bool force, const Options& o) {
  static const PatchSchema kNoLists;
  const PatchSchema& schema = o.schema ? *o.schema : kNoLists;
  Walker w(schema);
  std::vector<Path> ignored = ignored_paths(o);

  if (!config.is_object()) return fail(status::bad_request("error decoding YAML: the applied configuration is not an object"), "");
  if (json::exceeds_depth(config)) return fail(status::bad_request("the applied configuration exceeds the maximum nesting depth of 100"), "");
  std::string want = gvk_string(bj::object{{"apiVersion", o.api_version}, {"kind", o.kind}});
  std::string got = gvk_string(config);
  if (got != want) return fail(status::bad_request("invalid object type: " + got), "");
  if (auto* mf = json::find_path(config, "metadata.managedFields"); mf && !mf->is_null())
    return fail(status::bad_request("metadata.managedFields must be nil"), "");
  {
    std::vector<std::string> errs;
    Path path;
    w.validate(config, o.known, "", path, errs);
    if (!errs.empty()) {
      std::string body = errs.size() == 1 ? errs[0] : "errors:";
      if (errs.size() > 1)
        for (const auto& e : errs) body += "\n  " + e;
      std::string ns = meta_string(config, "namespace"), name = meta_string(config, "name");
      std::string msg = "failed to create typed patch object (" + ns + "/" + name + "; " + got + "): " + body;
      return fail(status::make(500, "", msg), msg);
    }
  }

  const bool creating = live == nullptr || !live->is_object();
  bj::value live_clean = creating ? bj::value(bj::object()) : without_managed_fields(*live);
  if (json::exceeds_depth(live_clean)) return fail(status::internal_error("the live object nests too deeply"), "");
  bj::value before = creating ? skeleton(o) : live_clean;

  Managers managers;
  if (!creating)
    if (auto d = decode(*live)) managers = to_managers(*d);
  // An object nobody manages yet gets its existing fields attributed first, so that applying
  // over them is a conflict rather than a silent takeover.
  if (!creating && managers.empty())
    record_update(managers, w, skeleton(o), live_clean, entry_for(o, "Update", "before-first-apply"), o.now, ignored);

  Entry me = entry_for(o, "Apply", o.manager);
  std::string my_id = identifier(me);

  bj::value config_clean = without_managed_fields(config);
  bj::value merged = w.merge(&live_clean, config_clean, "");

  Set new_set;
  {
    Path path;
    w.field_set(config_clean, "", path, new_set);
  }
  new_set = filter_ignored(strip_meta(new_set), ignored);

  Set last_set;
  if (auto it = managers.find(my_id); it != managers.end()) last_set = it->second.fields;
  std::string previous_time = managers.count(my_id) ? managers[my_id].time : "";
  me.fields = new_set;
  me.time = previous_time;
  managers[my_id] = me;

  // Fields this manager applied last time and no longer does go, unless someone else holds them.
  Set keep;
  for (const auto& [id, e] : managers) keep = keep.union_with(e.fields);
  Set gone = last_set.difference(new_set);
  if (!gone.empty()) {
    Path path;
    w.prune(merged, "", path, gone, keep);
  }

  auto c = compare_objects(w, before, merged, ignored);
  Set changed = c.added.union_with(c.modified);
  std::map<std::string, Set> conflicts;
  for (const auto& [id, e] : managers) {
    if (id == my_id) continue;
    Set s = e.fields.intersection(changed);
    if (!s.empty()) conflicts[id] = s;
  }
  // The conflicts reported: all of them, unless kubectl is taking over what its client-side
  // apply left (then only those the last-applied annotation does not vouch for).
  std::map<std::string, Set> reported = conflicts;
  if (!force && !reported.empty() && o.manager == "kubectl" && !creating) {
    if (auto allowed = allowed_from_last_applied(w, live_clean, o)) {
      for (auto it = reported.begin(); it != reported.end();) {
        it->second = it->second.difference(*allowed);
        it = it->second.empty() ? reported.erase(it) : std::next(it);
      }
      if (reported.empty()) force = true;  // everything in conflict was client-side applied
    }
  }
  if (!force && !reported.empty()) {
    std::vector<status::Cause> causes;
    std::vector<std::pair<std::string, std::string>> flat;  // manager text, path
    size_t count = 0;
    for (const auto& [id, s] : reported) {
      std::string who = print_manager(managers[id]);
      for (const auto& p : s.paths()) {
        causes.push_back({"FieldManagerConflict", "conflict with " + who, fieldpath::to_string(p)});
        flat.emplace_back(who, fieldpath::to_string(p));
        ++count;
      }
    }
    std::string msg;
    if (count == 1) {
      msg = "Apply failed with 1 conflict: conflict with " + flat[0].first + ": " + flat[0].second;
    } else {
      msg = "Apply failed with " + std::to_string(count) + " conflicts: ";
      std::string current;
      bool first = true;
      for (const auto& [who, p] : flat) {
        if (who != current) {
          msg += (first ? "" : "\n") + std::string("conflicts with ") + who + ":";
          current = who;
          first = false;
        }
        msg += "\n- " + p;
      }
    }
    return fail(status::apply_conflict(causes, msg), msg);
  }
  for (auto& [id, e] : managers) {
    if (id == my_id) continue;
    if (auto it = conflicts.find(id); it != conflicts.end()) e.fields = e.fields.difference(it->second);
    e.fields = e.fields.difference(c.removed);
  }

  bool changed_object = creating || !json::equal(live_clean, merged);
  if (changed_object) managers[my_id].time = o.now;

  // kubectl's upgrade path keeps the client-side annotation in step with what it applies.
  if (o.manager == "kubectl") {
    bj::value* md = json::find(merged, "metadata");
    bj::value* ann = md ? json::find(*md, "annotations") : nullptr;
    bj::value* la = ann ? json::find(*ann, kLastAppliedAnnotation) : nullptr;
    if (la && la->is_string() && !la->get_string().empty()) {
      bj::value applied = config_clean;
      bj::value* amd = json::find(applied, "metadata");
      if (bj::value* a = amd ? json::find(*amd, "annotations") : nullptr; a && a->is_object())
        a->get_object().erase(kLastAppliedAnnotation);
      *la = gofmt::json_marshal(applied) + "\n";
    }
  }

  for (auto it = managers.begin(); it != managers.end();)
    it = it->second.fields.empty() ? managers.erase(it) : std::next(it);
  set_managed_fields(merged, managers);
  return merged;
}

bj::value update(const bj::value* live, bj::value next, const Options& o) {
  static const PatchSchema kNoLists;
  Walker w(o.schema ? *o.schema : kNoLists);
  if (!next.is_object()) return next;
  std::vector<Path> ignored = ignored_paths(o);

  Managers managers;
  const bj::value* sent = json::find_path(next, "metadata.managedFields");
  bool reset = sent && sent->is_array() && sent->get_array().size() == 1 && sent->get_array()[0].is_object() &&
               sent->get_array()[0].get_object().empty();
  if (!reset) {
    auto from_request = decode(next);
    if (from_request && !from_request->empty()) {
      managers = to_managers(*from_request);
    } else if (live && live->is_object()) {
      if (auto d = decode(*live)) managers = to_managers(*d);
    }
  }
  bj::value before = live && live->is_object() ? without_managed_fields(*live) : skeleton(o);
  bj::value after = without_managed_fields(next);
  if (json::exceeds_depth(before) || json::exceeds_depth(after)) return next;
  record_update(managers, w, before, after, entry_for(o, "Update", o.manager), o.now, ignored);
  set_managed_fields(next, managers);
  return next;
}

std::string manager_from_user_agent(std::string_view ua) {
  std::string_view head = ua.substr(0, ua.find('/'));
  std::string out;
  for (size_t i = 0; i < head.size();) {
    unsigned char c = static_cast<unsigned char>(head[i]);
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    n = std::min(n, head.size() - i);
    if (out.size() >= 128) break;
    // Non-printable characters are dropped, as kube-apiserver does.
    if (n > 1 || (c >= 0x20 && c != 0x7F)) out.append(head.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace orch::apimachinery::managed
