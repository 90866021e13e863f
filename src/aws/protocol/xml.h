// A minimal XML writer for Query-protocol responses: elements and escaped text, nothing more.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace orch::aws {

class Xml {
 public:
  Xml& open(std::string_view name) {
    out_ += '<';
    out_ += name;
    out_ += '>';
    return *this;
  }
  Xml& close(std::string_view name) {
    out_ += "</";
    out_ += name;
    out_ += '>';
    return *this;
  }
  Xml& leaf(std::string_view name, std::string_view text) {
    open(name);
    escape(text);
    return close(name);
  }
  Xml& leaf(std::string_view name, int64_t n) { return leaf(name, std::to_string(n)); }
  Xml& leaf(std::string_view name, int n) { return leaf(name, std::to_string(n)); }
  Xml& leaf(std::string_view name, size_t n) { return leaf(name, std::to_string(n)); }
  Xml& leaf(std::string_view name, bool b) { return leaf(name, std::string_view(b ? "true" : "false")); }
  Xml& leaf(std::string_view name, const char* text) { return leaf(name, std::string_view(text)); }
  Xml& leaf(std::string_view name, const std::string& text) { return leaf(name, std::string_view(text)); }
  // Leaves out empty values: absent optional members are never written empty.
  Xml& leaf_if(std::string_view name, std::string_view text) { return text.empty() ? *this : leaf(name, text); }
  void raw(std::string_view s) { out_ += s; }
  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void escape(std::string_view text) {
    for (char c : text) {
      switch (c) {
        case '<': out_ += "&lt;"; break;
        case '>': out_ += "&gt;"; break;
        case '&': out_ += "&amp;"; break;
        case '"': out_ += "&quot;"; break;
        case '\'': out_ += "&apos;"; break;
        case '\r': out_ += "&#xD;"; break;
        default: out_ += c;
      }
    }
  }
  std::string out_;
};

}  // namespace orch::aws
