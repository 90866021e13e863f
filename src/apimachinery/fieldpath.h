// Field paths and sets of them, as server-side apply tracks ownership
// (sigs.k8s.io/structured-merge-diff/fieldpath), and their wire form in managedFields (FieldsV1):
//   {"f:spec":{"f:containers":{"k:{\"name\":\"x\"}":{".":{},"f:image":{}}}}}
// A path element is a member name (f:name), a list element picked by its key fields
// (k:{"containerPort":80,"protocol":"TCP"}), a set element picked by value (v:"x"), or an atomic
// list's index (i:0). "." marks that the path itself is in the set, not only things below it.
#pragma once
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orch::apimachinery::fieldpath {

struct PathElement {
  enum class Type { Field, Key, Value, Index };  // also the sort order between types
  Type type = Type::Field;
  std::string field;           // Field
  boost::json::object key;     // Key: the key fields (compared and printed sorted by name)
  boost::json::value value;    // Value
  int64_t index = 0;           // Index

  static PathElement of_field(std::string name);
  static PathElement of_key(boost::json::object key);
  static PathElement of_value(boost::json::value v);
  static PathElement of_index(int64_t i);

  // ".spec", "[name=\"x\"]", "[containerPort=80,protocol=\"TCP\"]", "[=\"x\"]", "[3]" — the
  // notation of apply conflict messages.
  std::string str() const;
  // "f:spec", "k:{\"name\":\"x\"}", "v:\"x\"", "i:3".
  std::string serialize() const;
  static std::optional<PathElement> parse(std::string_view s);
};

// The order structured-merge-diff sorts by: fields < keys < values < indices, then by content
// (numbers < strings < booleans < lists < maps < null for values).
int compare(const PathElement& a, const PathElement& b);
struct PathElementLess {
  bool operator()(const PathElement& a, const PathElement& b) const { return compare(a, b) < 0; }
};

using Path = std::vector<PathElement>;
// Concatenated element strings: ".spec.containers[name=\"x\"].image".
std::string to_string(const Path& p);

// A set of paths, as a tree: each node knows whether its own path is a member.
class Set {
 public:
  void insert(const Path& p);
  bool has(const Path& p) const;
  // p or anything below p is in the set.
  bool has_prefix(const Path& p) const;
  bool empty() const;
  size_t size() const;

  Set union_with(const Set& o) const;
  Set difference(const Set& o) const;    // members of this not in o (exact paths)
  Set intersection(const Set& o) const;  // members of both

  // Members in structured-merge-diff's order: a node's member children first, then the subtrees.
  std::vector<Path> paths() const;

  // FieldsV1 JSON and back. from_fields_v1 returns nullopt for input that is not that format.
  boost::json::object to_fields_v1() const;
  static std::optional<Set> from_fields_v1(const boost::json::value& v);

 private:
  struct Node {
    bool member = false;
    std::map<PathElement, Node, PathElementLess> children;
  };
  static bool prune(Node& n);  // drops empty non-member subtrees; true when n is empty
  static void collect(const Node& n, Path& prefix, std::vector<Path>& out);
  static boost::json::object emit(const Node& n);
  static bool parse_into(const boost::json::object& o, Node& n, int depth);
  Node root_;
};

}  // namespace orch::apimachinery::fieldpath
