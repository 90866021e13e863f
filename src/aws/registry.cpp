#include "aws/api.h"

#include "aws/protocol/form.h"

namespace orch::aws {

void Registry::add(Operation op) {
  auto key = std::make_pair(op.service, op.name);
  ops_.emplace(std::move(key), std::move(op));
}

const Operation* Registry::find(std::string_view service, std::string_view name) const {
  auto it = ops_.find(std::make_pair(std::string(service), std::string(name)));
  return it == ops_.end() ? nullptr : &it->second;
}

namespace {
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}
}  // namespace

RestMatch Registry::match(std::string_view method, std::string_view path) const {
  if (path.empty() || path[0] != '/') return {};
  auto got = segments(path);
  for (const auto& [key, op] : ops_) {
    if (op.rest_path.empty() || op.rest_method != method) continue;
    auto want = segments(op.rest_path);
    if (want.size() != got.size()) continue;
    RestMatch m{&op, {}};
    for (size_t i = 0; i < want.size() && m.op; ++i) {
      if (want[i].starts_with('{')) {
        auto v = percent_decode(got[i], false);
        if (!v || v->empty()) m.op = nullptr;
        else m.path[std::string(want[i].substr(1, want[i].size() - 2))] = *v;
      } else if (want[i] != got[i]) {
        m.op = nullptr;
      }
    }
    if (m.op) return m;
  }
  return {};
}

boost::json::value map_value(boost::json::object entries) {
  boost::json::object o;
  o["__map"] = std::move(entries);
  return o;
}

}  // namespace orch::aws
