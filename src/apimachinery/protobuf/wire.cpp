#include "apimachinery/protobuf/wire.h"

#include "apimachinery/protobuf/kubeproto.h"

namespace orch::kubeproto::wire {
namespace {

[[noreturn]] void malformed(const std::string& what) { throw Error(Error::Code::Malformed, what); }

}  // namespace

uint64_t Reader::varint() {
  uint64_t v = 0;
  // At most 10 bytes encode 64 bits; an 11th continuation byte is an overlong or corrupt varint.
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= data_.size()) malformed("truncated varint");
    const auto b = static_cast<uint8_t>(data_[pos_++]);
    v |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) return v;
  }
  malformed("varint longer than 10 bytes");
}

Tag Reader::tag() {
  const uint64_t key = varint();
  const uint64_t field = key >> 3;
  const auto type = static_cast<uint8_t>(key & 7);
  if (field == 0 || field > 0x1fffffff) malformed("invalid field number " + std::to_string(field));
  if (type > kFixed32) malformed("invalid wire type " + std::to_string(type));
  return Tag{static_cast<uint32_t>(field), static_cast<WireType>(type)};
}

uint32_t Reader::fixed32() {
  if (data_.size() - pos_ < 4) malformed("truncated fixed32");
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  pos_ += 4;
  return v;
}

uint64_t Reader::fixed64() {
  if (data_.size() - pos_ < 8) malformed("truncated fixed64");
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  pos_ += 8;
  return v;
}

std::string_view Reader::bytes() {
  const uint64_t len = varint();
  if (len > data_.size() - pos_) malformed("length-delimited field runs past the end");
  std::string_view out = data_.substr(pos_, len);
  pos_ += len;
  return out;
}

void Reader::skip(WireType type, uint32_t field, int depth) {
  switch (type) {
    case kVarint: varint(); return;
    case kFixed64: fixed64(); return;
    case kFixed32: fixed32(); return;
    case kLengthDelimited: bytes(); return;
    case kStartGroup: {
      if (depth <= 0) malformed("groups nested too deeply");
      for (;;) {
        if (done()) malformed("unterminated group");
        const Tag t = tag();
        if (t.type == kEndGroup) {
          if (t.field != field) malformed("mismatched end group");
          return;
        }
        skip(t.type, t.field, depth - 1);
      }
    }
    case kEndGroup: malformed("end group without a start group");
  }
  malformed("invalid wire type");
}

void Writer::varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void Writer::fixed32(uint32_t v) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Writer::fixed64(uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace orch::kubeproto::wire
