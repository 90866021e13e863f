// A value or an error, for functions whose failure is an ordinary outcome (bad selectors, bad
// patches) rather than a bug. C++20 has no std::expected; this is the small part of it we use.
#pragma once
#include <string>
#include <utility>
#include <variant>

namespace orch::apimachinery {

template <class T, class E = std::string>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
  static Result failure(E error) { return Result(std::in_place_index<1>, std::move(error)); }

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<1>(v_); }

 private:
  template <size_t I, class V>
  Result(std::in_place_index_t<I> i, V&& v) : v_(i, std::forward<V>(v)) {}
  std::variant<T, E> v_;
};

}  // namespace orch::apimachinery
