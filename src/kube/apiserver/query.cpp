#include "kube/apiserver/query.h"

#include <charconv>

#include "kube/apiserver/registry.h"

namespace orch::kube {
namespace {
const std::string* value_of(const Query& q, const std::string& name) {
  auto it = q.find(name);
  return it == q.end() || it->second.empty() ? nullptr : &it->second;
}

[[noreturn]] void malformed(const std::string& name, const std::string& value) {
  throw api_error(400, "BadRequest", "invalid " + name + ": " + value);
}
}  // namespace

std::optional<int64_t> int_param(const Query& q, const std::string& name) {
  const std::string* v = value_of(q, name);
  if (!v) return std::nullopt;
  // from_chars takes no '+', which ParseInt does.
  const char* first = v->data() + (v->front() == '+' && v->size() > 1 && (*v)[1] != '-' ? 1 : 0);
  int64_t out = 0;
  auto [end, ec] = std::from_chars(first, v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size()) malformed(name, *v);
  return out;
}

std::optional<bool> bool_param(const Query& q, const std::string& name) {
  const std::string* v = value_of(q, name);
  if (!v) return std::nullopt;
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"})
    if (*v == t) return true;
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"})
    if (*v == f) return false;
  malformed(name, *v);
}

}  // namespace orch::kube
