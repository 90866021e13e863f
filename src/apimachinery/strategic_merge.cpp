#include "apimachinery/strategic_merge.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apimachinery/gofmt.h"
#include "apimachinery/json_util.h"

namespace orch::apimachinery {
namespace bj = boost::json;

namespace {

constexpr std::string_view kDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList";

struct SmpError {
  enum Kind { BadRequest, Unprocessable, Internal } kind;
  std::string message;
};
using Err = std::optional<SmpError>;

Err bad_request(std::string m) { return SmpError{SmpError::BadRequest, std::move(m)}; }
Err internal(std::string m) { return SmpError{SmpError::Internal, std::move(m)}; }

// mergepatch's error values, worded as the server words them.
Err bad_arg_type(std::string_view expected, const bj::value& actual) {
  return internal("expected a " + std::string(expected) + ", but received a " + gofmt::type_name(actual));
}
Err no_merge_key(const bj::value& m, std::string_view key) {
  return internal("map: " + gofmt::sprint(m) + " does not contain declared merge key: " + std::string(key));
}
Err bad_patch_type(const bj::value& t, const bj::value& m) {
  std::string ts = t.is_string() ? std::string(t.get_string())
                                 : "%!s(" + gofmt::type_name(t) + "=" + gofmt::sprint(t) + ")";
  return internal("unknown patch type: " + ts + " in map: " + gofmt::sprint(m));
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// A key that carries a directive rather than data; such keys never reach a stored object.
bool directive_key(std::string_view k) {
  return k == kDirective || k == kRetainKeys || starts_with(k, std::string(kSetElementOrder) + "/") ||
         starts_with(k, std::string(kDeleteFromPrimitiveList) + "/");
}

// extractKey: "$setElementOrder/containers" → "containers".
std::optional<std::string> extract_key(std::string_view s, std::string_view prefix) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos || s.substr(0, slash) != prefix) return std::nullopt;
  return std::string(s.substr(slash + 1));
}

// removeDirectives + discardNullValuesFromPatch: the patch value as it is stored when there is
// nothing to merge it with. Returns false when the value itself is a directive (to be dropped).
bool clean(bj::value& v) {
  if (v.is_object()) {
    auto& o = v.get_object();
    if (o.contains(kDirective)) return false;
    for (auto it = o.begin(); it != o.end();) {
      if (directive_key(it->key()) || it->value().is_null() || !clean(it->value()))
        it = o.erase(it);
      else
        ++it;
    }
  } else if (v.is_array()) {
    auto& a = v.get_array();
    for (auto it = a.begin(); it != a.end();) {
      if (!clean(*it))
        it = a.erase(it);
      else
        ++it;
    }
  }
  return true;
}

// Go's reflect types for decoded JSON: integers and floats differ, so do null and everything.
int type_rank(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null: return 0;
    case bj::kind::bool_: return 1;
    case bj::kind::int64:
    case bj::kind::uint64: return 2;
    case bj::kind::double_: return 3;
    case bj::kind::string: return 4;
    case bj::kind::array: return 5;
    case bj::kind::object: return 6;
  }
  return 0;
}

// sliceElementType over the given lists: all elements one type, not lists, not null. Returns the
// rank, or -1 when there are no elements at all.
Err element_type(const bj::array& a, const bj::array& b, int& rank) {
  rank = -1;
  for (const bj::array* l : {&a, &b}) {
    for (const auto& v : *l) {
      int r = type_rank(v);
      if (rank == -1) {
        rank = r;
        if (r == 5) return SmpError{SmpError::Unprocessable, "lists of lists are not supported"};
      }
      if (r != rank || r == 0) {
        bj::array both{a, b};
        return internal("list element types are not identical: " + gofmt::sprint(both));
      }
    }
  }
  return std::nullopt;
}

const bj::value* merge_value(const bj::value& item, const std::string& key) {
  return json::find(item, key);
}

// index(): position of item in list, comparing merge-key values for maps, values otherwise.
long index_of(const bj::array& list, const bj::value& item, const std::string& merge_key, bool maps) {
  static const bj::value null_value;
  const bj::value* want = maps ? merge_value(item, merge_key) : &item;
  if (!want) want = &null_value;
  for (size_t i = 0; i < list.size(); ++i) {
    const bj::value* got = maps ? merge_value(list[i], merge_key) : &list[i];
    if (!got) got = &null_value;
    if (json::equal(*want, *got)) return static_cast<long>(i);
  }
  return -1;
}

