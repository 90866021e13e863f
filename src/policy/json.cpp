#include "policy/json.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>  // basic_parser's definitions: needed in one TU

namespace orch::policy::json {

const Value* Value::get(std::string_view key) const {
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key) return &items[i];
  return nullptr;
}

namespace {

// Event handler that builds the tree. Containers under construction live on a stack; a finished
// value is appended to the container below it (its key was already recorded by on_key).
class TreeBuilder {
 public:
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  std::optional<Value> root;

  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }

  bool on_array_begin(boost::json::error_code&) {
    stack_.emplace_back().kind = Value::Kind::Array;
    return true;
  }
  bool on_array_end(std::size_t, boost::json::error_code&) { return close(); }
  bool on_object_begin(boost::json::error_code&) {
    stack_.emplace_back().kind = Value::Kind::Object;
    return true;
  }
  bool on_object_end(std::size_t, boost::json::error_code& ec) {
    if (has_duplicate_keys(stack_.back().keys)) {
      ec = boost::json::error::syntax;
      return false;
    }
    return close();
  }

  bool on_string_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    buf_.append(s.data(), s.size());
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    Value v;
    v.kind = Value::Kind::String;
    v.text = std::move(buf_);
    v.text.append(s.data(), s.size());
    buf_.clear();
    return add(std::move(v));
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    buf_.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    std::string key = std::move(buf_);
    key.append(s.data(), s.size());
    buf_.clear();
    stack_.back().keys.push_back(std::move(key));
    return true;
  }

  // Numbers keep their written form; the parser hands over the text in parts.
  bool on_number_part(boost::json::string_view s, boost::json::error_code&) {
    buf_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t, boost::json::string_view s, boost::json::error_code&) { return number(s); }
  bool on_uint64(uint64_t, boost::json::string_view s, boost::json::error_code&) {
    return number(s);
  }
  bool on_double(double, boost::json::string_view s, boost::json::error_code&) { return number(s); }

  bool on_bool(bool b, boost::json::error_code&) {
    Value v;
    v.kind = Value::Kind::Bool;
    v.text = b ? "true" : "false";
    return add(std::move(v));
  }
  bool on_null(boost::json::error_code&) { return add(Value{}); }

  // Comments are disabled in the parse options; these only satisfy the interface.
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }

 private:
  std::vector<Value> stack_;
  std::string buf_;

  bool number(boost::json::string_view s) {
    Value v;
    v.kind = Value::Kind::Number;
    v.text = std::move(buf_);
    v.text.append(s.data(), s.size());
    buf_.clear();
    return add(std::move(v));
  }

  bool add(Value&& v) {
    if (stack_.empty()) {
      root = std::move(v);
    } else {
      stack_.back().items.push_back(std::move(v));
    }
    return true;
  }

  bool close() {
    Value v = std::move(stack_.back());
    stack_.pop_back();
    return add(std::move(v));
  }

  static bool has_duplicate_keys(const std::vector<std::string>& keys) {
    if (keys.size() < 16) {  // policy objects are small: pairwise is cheapest
      for (size_t i = 1; i < keys.size(); ++i)
        for (size_t j = 0; j < i; ++j)
          if (keys[i] == keys[j]) return true;
      return false;
    }
    std::vector<std::string_view> sorted(keys.begin(), keys.end());
    std::sort(sorted.begin(), sorted.end());
    return std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end();
  }
};

}  // namespace

std::optional<Value> parse(std::string_view text) {
  boost::json::parse_options opt;  // defaults are strict RFC 8259
  opt.max_depth = 32;
  boost::json::basic_parser<TreeBuilder> p(opt);
  boost::json::error_code ec;
  std::size_t n = p.write_some(false, text.data(), text.size(), ec);
  // Fewer bytes consumed than given means something follows the document.
  if (ec || n != text.size() || !p.done() || !p.handler().root) return std::nullopt;
  return std::move(p.handler().root);
}

}  // namespace orch::policy::json
