// Text the way Go's fmt, strconv and encoding/json print it. kube-apiserver builds its error
// messages with those (%q for names, %v for decoded JSON, json.Marshal for bad values), and
// clients match on the messages, so ours must render values the same way.
#pragma once
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace orch::apimachinery::gofmt {

// strconv.Quote: double-quoted, with Go escapes (\" \\ \n \t \xNN for bytes that are not valid
// UTF-8 or not printable, \u/\U for non-printable code points).
std::string quote(std::string_view s);

// fmt's %v of a value decoded from JSON into interface{}: strings bare, nil as <nil>, arrays as
// [a b], objects as map[k:v ...] with sorted keys, integers in decimal, floats as %g would.
std::string sprint(const boost::json::value& v);

// %v of a float64: shortest digits, exponent form below 1e-4 or from 1e6 (strconv "g", -1).
std::string float64(double d);

// encoding/json's Marshal: object keys sorted, <, > and & escaped as \u003c etc.
std::string json_marshal(const boost::json::value& v);

// %#v, used by field.Error (1.32) for composite bad values: []string{"a", "b"} for a list of
// strings ([]string(nil) when empty, as a decoded empty slice is nil), []interface {}{...} or
// map[string]interface {}{...} otherwise.
std::string go_syntax(const boost::json::value& v);

// The Go type a JSON value decodes to as interface{}, as reflect.TypeOf prints it ("string",
// "int64", "float64", "bool", "[]interface {}", "map[string]interface {}"; null → "%!s(<nil>)",
// which is what fmt prints for a nil type).
std::string type_name(const boost::json::value& v);

}  // namespace orch::apimachinery::gofmt