// normalizeSliceOrder: stable order by position in `order`; elements `order` lacks go first, and
// for maps the elements marked for deletion go last.
bj::array sort_by(bj::array items, const bj::array& order, const std::string& merge_key, bool maps) {
  std::vector<std::pair<long, size_t>> keys;
  bj::array deletes;
  bj::array kept;
  for (auto& v : items) {
    if (maps) {
      auto* d = json::find(v, kDirective);
      if (d && d->is_string() && d->get_string() == "delete") {
        deletes.push_back(std::move(v));
        continue;
      }
    }
    kept.push_back(std::move(v));
  }
  for (size_t i = 0; i < kept.size(); ++i) keys.emplace_back(index_of(order, kept[i], merge_key, maps), i);
  std::stable_sort(keys.begin(), keys.end(), [](auto& x, auto& y) { return x.first < y.first; });
  bj::array out;
  for (auto& [pos, i] : keys) out.push_back(std::move(kept[i]));
  for (auto& d : deletes) out.push_back(std::move(d));
  return out;
}

// mergeSortedSlice: interleaves server-only elements (left) into the patch's elements (right),
// keeping each list's order; a server-only element goes first only when both it and the next
// patch element are in the live list and it came first there.
bj::array merge_sorted(bj::array left, bj::array right, const bj::array& server_order,
                       const std::string& merge_key, bool maps) {
  bj::array out;
  size_t i = 0, j = 0;
  while (i < left.size() || j < right.size()) {
    if (i >= left.size()) {
      out.push_back(std::move(right[j++]));
    } else if (j >= right.size()) {
      out.push_back(std::move(left[i++]));
    } else {
      long li = index_of(server_order, left[i], merge_key, maps);
      long ri = index_of(server_order, right[j], merge_key, maps);
      if (li >= 0 && ri >= 0 && li < ri)
        out.push_back(std::move(left[i++]));
      else
        out.push_back(std::move(right[j++]));
    }
  }
  return out;
}

// Every element a map holding the merge key (validateMergeKeyInLists).
Err check_merge_keys(const bj::array& list, const std::string& merge_key) {
  for (const auto& v : list) {
    if (!v.is_object()) return bad_arg_type("map[string]interface {}", v);
    if (!v.get_object().contains(merge_key)) return no_merge_key(v, merge_key);
  }
  return std::nullopt;
}

// Splits merged into the elements present in `by` and the rest, then orders them
// (normalizeElementOrder with partitioning).
Err order_elements(bj::array merged, const bj::array& by, const bj::array& patch_order,
                   const bj::array& server_order, const std::string& merge_key, bool maps, bj::array& out) {
  bj::array in_patch, server_only;
  if (maps) {
    if (auto e = check_merge_keys(merged, merge_key)) return e;
    if (auto e = check_merge_keys(patch_order, merge_key)) return e;
  }
  for (auto& v : merged) {
    bool present = false;
    if (maps) {
      const bj::value* mv = merge_value(v, merge_key);
      for (const auto& b : by)
        if (auto* bv = merge_value(b, merge_key); bv && json::equal(*bv, *mv)) present = true;
    } else {
      present = std::any_of(by.begin(), by.end(), [&](const bj::value& b) { return json::equal(b, v); });
    }
    (present ? in_patch : server_only).push_back(std::move(v));
  }
  in_patch = sort_by(std::move(in_patch), patch_order, merge_key, maps);
  server_only = sort_by(std::move(server_only), server_order, merge_key, maps);
  out = merge_sorted(std::move(server_only), std::move(in_patch), server_order, merge_key, maps);
  return std::nullopt;
}

class Merger {
 public:
  explicit Merger(const PatchSchema& schema) : schema_(schema) {}

