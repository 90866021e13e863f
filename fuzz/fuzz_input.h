// Shared by the fuzz targets: turning libFuzzer's bytes into the shapes the parsers take.
// Inputs are text on purpose, so seeds can be written from the test vectors and read by a person
// when a crash needs explaining.
#pragma once
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orch::fuzz {

inline std::string_view view(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Inputs made of several documents (a patch and the object it applies to) separate them with a
// line holding only "---".
inline std::vector<std::string_view> split_documents(std::string_view in, size_t max_parts) {
  constexpr std::string_view kSep = "\n---\n";
  std::vector<std::string_view> out;
  while (out.size() + 1 < max_parts) {
    size_t at = in.find(kSep);
    if (at == std::string_view::npos) break;
    out.push_back(in.substr(0, at));
    in.remove_prefix(at + kSep.size());
  }
  out.push_back(in);
  return out;
}

// JSON as the servers read request bodies: boost::json with the depth bound both planes use
// (kube-apiserver's handlers and the patch code cap nesting at 100).
inline std::optional<boost::json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 100;
  boost::json::value v = boost::json::parse(text, ec, {}, opts);
  if (ec) return std::nullopt;
  return v;
}

// An HTTP request as the AWS SigV4 test suite writes it ("*-signed-request.txt"):
//   METHOD TARGET HTTP/1.1
//   Name:value            (a line starting with a space or tab continues the previous value)
//   <empty line>
//   body
struct HttpText {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

inline HttpText parse_http_text(std::string_view in) {
  HttpText out;
  auto next_line = [&in]() {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    return line;
  };
  std::string_view first = next_line();
  size_t sp = first.find(' ');
  out.method = std::string(first.substr(0, sp));
  if (sp != std::string_view::npos) {
    std::string_view rest = first.substr(sp + 1);
    size_t proto = rest.rfind(" HTTP/");
    out.target = std::string(rest.substr(0, proto));
  }
  while (!in.empty()) {
    std::string_view line = next_line();
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !out.headers.empty()) {
      out.headers.back().second += "\n" + std::string(line);
      continue;
    }
    size_t colon = line.find(':');
    out.headers.emplace_back(std::string(line.substr(0, colon)),
                             colon == std::string_view::npos ? "" : std::string(line.substr(colon + 1)));
  }
  out.body = std::string(in);
  return out;
}

}  // namespace orch::fuzz
