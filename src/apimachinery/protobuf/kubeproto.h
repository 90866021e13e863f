// Kubernetes protobuf bodies (Content-Type application/vnd.kubernetes.protobuf) <-> the JSON
// form of the same object, driven by one schema table for every built-in kind.
//
// The body is the 4-byte magic "k8s\0" and a runtime.Unknown {1 typeMeta {1 apiVersion,
// 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}, where raw is the object's message.
//
// The JSON produced is what a real API server would print for the decoded object: Go's
// encoding/json rules over the Go types (omitempty, pointers, Time as RFC 3339 or null,
// IntOrString as a number or string, bytes as base64, "kind" and "apiVersion" first). Encoding
// reproduces the gogo-protobuf marshallers (fields by number, non-pointer fields always written,
// map entries sorted), so encode(decode(b)) == b for bodies kubectl sends.
#pragma once
#include <boost/json/object.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "apimachinery/protobuf/schema.h"

namespace orch::kubeproto {

inline constexpr std::string_view kMediaType = "application/vnd.kubernetes.protobuf";
inline constexpr std::string_view kMagic{"k8s\0", 4};
// Nesting bound for messages, groups and embedded objects, far above any real object (a
// Deployment's deepest field is about 12 levels down).
inline constexpr int kMaxDepth = 100;

class Error : public std::runtime_error {
 public:
  enum class Code {
    Malformed,      // not a valid protobuf body or not valid for the schema (HTTP 400)
    UnknownKind,    // well-formed envelope, but apiVersion/kind is not in the schema (HTTP 415)
    Unsupported,    // a contentEncoding (compression) in the envelope (HTTP 415)
    InvalidObject,  // encode: the JSON does not fit the schema (wrong type, no kind, ...)
  };
  Error(Code code, const std::string& message) : std::runtime_error(message), code_(code) {}
  Code code() const { return code_; }

 private:
  Code code_;
};

struct Decoded {
  std::string api_version;
  std::string kind;
  boost::json::object object;  // includes "kind" and "apiVersion"
};

// True when the body starts with the protobuf magic.
bool has_magic(std::string_view body);

// Decodes a full body (magic + Unknown). Throws Error.
Decoded decode(std::string_view body);

// Encodes an object that carries "apiVersion" and "kind" into a full body. Members not in the
// schema are ignored, as Go's non-strict json.Unmarshal would. Throws Error.
std::string encode(const boost::json::object& object);
std::string encode(std::string_view api_version, std::string_view kind,
                   const boost::json::object& object);

// The message alone, without magic or envelope (e.g. raw of an Unknown, or a nested object).
boost::json::object decode_message(const MessageInfo& message, std::string_view raw);
std::string encode_message(const MessageInfo& message, const boost::json::object& object);

}  // namespace orch::kubeproto