  // mergeMap: patch is consumed. `orig` may be replaced entirely ($patch: replace/delete).
  Err merge_map(bj::object& orig, bj::object patch, const std::string& path) {
    if (auto it = patch.find(kDirective); it != patch.end()) {
      const bj::value& d = it->value();
      if (d.is_string() && d.get_string() == "replace") {
        patch.erase(it);
        bj::value v(std::move(patch));
        clean(v);
        orig = std::move(v.get_object());
        return std::nullopt;
      }
      if (d.is_string() && d.get_string() == "delete") {
        orig.clear();
        return std::nullopt;
      }
      return bad_patch_type(d, patch);
    }
    if (auto e = retain_keys(orig, patch)) return e;
    if (auto e = set_element_order(orig, patch, path)) return e;

    for (auto& kv : patch) {
      std::string key(kv.key());
      bj::value& pv = kv.value();
      bool delete_list = false;
      if (starts_with(key, kDeleteFromPrimitiveList)) {
        auto k = extract_key(key, kDeleteFromPrimitiveList);
        if (!k) return bad_request("invalid patch format of primitive list");
        key = *k;
        delete_list = true;
      }
      if (pv.is_null()) {
        orig.erase(key);
        continue;
      }
      std::string child = schema_child(path, key);
      auto it = orig.find(key);
      if (it == orig.end() || type_rank(it->value()) != type_rank(pv)) {
        if (delete_list) continue;
        bj::value v = pv;
        if (clean(v))
          orig[key] = std::move(v);
        else
          orig.erase(key);
        continue;
      }
      bj::value& ov = it->value();
      if (ov.is_object()) {
        if (schema_.replace_map(child)) {
          bj::value v = pv;
          clean(v);
          ov = std::move(v);
        } else if (auto e = merge_map(ov.get_object(), std::move(pv.get_object()), child)) {
          return e;
        }
      } else if (ov.is_array()) {
        bj::array merged;
        if (auto e = merge_list(ov.get_array(), pv.get_array(), strategy(child, nullptr, delete_list), child,
                                delete_list, merged))
          return e;
        ov = std::move(merged);
      } else {
        ov = pv;
      }
    }
    return std::nullopt;
  }

 private:
  // The list's strategy from the schema. A list the schema does not know is still merged when the
  // patch says it is a merge list: kubectl sends $setElementOrder (holding only the merge key)
  // and $deleteFromPrimitiveList only for such lists, so a gap in our table does not turn its
  // partial list into a replacement.
  const ListStrategy* strategy(const std::string& path, const bj::value* order, bool delete_list = false) {
    if (const ListStrategy* st = schema_.list(path)) return st;
    if (auto it = inferred_.find(path); it != inferred_.end()) return &it->second;
    if (delete_list) return &inferred_.emplace(path, ListStrategy::set()).first->second;
    if (!order || !order->is_array() || order->get_array().empty()) return nullptr;
    const auto& a = order->get_array();
    if (std::all_of(a.begin(), a.end(), [](const bj::value& v) { return !v.is_object() && !v.is_array(); }))
      return &inferred_.emplace(path, ListStrategy::set()).first->second;
    std::string key;
    for (const auto& v : a) {
      if (!v.is_object() || v.get_object().size() != 1) return nullptr;
      std::string k(v.get_object().begin()->key());
      if (!key.empty() && k != key) return nullptr;
      key = k;
    }
    return &inferred_.emplace(path, ListStrategy::merge_by(key)).first->second;
  }

  // $retainKeys: the patch's keys must be listed; the original keeps only listed keys.
  Err retain_keys(bj::object& orig, bj::object& patch) {
    auto it = patch.find(kRetainKeys);
    if (it == patch.end()) return std::nullopt;
    bj::value list = std::move(it->value());
    patch.erase(it);
    if (!list.is_array()) return bad_request("invalid patch format of retainKeys");
    auto listed = [&](std::string_view k) {
      for (const auto& v : list.get_array())
        if (v.is_string() && v.get_string() == k) return true;
      return false;
    };
    for (const auto& kv : patch) {
      if (kv.value().is_null() || starts_with(kv.key(), kDeleteFromPrimitiveList) ||
          starts_with(kv.key(), kSetElementOrder))
        continue;
      if (!listed(kv.key())) return bad_request("invalid patch format of retainKeys");
    }
    for (auto o = orig.begin(); o != orig.end();) {
      if (!listed(o->key()))
        o = orig.erase(o);
      else
        ++o;
    }
    return std::nullopt;
  }

