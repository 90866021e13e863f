#include "audit/event.h"

#include <boost/json.hpp>
#include <cstdio>
#include <ctime>

namespace orch::audit {
namespace json = boost::json;

namespace {
std::string text(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Request-derived text (user agent, path, claimed key id) may hold bytes that are not UTF-8,
// which Boost.JSON would write as they are but not read back: such a line would vanish from
// `orchestera audit`. Invalid sequences become U+FFFD.
std::string utf8(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= in.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
    if (ok && n > 1) {  // no overlong forms, surrogates or code points beyond U+10FFFF
      uint32_t cp = c & (0xFF >> (n + 1));
      for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(in[i + k]) & 0x3F);
      ok = cp >= (n == 2 ? 0x80u : n == 3 ? 0x800u : 0x10000u) && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (ok) {
      out.append(in, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// RFC 3339 with milliseconds, UTC, for people reading the file and for tools that parse it.
std::string rfc3339_ms(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // room for any int the compiler can imagine, to satisfy -Wformat-truncation
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}
}  // namespace

std::string to_json(const Event& e) {
  json::object o;
  o["time"] = rfc3339_ms(e.time_ms);
  o["timeMs"] = e.time_ms;
  o["plane"] = utf8(e.plane);
  auto put = [&](std::string_view k, const std::string& v) {
    if (!v.empty()) o[k] = utf8(v);
  };
  put("account", e.account);
  put("principalArn", e.principal_arn);
  put("accessKeyId", e.access_key_id);
  put("sessionName", e.session_name);
  put("cluster", e.cluster);
  put("kubernetesUser", e.kube_user);
  if (!e.kube_groups.empty()) {
    json::array groups;
    for (const auto& g : e.kube_groups) groups.emplace_back(utf8(g));
    o["kubernetesGroups"] = std::move(groups);
  }
  put("action", e.action);
  put("resource", e.resource);
  o["decision"] = utf8(e.decision);
  put("reason", e.reason);
  o["status"] = e.status;
  put("requestId", e.request_id);
  put("sourceIp", e.source_ip);
  put("userAgent", e.user_agent);
  return json::serialize(o);
}

std::optional<Event> from_json(std::string_view line) {
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.as_object();
  const json::value* ms = o.if_contains("timeMs");
  if (!ms || !ms->is_int64()) return std::nullopt;
  Event e;
  e.time_ms = ms->as_int64();
  e.plane = text(o, "plane");
  e.account = text(o, "account");
  e.principal_arn = text(o, "principalArn");
  e.access_key_id = text(o, "accessKeyId");
  e.session_name = text(o, "sessionName");
  e.cluster = text(o, "cluster");
  e.kube_user = text(o, "kubernetesUser");
  if (const json::value* g = o.if_contains("kubernetesGroups"); g && g->is_array())
    for (const auto& x : g->as_array())
      if (x.is_string()) e.kube_groups.emplace_back(x.as_string());
  e.action = text(o, "action");
  e.resource = text(o, "resource");
  e.decision = text(o, "decision");
  e.reason = text(o, "reason");
  if (const json::value* s = o.if_contains("status"); s && s->is_int64()) e.status = static_cast<int>(s->as_int64());
  e.request_id = text(o, "requestId");
  e.source_ip = text(o, "sourceIp");
  e.user_agent = text(o, "userAgent");
  return e;
}

bool matches(const Event& e, const Filter& f) {
  if (!f.decision.empty() && e.decision != f.decision) return false;
  if (!f.plane.empty() && e.plane != f.plane) return false;
  if (!f.cluster.empty() && e.cluster != f.cluster) return false;
  if (f.since_ms && e.time_ms < f.since_ms) return false;
  if (f.until_ms && e.time_ms > f.until_ms) return false;
  if (!f.principal.empty()) {
    auto has = [&](const std::string& s) { return s.find(f.principal) != std::string::npos; };
    if (!has(e.principal_arn) && !has(e.access_key_id) && !has(e.kube_user)) return false;
  }
  return true;
}

}  // namespace orch::audit
