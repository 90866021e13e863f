// Context, document size and principal listing: the small public helpers of policy.h. Parsing
// lives in document.cpp and the decision in evaluate.cpp.
#include "policy/policy.h"

#include "policy/match.h"
#include "policy/model.h"

namespace orch::policy {

namespace {
std::string lowered(std::string_view key) {
  std::string k(key);
  for (char& c : k) c = ascii_lower(c);
  return k;
}
}  // namespace

void Context::set(std::string_view key, std::string value) {
  auto& v = values_[lowered(key)];
  v.clear();
  v.push_back(std::move(value));
}

void Context::set_multi(std::string_view key, std::vector<std::string> values) {
  values_[lowered(key)] = std::move(values);
}

const std::vector<std::string>* Context::find(std::string_view key) const {
  // Keys are short; lowercase on the stack so that lookups never allocate.
  char buf[256];
  if (key.size() > sizeof buf) return find_lower(lowered(key));
  for (size_t i = 0; i < key.size(); ++i) buf[i] = ascii_lower(key[i]);
  return find_lower(std::string_view(buf, key.size()));
}

const std::vector<std::string>* Context::find_lower(std::string_view lowercase_key) const {
  auto it = values_.find(lowercase_key);
  return it == values_.end() ? nullptr : &it->second;
}

size_t size_without_whitespace(std::string_view text) {
  // JSON whitespace outside strings is the only thing not counted; inside strings every byte
  // counts, and an escaped quote does not end the string.
  size_t n = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      ++n;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    ++n;
    if (c == '"') in_string = true;
  }
  return n;
}

std::vector<std::string> aws_principals(const Policy& p) { return p.aws_principals; }

}  // namespace orch::policy
