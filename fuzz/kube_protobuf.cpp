// The Kubernetes protobuf transcoder (apimachinery/protobuf/kubeproto.h) both ways. A body with
// the "k8s\0" magic is decoded as a request body is, then encoded back and decoded again (what
// a protobuf response of the stored object does); any other input is read as a JSON object and
// encoded first. Only kubeproto::Error may come out: the server turns it into 400/415.
#include "apimachinery/protobuf/known_fields.h"
#include "apimachinery/protobuf/kubeproto.h"
#include "fuzz/fuzz_input.h"

namespace {
namespace kp = orch::kubeproto;

void round_trip(const boost::json::object& object) {
  std::string body;
  try {
    body = kp::encode(object);
  } catch (const kp::Error&) {
    return;  // InvalidObject: the JSON does not fit the schema
  }
  // What encode wrote, decode must read.
  kp::Decoded again = kp::decode(body);
  (void)kp::unknown_fields(again.api_version, again.kind, again.object);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = orch::fuzz::view(data, size);
  if (kp::has_magic(in)) {
    kp::Decoded decoded;
    try {
      decoded = kp::decode(in);
    } catch (const kp::Error&) {
      return 0;
    }
    round_trip(decoded.object);
    return 0;
  }
  auto json = orch::fuzz::parse_json(in);
  if (json && json->is_object()) round_trip(json->as_object());
  return 0;
}