  // mergePatchIntoOriginal: each $setElementOrder/<list> merges <list> and orders the result.
  Err set_element_order(bj::object& orig, bj::object& patch, const std::string& path) {
    std::vector<std::string> keys;
    for (const auto& kv : patch)
      if (starts_with(kv.key(), kSetElementOrder)) keys.emplace_back(kv.key());
    for (const auto& dkey : keys) {
      bj::value order = std::move(patch[dkey]);
      patch.erase(dkey);
      if (!order.is_array()) return bad_arg_type("[]interface {}", order);
      auto key = extract_key(dkey, kSetElementOrder);
      if (!key) return bad_request("invalid patch format of setElementOrder list");
      auto oit = orig.find(*key);
      auto pit = patch.find(*key);
      bool found_orig = oit != orig.end(), found_patch = pit != patch.end();
      if (found_orig && !oit->value().is_array()) return bad_arg_type("[]interface {}", oit->value());
      if (found_patch && !pit->value().is_array()) return bad_arg_type("[]interface {}", pit->value());
      std::string child = schema_child(path, *key);
      const ListStrategy* st = strategy(child, &order);
      std::string merge_key = st && st->smp == ListStrategy::Smp::MergeByKey ? st->merge_key : "";
      bj::array orig_list = found_orig ? oit->value().get_array() : bj::array();
      bj::array patch_list = found_patch ? pit->value().get_array() : bj::array();
      if (auto e = validate_order(patch_list, order.get_array(), merge_key)) return e;

      bj::array merged;
      if (found_orig && !found_patch) {
        merged = orig_list;
      } else if (!found_orig && found_patch) {
        bj::value v = patch_list;
        clean(v);
        merged = std::move(v.get_array());
      } else if (found_orig && found_patch) {
        if (auto e = merge_list(orig_list, std::move(pit->value().get_array()), st, child, false, merged)) return e;
      } else {
        continue;
      }
      int rank = -1;
      if (auto e = element_type(orig_list, patch_list, rank)) return e;
      bool maps = !merge_key.empty();
      // Scalars order by value; maps without a merge key cannot be ordered and keep the merge's order.
      if (rank != -1 && (maps || rank != 6)) {
        bj::array ordered;
        if (auto e = order_elements(std::move(merged), order.get_array(), order.get_array(), orig_list, merge_key,
                                    maps, ordered))
          return e;
        merged = std::move(ordered);
      }
      orig[*key] = std::move(merged);
      patch.erase(*key);
    }
    return std::nullopt;
  }

  // validatePatchWithSetOrderList: the patch's (non-deleting) elements appear in the order list,
  // in the same relative order.
  Err validate_order(const bj::array& patch_list, const bj::array& order, const std::string& merge_key) {
    if (order.empty() || patch_list.empty()) return std::nullopt;
    bj::array non_delete;
    for (const auto& v : patch_list) {
      if (!merge_key.empty()) {
        if (!v.is_object()) return bad_arg_type("map[string]interface {}", v);
        auto* d = json::find(v, kDirective);
        if (d && d->is_string() && d->get_string() == "delete") continue;
      }
      non_delete.push_back(v);
    }
    size_t pi = 0, si = 0;
    while (pi < non_delete.size() && si < order.size()) {
      const bj::value& p = non_delete[pi];
      if (p.is_object() && p.get_object().contains(kDirective)) {
        ++pi;
        continue;
      }
      bool same;
      if (merge_key.empty()) {
        same = json::equal(p, order[si]);
      } else {
        if (!order[si].is_object()) return bad_arg_type("map[string]interface {}", order[si]);
        auto* a = json::find(p, merge_key);
        auto* b = json::find(order[si], merge_key);
        if (!a) return no_merge_key(p, merge_key);
        if (!b) return no_merge_key(order[si], merge_key);
        same = json::equal(*a, *b);
      }
      if (same) ++pi;
      ++si;
    }
    if (pi < non_delete.size() && si >= order.size())
      return internal("The order in patch list:\n" + gofmt::sprint(bj::value(patch_list)) +
                      "\n doesn't match $setElementOrder list:\n" + gofmt::sprint(bj::value(order)) + "\n");
    return std::nullopt;
  }

  // mergeSliceHandler: merge when the schema says so (or for a deletion list), else replace.
  Err merge_list(const bj::array& orig, bj::array patch, const ListStrategy* st, const std::string& path,
                 bool delete_list, bj::array& out) {
    bool merge = st && st->smp != ListStrategy::Smp::Replace;
    if (!merge && !delete_list) {
      bj::value v(std::move(patch));
      clean(v);
      out = std::move(v.get_array());
      return std::nullopt;
    }
    std::string merge_key = st && st->smp == ListStrategy::Smp::MergeByKey ? st->merge_key : "";
    return merge_slice(orig, std::move(patch), merge_key, path, delete_list, out);
  }

