#include "kube/apiserver/table.h"

#include "base/clock.h"
#include "kube/apiserver/custom_resource.h"

namespace orch::kube {
namespace json = boost::json;

namespace {
std::string member(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* cur = &v;
  for (const char* k : path) {
    if (!cur->is_object()) return {};
    cur = cur->as_object().if_contains(k);
    if (!cur) return {};
  }
  return cur->is_string() ? std::string(cur->as_string()) : std::string();
}

// kube's HumanDuration, as the AGE column shows it.
std::string age(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  auto f = [](int64_t a, const char* ua, int64_t b = -1, const char* ub = "") {
    return std::to_string(a) + ua + (b > 0 ? std::to_string(b) + ub : "");
  };
  if (seconds < 120) return f(seconds, "s");
  int64_t m = seconds / 60, h = seconds / 3600, d = seconds / 86400;
  if (m < 10) return f(m, "m", seconds % 60, "s");
  if (h < 3) return f(m, "m");
  if (h < 8) return f(h, "h", m % 60, "m");
  if (h < 48) return f(h, "h");
  if (d < 8) return f(d, "d", h % 24, "h");
  if (d < 730) return f(d, "d");
  return f(d / 365, "y", d % 365, "d");
}

json::object column(const char* name, const char* type, const char* description, int priority = 0,
                    const char* format = "") {
  return {{"name", name}, {"type", type}, {"format", format}, {"description", description}, {"priority", priority}};
}

struct Printer {
  json::array columns;
  std::function<json::array(const json::object&, const std::string& age)> cells;
};

// A custom kind's columns: Name, then its additionalPrinterColumns (or Age when it declares
// none), each cell the value at the column's JSONPath — a date shown as an age, as kube does.
Printer custom_printer(const Resource& r, int64_t now) {
  std::vector<PrinterColumn> cols = r.custom->columns;
  if (cols.empty()) cols.push_back({"Age", "date", "", "", ".metadata.creationTimestamp", 0});
  json::array defs{column("Name", "string", "Name must be unique within a namespace.", 0, "name")};
  for (const auto& c : cols)
    defs.push_back(json::object{{"name", c.name}, {"type", c.type}, {"format", c.format},
                                {"description", c.description}, {"priority", c.priority}});
  return {defs, [cols, now](const json::object& o, const std::string&) {
            json::value whole = o;
            json::array row{member(o, {"metadata", "name"})};
            for (const auto& c : cols) {
              json::value v = json_path_value(whole, c.json_path);
              if (c.type == "date" && v.is_string()) {
                auto t = clock::parse_iso8601(v.as_string());
                row.push_back(t ? json::value(age(now - *t)) : json::value(nullptr));
              } else {
                row.push_back(std::move(v));
              }
            }
            return row;
          }};
}

Printer printer(const Resource& r, int64_t now) {
  if (r.custom) return custom_printer(r, now);
  json::object name = column("Name", "string", "Name must be unique within a namespace.", 0, "name");
  json::object age_col = column("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created.");
  if (r.resource == "pods")
    return {json::array{name, column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
                        column("Status", "string", "The aggregate status of the containers in this pod."),
                        column("Restarts", "string", "The number of times the containers in this pod have been restarted."),
                        age_col},
            [](const json::object& o, const std::string& a) {
              size_t containers = 0;
              if (auto* spec = o.if_contains("spec"); spec && spec->is_object())
                if (auto* c = spec->as_object().if_contains("containers"); c && c->is_array()) containers = c->as_array().size();
              std::string status = member(o, {"status", "reason"});
              if (status.empty()) status = member(o, {"status", "phase"});
              return json::array{member(o, {"metadata", "name"}), "0/" + std::to_string(containers), status, "0", a};
            }};
  if (r.resource == "namespaces")
    return {json::array{name, column("Status", "string", "The status of the namespace"), age_col},
            [](const json::object& o, const std::string& a) {
              return json::array{member(o, {"metadata", "name"}), member(o, {"status", "phase"}), a};
            }};
  if (r.resource == "configmaps" || r.resource == "secrets") {
    bool secret = r.resource == "secrets";
    json::array cols{name};
    if (secret) cols.push_back(column("Type", "string", "The type of the secret"));
    cols.push_back(column("Data", "string", "The number of entries in the data"));
    cols.push_back(age_col);
    return {cols, [secret](const json::object& o, const std::string& a) {
              size_t n = 0;
              for (const char* k : {"data", "binaryData"})
                if (auto* d = o.if_contains(k); d && d->is_object()) n += d->as_object().size();
              json::array row{member(o, {"metadata", "name"})};
              if (secret) row.push_back(json::value(member(o, {"type"}).empty() ? "Opaque" : member(o, {"type"})));
              row.push_back(json::value(std::to_string(n)));
              row.push_back(json::value(a));
              return row;
            }};
  }
  return {json::array{name, age_col}, [](const json::object& o, const std::string& a) {
            return json::array{member(o, {"metadata", "name"}), a};
          }};
}
}  // namespace

bool wants_table(const std::string& accept) { return accept.find("as=Table") != std::string::npos; }

json::object to_table(const Resource& r, const json::array& items, const std::string& resource_version, int64_t now,
                      bool with_columns) {
  Printer p = printer(r, now);
  json::array rows;
  for (const auto& item : items) {
    const json::object& o = item.as_object();
    int64_t created = clock::parse_iso8601(member(o, {"metadata", "creationTimestamp"})).value_or(now);
    rows.push_back(json::object{
        {"cells", p.cells(o, age(now - created))},
        {"object", json::object{{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", o.at("metadata")}}}});
  }
  json::object table{{"kind", "Table"}, {"apiVersion", "meta.k8s.io/v1"},
                     {"metadata", json::object{{"resourceVersion", resource_version}}}};
  if (with_columns) table["columnDefinitions"] = std::move(p.columns);
  table["rows"] = std::move(rows);
  return table;
}

}  // namespace orch::kube
