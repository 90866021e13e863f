// The canonical request and string to sign (reference §1.2-§1.3), non-S3 rules only.
#include <algorithm>

#include "base/crypto.h"
#include "sigv4/internal.h"

namespace orch::sigv4 {

using namespace detail;

namespace {

AuthError does_not_match(std::string message) {
  return AuthError{"SignatureDoesNotMatch", 403, std::move(message)};
}

// Dot segments are recognised on the raw path: an encoded "%2E" is an ordinary segment, as in
// botocore. The output is built in place, with no list of segments: a ".." truncates back to
// the last '/', which always starts the previous segment because encoded segments hold no '/'.
// Each byte is thus written and removed at most once, however many "/" or ".." arrive.
void append_canonical_uri(std::string& out, std::string_view path) {
  const size_t base = out.size();
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (out.size() > base) out.resize(out.rfind('/'));
      continue;
    }
    out.push_back('/');
    append_encoded(out, seg, /*keep_slash=*/false);
  }
  if (out.size() == base) {
    out.push_back('/');
  } else if (path.back() == '/') {
    out.push_back('/');
  }
}

struct Span {
  size_t off;
  size_t len;
};
struct Pair {
  Span name;
  Span value;
};

void append_canonical_query(std::string& out, std::string_view query, bool skip_token) {
  if (query.empty()) return;
  // One buffer for all encoded names and values, sorted through offsets: two allocations
  // however many parameters there are.
  std::string buf;
  buf.reserve(query.size() * 3);
  std::vector<Pair> pairs;
  pairs.reserve(static_cast<size_t>(std::count(query.begin(), query.end(), '&')) + 1);
  for_each_query_param(query, [&](std::string_view name, std::string_view value) {
    if (decoded_equals(name, "X-Amz-Signature")) return;
    if (skip_token && decoded_equals(name, "X-Amz-Security-Token")) return;
    Pair p{};
    p.name.off = buf.size();
    append_reencoded(buf, name);
    p.name.len = buf.size() - p.name.off;
    p.value.off = buf.size();
    append_reencoded(buf, value);
    p.value.len = buf.size() - p.value.off;
    pairs.push_back(p);
  });
  const std::string_view all = buf;
  auto view = [all](Span s) { return all.substr(s.off, s.len); };
  std::sort(pairs.begin(), pairs.end(), [&](const Pair& a, const Pair& b) {
    int c = view(a.name).compare(view(b.name));
    return c != 0 ? c < 0 : view(a.value) < view(b.value);
  });
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i) out.push_back('&');
    out.append(view(pairs[i].name)).append(1, '=').append(view(pairs[i].value));
  }
}

// Trims, and turns every run of whitespace (obs-fold CR LF included) into one space.
void append_header_value(std::string& out, std::string_view value) {
  bool pending_space = false;
  bool started = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = started;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    started = true;
    out.push_back(c);
  }
}

// Returns the name of the first signed header absent from the request, or an empty view.
std::string_view append_canonical_headers(std::string& out, const std::vector<Header>* headers,
                                          const std::vector<std::string>& signed_headers) {
  for (const std::string& name : signed_headers) {
    out.append(name).push_back(':');
    bool found = false;
    if (headers != nullptr) {
      for (const Header& h : *headers) {
        if (!iequals(h.name, name)) continue;
        if (found) out.push_back(',');
        append_header_value(out, h.value);
        found = true;
      }
    }
    if (!found) return name;
    out.push_back('\n');
  }
  return {};
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (hex_value(c) < 0) return false;
  }
  return true;
}

// Appends the HashedPayload line, or returns why the declared payload hash is refused.
std::optional<AuthError> append_payload_hash(std::string& out, const RequestView& req) {
  const std::string body_hash = crypto::sha256_hex(req.body);
  const Header* declared = find_header(req.headers, "x-amz-content-sha256");
  if (declared == nullptr) {
    out.append(body_hash);
    return std::nullopt;
  }
  std::string_view v = trim(declared->value);
  // IAM and STS bodies are small and always hashed by real clients; an unsigned or streaming
  // payload would leave the form parameters unauthenticated.
  if (v == "UNSIGNED-PAYLOAD" || v.starts_with("STREAMING-")) {
    return does_not_match("x-amz-content-sha256 '" + std::string(v) +
                          "' is not accepted by this service; sign the request body.");
  }
  if (!is_hex64(v) || !iequals(v, body_hash)) {
    return does_not_match("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  out.append(v);
  return std::nullopt;
}

}  // namespace

std::variant<std::string, AuthError> canonical_request(const RequestView& req, const ParsedAuth& auth) {
  return canonical_request(req, auth, QueryToken::kSigned);
}

std::variant<std::string, AuthError> canonical_request(const RequestView& req, const ParsedAuth& auth,
                                                       QueryToken token) {
  const Target t = split_target(req.target);
  size_t estimate = req.method.size() + 3 * req.target.size() + 128;
  if (req.headers != nullptr) {
    for (const Header& h : *req.headers) estimate += h.name.size() + h.value.size() + 2;
  }
  std::string out;
  out.reserve(estimate);

  out.append(req.method).push_back('\n');
  append_canonical_uri(out, t.path);
  out.push_back('\n');
  append_canonical_query(out, t.query, auth.presigned && token == QueryToken::kUnsigned);
  out.push_back('\n');
  if (std::string_view missing = append_canonical_headers(out, req.headers, auth.signed_headers);
      !missing.empty()) {
    return does_not_match("The request signature we calculated does not match the signature you "
                          "provided: signed header '" + std::string(missing) +
                          "' is not present in the request.");
  }
  out.push_back('\n');
  for (size_t i = 0; i < auth.signed_headers.size(); ++i) {
    if (i) out.push_back(';');
    out.append(auth.signed_headers[i]);
  }
  out.push_back('\n');
  if (auto err = append_payload_hash(out, req)) return std::move(*err);
  return out;
}

std::string string_to_sign(const ParsedAuth& auth, std::string_view canonical_request) {
  const Credential& c = auth.credential;
  std::string s;
  s.reserve(kAlgorithm.size() + auth.amz_date.size() + c.date.size() + c.region.size() +
            c.service.size() + c.terminator.size() + 64 + 8);
  s.append(kAlgorithm).append(1, '\n').append(auth.amz_date).append(1, '\n');
  s.append(c.date).append(1, '/').append(c.region).append(1, '/').append(c.service);
  s.append(1, '/').append(c.terminator).append(1, '\n');
  s.append(crypto::sha256_hex(canonical_request));
  return s;
}

}  // namespace orch::sigv4
