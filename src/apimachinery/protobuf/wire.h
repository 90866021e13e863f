// The protobuf wire format, as far as Kubernetes uses it: varints, fixed 32/64-bit values and
// length-delimited fields (groups are only skipped, never produced). The reader is strict about
// bounds and throws kubeproto::Error(Malformed) instead of reading past its buffer, so garbage
// input can never crash a caller.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace orch::kubeproto::wire {

enum WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

struct Tag {
  uint32_t field = 0;
  WireType type = kVarint;
};

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool done() const { return pos_ >= data_.size(); }
  size_t position() const { return pos_; }

  // A field key. Field number 0, numbers past 2^29-1 and the wire types 6 and 7 are errors.
  Tag tag();
  uint64_t varint();
  uint32_t fixed32();
  uint64_t fixed64();
  // The payload of a length-delimited field; a length past the end is an error.
  std::string_view bytes();
  // Skips the value of a field whose key was just read. `depth` bounds nested groups.
  void skip(WireType type, uint32_t field, int depth);

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

class Writer {
 public:
  void tag(uint32_t field, WireType type) { varint((uint64_t{field} << 3) | type); }
  void varint(uint64_t v);
  void fixed32(uint32_t v);
  void fixed64(uint64_t v);
  void bytes(uint32_t field, std::string_view payload) {
    tag(field, kLengthDelimited);
    varint(payload.size());
    out_.append(payload);
  }
  void varint_field(uint32_t field, uint64_t v) {
    tag(field, kVarint);
    varint(v);
  }

  std::string& str() { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace orch::kubeproto::wire