  Err merge_slice(bj::array orig, bj::array patch, const std::string& merge_key, const std::string& path,
                  bool delete_list, bj::array& out) {
    if (orig.empty() && patch.empty()) {
      out = std::move(orig);
      return std::nullopt;
    }
    int rank = -1;
    if (auto e = element_type(orig, patch, rank)) return e;
    bj::array merged;
    if (rank != 6) {
      if (delete_list) {  // $deleteFromPrimitiveList: drop every listed value
        for (auto& v : orig)
          if (std::none_of(patch.begin(), patch.end(), [&](const bj::value& d) { return json::equal(d, v); }))
            out.push_back(std::move(v));
        return std::nullopt;
      }
      for (const bj::array* l : {&orig, &patch})
        for (const auto& v : *l)
          if (std::none_of(merged.begin(), merged.end(), [&](const bj::value& m) { return json::equal(m, v); }))
            merged.push_back(v);
      return order_elements(std::move(merged), patch, patch, orig, "", false, out);
    }
    if (merge_key.empty()) return internal("cannot merge lists without merge key for " + path);

    // Elements carrying $patch: delete removes the original's matching elements, replace makes
    // the patch's other elements the whole list.
    bj::array plain;
    bool replace = false;
    for (auto& v : patch) {
      auto* d = json::find(v, kDirective);
      if (!d) {
        plain.push_back(std::move(v));
        continue;
      }
      if (d->is_string() && d->get_string() == "delete") {
        auto* mv = json::find(v, merge_key);
        if (!mv) return no_merge_key(v, merge_key);
        for (auto it = orig.begin(); it != orig.end();) {
          if (!it->is_object()) return internal("value for key " + std::to_string(it - orig.begin()) + " is not a map");
          auto* ov = json::find(*it, merge_key);
          if (ov && json::equal(*ov, *mv))
            it = orig.erase(it);
          else
            ++it;
        }
      } else if (d->is_string() && d->get_string() == "replace") {
        replace = true;
      } else if (d->is_string() && d->get_string() == "merge") {
        return internal("merging lists cannot yet be specified in the patch");
      } else {
        return bad_patch_type(*d, v);
      }
    }
    if (replace) {
      orig = std::move(plain);
      plain = bj::array();
      for (auto& v : orig) clean(v);
    }

    merged = orig;
    for (auto& v : plain) {
      auto* mv = json::find(v, merge_key);
      if (!mv) return no_merge_key(v, merge_key);
      bool found = false;
      for (size_t i = 0; i < merged.size(); ++i) {
        if (!merged[i].is_object()) return internal("value for key " + std::to_string(i) + " is not a map");
        auto* ov = json::find(merged[i], merge_key);
        if (ov && json::equal(*ov, *mv)) {
          if (auto e = merge_map(merged[i].get_object(), v.get_object(), schema_elem(path))) return e;
          found = true;
          break;
        }
      }
      if (!found) {
        bj::value nv = v;
        clean(nv);
        merged.push_back(std::move(nv));
      }
    }
    return order_elements(std::move(merged), plain, plain, orig, merge_key, true, out);
  }

  const PatchSchema& schema_;
  std::map<std::string, ListStrategy> inferred_;
};

ApiError to_api_error(const SmpError& e) {
  switch (e.kind) {
    case SmpError::BadRequest: return ApiError{status::bad_request(e.message), e.message};
    case SmpError::Unprocessable: return ApiError{status::unprocessable(), e.message};
    case SmpError::Internal: break;
  }
  // A plain error inside the apiserver: 500 with no reason ("Error from server: <message>").
  return ApiError{status::make(500, "", e.message), e.message};
}

}  // namespace

Result<bj::value, ApiError> apply_strategic_merge_patch(const bj::value& original, const bj::value& patch,
                                                        const PatchSchema& schema) {
  using R = Result<bj::value, ApiError>;
  if (json::exceeds_depth(patch) || json::exceeds_depth(original)) {
    std::string m = "patch exceeds the maximum nesting depth of 100";
    return R::failure(ApiError{status::bad_request(m), m});
  }
  if (!patch.is_object()) {
    std::string what = patch.is_array() ? "array" : patch.is_string() ? "string" : patch.is_bool() ? "bool"
                                                  : patch.is_null() ? "null" : "number";
    std::string m = "json: cannot unmarshal " + what + " into Go value of type map[string]interface {}";
    if (patch.is_null()) return original;  // null decodes to an empty patch
    return R::failure(ApiError{status::bad_request(m), m});
  }
  bj::value out = original.is_object() ? original : bj::value(bj::object());
  Merger m(schema);
  if (auto e = m.merge_map(out.get_object(), patch.get_object(), "")) return R::failure(to_api_error(*e));
  return out;
}

}  // namespace orch::apimachinery
