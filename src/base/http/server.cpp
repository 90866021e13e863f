// The HTTPS server. This is the only file in the project that instantiates Beast's server side,
// so its heavy templates compile once.
//
// Threading model
//   * One io_context run by `io_threads` threads does all socket and TLS work. Every connection
//     gets its own strand, so its operations never run concurrently and need no locks.
//   * Each connection is one C++20 coroutine (asio::awaitable + co_spawn). The protocol is a
//     straight line - sniff, handshake, read request, run handler, write, repeat - and a coroutine
//     states it as one, with the connection state in the frame instead of a chain of callbacks.
//   * The handler runs on an asio::thread_pool of `worker_threads`, never on an I/O thread, so a
//     slow handler (a store write) cannot stall other connections. The coroutine suspends while
//     the handler runs and resumes on its strand to write the reply. The worker also serializes
//     the response, keeping that copy off the I/O threads.
//
// Timeouts (beast::tcp_stream: when an armed deadline passes, the socket is closed and the
// pending operation fails, which ends the coroutine)
//   * handshake: from accept until the TLS handshake is done.
//   * request: the whole request (head and body) must arrive within this. It starts after the
//     handshake for the first request and at the first byte of each later one, and is not
//     reset by each read, so trickling bytes (slowloris) does not extend it.
//   * idle: between requests on a keep-alive connection, until the next request's first byte.
//   * write: a response must be taken by the client within this.
//   * none while the handler runs: nothing is pending on the socket then.
#include "base/http/server.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "base/tls/openssl_error.h"

namespace orch::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

namespace {

// Operations complete with (error_code, ...) as a tuple instead of throwing: timeouts, resets
// and EOFs are routine here and exceptions would make them slow.
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

constexpr size_t kReadChunk = 8 * 1024;
constexpr auto kShutdownTimeout = 2s;      // waiting for the peer's TLS close_notify
constexpr auto kLingerTime = 2s;           // draining input after an early error response
constexpr size_t kLingerMaxBytes = 8 << 20;

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

// ASCII-only on purpose: header names are ASCII and locale must not change the answer.
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

// The path without the query string: queries can carry presigned credentials, so logs get
// only the path.
std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

bool is_tchar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// Response headers come from handler code; refuse anything that could split the response.
bool valid_header(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (!is_tchar(c)) return false;
  for (unsigned char c : value)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// IMF-fixdate for the Date header, formatted at most once per second per thread.
std::string_view http_date() {
  thread_local std::time_t cached = -1;
  thread_local char buf[32];
  thread_local size_t len = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&now, &tm);
    int n = std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                          kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
                          tm.tm_hour, tm.tm_min, tm.tm_sec);
    len = n > 0 ? static_cast<size_t>(n) : 0;
    cached = now;
  }
  return {buf, len};
}

std::string_view reason_phrase(int status) {
  bhttp::status s = bhttp::int_to_status(static_cast<unsigned>(status));
  return s == bhttp::status::unknown ? std::string_view("Unknown")
                                     : std::string_view(bhttp::obsolete_reason(s));
}

// The whole response as wire bytes, in one buffer so it goes out in one TLS record sequence and
// one write. Content-Length, Connection, Server and Date are ours; a handler's own Connection:
// close is honoured by clearing keep_alive. A stream gets Transfer-Encoding: chunked instead of
// a length (HTTP/1.0 has no chunking: there the end of the connection ends the body).
std::string serialize(const Response& res, bool head_request, bool& keep_alive, int version,
                      bool stream = false) {
  const bool bodyless = res.status == 204 || res.status == 304;
  std::string out;
  out.reserve(160 + res.headers.size() * 48 + (head_request || bodyless ? 0 : res.body.size()));
  out += "HTTP/1.1 ";
  out += std::to_string(res.status);
  out += ' ';
  out += reason_phrase(res.status);
  out += "\r\n";
  bool has_server = false, has_date = false;
  size_t dropped = 0;
  for (const auto& [name, value] : res.headers) {
    if (!valid_header(name, value)) {
      ++dropped;
      continue;
    }
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
        iequals(name, "Keep-Alive"))
      continue;
    if (iequals(name, "Connection")) {
      if (has_token(value, "close")) keep_alive = false;
      continue;
    }
    has_server = has_server || iequals(name, "Server");
    has_date = has_date || iequals(name, "Date");
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (dropped) spdlog::warn("http: dropped {} response header(s) with invalid characters", dropped);
  if (!has_server) out += "Server: orchestera\r\n";
  if (!has_date) {
    out += "Date: ";
    out += http_date();
    out += "\r\n";
  }
  if (stream) {
    if (version >= 11)
      out += "Transfer-Encoding: chunked\r\n";
    else
      keep_alive = false;
  } else if (!bodyless) {
    out += "Content-Length: ";
    out += std::to_string(res.body.size());
    out += "\r\n";
  }
  if (!keep_alive)
    out += "Connection: close\r\n";
  else if (version == 10)
    out += "Connection: keep-alive\r\n";  // 1.0 clients close unless told otherwise
  out += "\r\n";
  if (!head_request && !bodyless && !stream) out += res.body;
  return out;
}

Response plain(int status, std::string body) {
  return Response{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(body)};
}

// Parses one request straight into an orch::http::Request: header fields keep their order,
// original spelling and duplicates (SigV4 signs them as sent), and the body is appended as it
// is decoded, chunked or not. Limits are enforced by basic_parser itself: header_limit covers
// the request line and fields, body_limit is checked against Content-Length as soon as the
// head is parsed (so an oversized upload is refused before any of it is read) and against the
// running total of chunk sizes.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  explicit RequestParser(const Limits& limits) {
    header_limit(static_cast<std::uint32_t>(
        std::min<size_t>(limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    body_limit(limits.max_body_bytes);
  }
  Request& request() { return req_; }
  int version() const { return version_; }
  bool expects_continue() const { return expect_continue_ && version_ >= 11; }

 private:
  void on_request_impl(bhttp::verb, beast::string_view method, beast::string_view target,
                       int version, error_code&) override {
    req_.method.assign(method);
    req_.target.assign(target);
    version_ = version;
  }
  void on_response_impl(int, beast::string_view, int, error_code&) override {}
  void on_field_impl(bhttp::field f, beast::string_view name, beast::string_view value,
                     error_code&) override {
    if (header_done_) return;  // trailer fields of a chunked body are not request headers
    if (f == bhttp::field::expect && iequals(value, "100-continue")) expect_continue_ = true;
    req_.headers.emplace_back(name, value);
  }
  void on_header_impl(error_code&) override { header_done_ = true; }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    // The declared length is only a claim; reserve a bounded amount so idle connections that
    // announce big bodies cannot pin memory they never send.
    if (length) req_.body.reserve(static_cast<size_t>(std::min<std::uint64_t>(*length, 64 * 1024)));
  }
  size_t on_body_impl(beast::string_view body, error_code&) override {
    req_.body.append(body);
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code&) override {
    req_.body.append(body);
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  Request req_;
  int version_ = 11;
  bool header_done_ = false;
  bool expect_continue_ = false;
};

// One bound address with its own TLS identity. The connections it accepted keep it (and so its
// TLS context) alive after it is closed, and carry its tag to the handler.
struct Listener {
  Listener(std::string t, std::unique_ptr<asio::ssl::context> ctx, tcp::acceptor a)
      : tag(std::move(t)), tls(std::move(ctx)), acceptor(std::move(a)) {}
  const std::string tag;
  const std::unique_ptr<asio::ssl::context> tls;
  tcp::acceptor acceptor;  // used on the accept strand only
};

struct Connection {
  Connection(tcp::socket socket, std::shared_ptr<Listener> l)
      : listener(std::move(l)), stream(std::move(socket), *listener->tls) {}
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream); }

  const std::shared_ptr<Listener> listener;  // declared first: the stream uses its TLS context

  // beast::ssl_stream (not plain asio::ssl::stream) because it coalesces buffer sequences into
  // one TLS record; Beast's parser reads through it like any stream.
  beast::ssl_stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::string remote_addr;
  std::string client_cn;  // a verified client certificate's subject, if any
  std::vector<std::string> client_orgs;
};

// What a worker hands back to the connection: the response bytes and whether to close after.
// For a stream, `wire` is the head only and start_stream is set.
struct Reply {
  std::string wire;
  bool close = false;
  int status = 0;
  std::function<void(std::shared_ptr<Stream>)> start_stream;
  bool chunked = true;
};

// The producer's side of a streamed response. Producer threads and the connection's strand meet
// only under `mu`; the strand takes everything queued in one go and writes it while producers
// keep appending. Frames are built here, on the producer's thread, to keep work off the I/O
// threads.
class StreamImpl final : public Stream, public std::enable_shared_from_this<StreamImpl> {
 public:
  StreamImpl(asio::any_io_executor strand, size_t max_queued, bool chunked)
      : strand_(std::move(strand)), max_queued_(max_queued), chunked_(chunked) {}

  bool write(std::string chunk) override {
    std::lock_guard lk(mu_);
    if (!open_locked()) return false;
    if (chunk.empty()) return true;
    const size_t framed = chunk.size() + (chunked_ ? 20 : 0);
    if (pending_.size() + in_flight_ + framed > max_queued_) {
      // The consumer is too slow: end the stream rather than buffer without bound.
      overflow_ = true;
      pending_.clear();
      wake_locked();
      return false;
    }
    if (chunked_) {
      char size[20];
      int n = std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
      pending_.append(size, static_cast<size_t>(n));
      pending_ += chunk;
      pending_ += "\r\n";
    } else {
      pending_ += chunk;
    }
    wake_locked();
    return true;
  }

  void close() override {
    std::lock_guard lk(mu_);
    if (!open_locked()) return;
    close_requested_ = true;
    wake_locked();
  }

  void on_close(std::function<void()> f) override {
    {
      std::lock_guard lk(mu_);
      if (!ended_) {
        on_close_ = std::move(f);
        return;
      }
    }
    if (f) f();
  }

  bool open() const override {
    std::lock_guard lk(mu_);
    return open_locked();
  }

  // ---- Strand side ----

  // What the writer should do next.
  struct Next {
    enum Kind { kWrite, kFinish, kOverflow, kWait } kind;
    std::string bytes;  // for kWrite
  };
  // Takes the queued bytes (the previous batch counts as delivered), or says why there are
  // none. With kWait the writer must park on `waiting_on`, which a later write()/close()
  // cancels.
  Next next() {
    std::lock_guard lk(mu_);
    in_flight_ = 0;
    parked_ = false;
    if (overflow_) return {Next::kOverflow, {}};
    if (!pending_.empty()) {
      Next n{Next::kWrite, {}};
      n.bytes.swap(pending_);
      in_flight_ = n.bytes.size();
      return n;
    }
    if (close_requested_) return {Next::kFinish, {}};
    parked_ = true;
    return {Next::kWait, {}};
  }

  // Ends the stream for good: no more writes are accepted and on_close's function runs (here,
  // on the strand). Idempotent. Also drops the executor, which must not outlive the server.
  void finish() {
    std::function<void()> f;
    {
      std::lock_guard lk(mu_);
      if (ended_) return;
      ended_ = true;
      pending_.clear();
      pending_.shrink_to_fit();
      parked_ = false;
      strand_.reset();
      f = std::move(on_close_);
    }
    if (f) {
      try {
        f();
      } catch (const std::exception& e) {
        spdlog::error("http: stream on_close callback failed: {}", e.what());
      } catch (...) {
        spdlog::error("http: stream on_close callback failed");
      }
    }
  }

 private:
  bool open_locked() const { return !ended_ && !close_requested_ && !overflow_; }

  // Wakes a parked writer. The post goes through the strand so the timer is only touched
  // there; the writer sets parked_ and starts its wait in one strand turn, so a wake can never
  // arrive between the two and get lost.
  void wake_locked() {
    if (!parked_ || !strand_) return;
    parked_ = false;
    asio::post(*strand_, [self = shared_from_this()] {
      // Runs on the strand; the writer clears `waiting_on` before the timer goes away.
      if (self->waiting_on) self->waiting_on->cancel();
    });
  }

 public:
  // Strand-only: the timer the writer waits on while the stream is open, else null.
  asio::steady_timer* waiting_on = nullptr;

 private:
  mutable std::mutex mu_;
  std::optional<asio::any_io_executor> strand_;
  const size_t max_queued_;
  const bool chunked_;
  std::string pending_;       // framed bytes not yet handed to the writer
  size_t in_flight_ = 0;      // bytes the writer is sending now
  bool close_requested_ = false;
  bool overflow_ = false;
  bool ended_ = false;
  bool parked_ = false;  // the writer waits for something to do
  std::function<void()> on_close_;
};

std::string peer_ip(const asio::ip::address& a) {
  // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; callers want a.b.c.d.
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

std::string endpoint_text(const asio::ip::address& a, uint16_t port) {
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(port);
}

// Offers only HTTP/1.1: a client that asks for h2 alone gets no ALPN answer (and may then speak
// HTTP/1.1 or give up) rather than a protocol this server does not implement.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  static constexpr unsigned char kHttp11[] = {'h', 't', 't', 'p', '/', '1', '.', '1'};
  for (unsigned int i = 0; i < inlen;) {
    unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == sizeof kHttp11 && std::memcmp(in + i + 1, kHttp11, len) == 0) {
      *out = in + i + 1;
      *outlen = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

std::unique_ptr<asio::ssl::context> make_tls_context(const TlsFiles& files) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* h = ctx->native_handle();
  // TLS 1.2 and 1.3 only. For 1.2, ECDHE with AEAD ciphers only (forward secrecy, no CBC);
  // OpenSSL's TLS 1.3 suites are all AEAD already. No compression (CRIME), no renegotiation
  // (a cheap way for a client to make the server burn CPU).
  if (SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(h,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1 ||
      SSL_CTX_set_ciphersuites(h,
                               "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                               "TLS_CHACHA20_POLY1305_SHA256") != 1 ||
      SSL_CTX_set1_groups_list(h, "X25519:P-256:P-384") != 1)
    throw std::runtime_error(tls::openssl_error("cannot configure TLS"));
  SSL_CTX_set_options(h, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_alpn_select_cb(h, select_alpn, nullptr);

  if (SSL_CTX_use_certificate_chain_file(h, files.cert_chain_pem_path.c_str()) != 1)
    throw std::runtime_error(tls::openssl_error("cannot load TLS certificate chain from " +
                                                files.cert_chain_pem_path));
  if (SSL_CTX_use_PrivateKey_file(h, files.private_key_pem_path.c_str(), SSL_FILETYPE_PEM) != 1)
    throw std::runtime_error(
        tls::openssl_error("cannot load TLS private key from " + files.private_key_pem_path));
  if (SSL_CTX_check_private_key(h) != 1)
    throw std::runtime_error(tls::openssl_error("TLS private key " + files.private_key_pem_path +
                                                " does not match " + files.cert_chain_pem_path));
  if (!files.client_ca_pem_path.empty()) {
    // Asked for, never required: most clients authenticate with bearer tokens. A presented
    // certificate must verify for client authentication, or the handshake fails.
    if (SSL_CTX_load_verify_locations(h, files.client_ca_pem_path.c_str(), nullptr) != 1)
      throw std::runtime_error(tls::openssl_error("cannot load the client CA " + files.client_ca_pem_path));
    SSL_CTX_set_client_CA_list(h, SSL_load_client_CA_file(files.client_ca_pem_path.c_str()));
    SSL_CTX_set_purpose(h, X509_PURPOSE_SSL_CLIENT);
    SSL_CTX_set_verify(h, SSL_VERIFY_PEER, nullptr);
  }
  return ctx;
}

// The subject of the client's certificate, when it presented one that verified.
void read_client_certificate(Connection& c) {
  SSL* ssl = c.stream.native_handle();
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    X509_NAME* subject = X509_get_subject_name(cert);
    auto entries = [&](int nid, auto&& each) {
      for (int i = X509_NAME_get_index_by_NID(subject, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(subject, nid, i)) {
        ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
        unsigned char* utf8 = nullptr;
        int len = ASN1_STRING_to_UTF8(&utf8, data);
        if (len >= 0) each(std::string(reinterpret_cast<char*>(utf8), static_cast<size_t>(len)));
        OPENSSL_free(utf8);
      }
    };
    entries(NID_commonName, [&](std::string v) { c.client_cn = std::move(v); });
    entries(NID_organizationName, [&](std::string v) { c.client_orgs.push_back(std::move(v)); });
  }
  X509_free(cert);
}

asio::ip::address parse_listen_host(const std::string& host) {
  // Literals only (plus "localhost"): a listen address that silently depends on DNS would bind
  // something different from what the certificate SANs were made for.
  if (host == "localhost") return asio::ip::address_v4::loopback();
  std::string literal = host;
  if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']')
    literal = literal.substr(1, literal.size() - 2);
  error_code ec;
  asio::ip::address a = asio::ip::make_address(literal, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + host +
                             ": not an IP address (use an IPv4 or IPv6 literal, or localhost)");
  return a;
}

std::chrono::seconds secs(int n) { return std::chrono::seconds(n > 0 ? n : 1); }

}  // namespace

const std::string* Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return &v;
  return nullptr;
}

struct Server::Impl {
  Impl(std::optional<std::string> h, uint16_t p, TlsFiles t, Handler fn, Limits l, int io,
       int workers)
      : host(std::move(h)),
        requested_port(p),
        tls_files(std::move(t)),
        handler(std::move(fn)),
        limits(l),
        io_thread_count(io > 0 ? io : 1),
        worker_thread_count(workers > 0 ? workers : 1),
        ioc(io_thread_count),
        accept_ex(asio::make_strand(ioc)) {}

  ~Impl() { stop(); }

  void start();
  void stop();
  void stop_locked();  // with lifecycle_mu held
  uint16_t add_listener(const std::string& tag, const std::string& where_host, uint16_t port,
                        const TlsFiles& files);
  void remove_listener(const std::string& tag);

  void run_io();
  std::shared_ptr<Listener> bind(const std::string& tag, const std::string& where_host,
                                 uint16_t port, const TlsFiles& files);
  void run_listener(std::shared_ptr<Listener> l);
  asio::awaitable<void> accept_loop(std::shared_ptr<Listener> l);
  void on_accepted(tcp::socket socket, const std::shared_ptr<Listener>& l);
  asio::awaitable<void> connection_main(std::shared_ptr<Connection> c, uint64_t id);
  asio::awaitable<void> serve(Connection& c);
  asio::awaitable<void> reject_plaintext(Connection& c);
  asio::awaitable<void> on_read_error(Connection& c, error_code ec);
  asio::awaitable<void> reject(Connection& c, int status, std::string_view body);
  asio::awaitable<void> close_gracefully(Connection& c);
  asio::awaitable<bool> run_stream(Connection& c, Reply& reply);
  asio::awaitable<void> linger(Connection& c);
  void forget(uint64_t id);
  Reply invoke(const Request& req, bool keep_alive, int version) noexcept;

  // Runs the handler on the worker pool and completes on the caller's executor (the
  // connection's strand), keeping that executor busy meanwhile so the io_context cannot run
  // out of work under a suspended connection.
  template <class Token>
  auto async_invoke(const Request& req, bool keep_alive, int version, Token&& token) {
    return asio::async_initiate<Token, void(Reply)>(
        [this, &req, keep_alive, version](auto handler) {
          auto home = asio::prefer(asio::get_associated_executor(handler),
                                   asio::execution::outstanding_work.tracked);
          asio::post(*pool, [this, &req, keep_alive, version, handler = std::move(handler),
                             home = std::move(home)]() mutable {
            Reply reply = invoke(req, keep_alive, version);
            asio::dispatch(home, [handler = std::move(handler), reply = std::move(reply)]() mutable {
              std::move(handler)(std::move(reply));
            });
          });
        },
        token);
  }

  // Configuration. The listener given to the constructor (if any) is bound by start().
  const std::optional<std::string> host;
  const uint16_t requested_port;
  const TlsFiles tls_files;
  const Handler handler;
  const Limits limits;
  const int io_thread_count;
  const int worker_thread_count;

  // Lifecycle.
  std::mutex lifecycle_mu;
  enum class State { kIdle, kRunning, kStopped } state = State::kIdle;
  std::atomic<bool> stopping{false};
  std::atomic<uint16_t> bound_port{0};
  std::atomic<int64_t> last_overload_log{0};

  // Live connections, so stop() can close them. Declared before the io_context: a connection
  // coroutine destroyed along with the io_context still deregisters itself here.
  std::mutex conns_mu;
  std::condition_variable conns_cv;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> conns;
  uint64_t next_conn_id = 0;

  asio::io_context ioc;
  // Keeps the I/O threads running while no listener is open (listeners come and go).
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  asio::any_io_executor accept_ex;  // a strand: every acceptor is used on it only
  // Open listeners by tag (guarded by lifecycle_mu).
  std::unordered_map<std::string, std::shared_ptr<Listener>> listeners;
  // After the io_context: handlers still queued here hold work on it when they are destroyed.
  std::optional<asio::thread_pool> pool;
  std::vector<std::thread> io_threads;
};

std::shared_ptr<Listener> Server::Impl::bind(const std::string& tag, const std::string& where_host,
                                             uint16_t port, const TlsFiles& files) {
  auto ctx = make_tls_context(files);
  asio::ip::address addr = parse_listen_host(where_host);
  const std::string where = endpoint_text(addr, port);
  tcp::acceptor a(accept_ex);
  error_code ec;
  tcp::endpoint ep(addr, port);
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  // "::" should take IPv4 clients too, whatever the system default for IPV6_V6ONLY is.
  if (!ec && addr.is_v6() && addr.is_unspecified()) a.set_option(asio::ip::v6_only(false), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  auto l = std::make_shared<Listener>(tag, std::move(ctx), std::move(a));
  spdlog::info("http: listening on https://{}", endpoint_text(addr, l->acceptor.local_endpoint().port()));
  return l;
}

void Server::Impl::run_listener(std::shared_ptr<Listener> l) {
  asio::co_spawn(accept_ex, accept_loop(std::move(l)), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("http: accept loop ended: {}", ex.what());
    }
  });
}

void Server::Impl::start() {
  std::lock_guard lk(lifecycle_mu);
  if (state != State::kIdle)
    throw std::runtime_error("http server: start() after start() or stop()");
  std::shared_ptr<Listener> first;
  if (host) {
    first = bind("", *host, requested_port, tls_files);
    bound_port = first->acceptor.local_endpoint().port();
    listeners.emplace("", first);
  }

  // From here on stop_locked() can undo a partial start (say, thread creation failed).
  state = State::kRunning;
  try {
    pool.emplace(static_cast<size_t>(worker_thread_count));
    keep_running.emplace(ioc.get_executor());
    if (first) run_listener(first);
    for (int i = 0; i < io_thread_count; ++i) io_threads.emplace_back([this] { run_io(); });
  } catch (...) {
    stop_locked();
    throw;
  }
}

uint16_t Server::Impl::add_listener(const std::string& tag, const std::string& where_host,
                                    uint16_t port, const TlsFiles& files) {
  std::lock_guard lk(lifecycle_mu);
  if (state != State::kRunning) throw std::runtime_error("http server: add_listener() while not running");
  if (listeners.count(tag)) throw std::runtime_error("http server: a listener '" + tag + "' is open already");
  auto l = bind(tag, where_host, port, files);
  uint16_t bound = l->acceptor.local_endpoint().port();
  listeners.emplace(tag, l);
  run_listener(std::move(l));
  return bound;
}

void Server::Impl::remove_listener(const std::string& tag) {
  std::shared_ptr<Listener> l;
  {
    std::lock_guard lk(lifecycle_mu);
    auto it = listeners.find(tag);
    if (it == listeners.end()) return;
    l = std::move(it->second);
    listeners.erase(it);
  }
  asio::post(accept_ex, [l] {
    error_code ignored;
    l->acceptor.close(ignored);
  });
  // Its connections end too: what they were talking to is gone.
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard cl(conns_mu);
    for (auto& [id, weak] : conns)
      if (auto c = weak.lock(); c && c->listener == l) live.push_back(std::move(c));
  }
  for (auto& c : live) asio::post(c->lowest().get_executor(), [c] { c->lowest().close(); });
}

void Server::Impl::run_io() {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      // Nothing should get here (connections catch their own); keep the thread serving.
      spdlog::error("http: unexpected exception on an I/O thread: {}", e.what());
    } catch (...) {
      spdlog::error("http: unexpected exception on an I/O thread");
    }
  }
}

void Server::Impl::stop() {
  std::lock_guard lk(lifecycle_mu);
  stop_locked();
}

void Server::Impl::stop_locked() {
  if (state != State::kRunning) {
    state = State::kStopped;
    return;
  }
  state = State::kStopped;
  stopping = true;
  asio::post(accept_ex, [this] {
    error_code ignored;
    for (auto& [tag, l] : listeners) l->acceptor.close(ignored);
  });
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard cl(conns_mu);
    for (auto& [id, weak] : conns)
      if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  // Closing the socket on the connection's strand fails whatever it is waiting for, so each
  // coroutine ends on its own; one waiting for a handler ends when the handler returns.
  for (auto& c : live) asio::post(c->lowest().get_executor(), [c] { c->lowest().close(); });
  live.clear();
  {
    std::unique_lock cl(conns_mu);
    if (!conns_cv.wait_for(cl, 5s, [this] { return conns.empty(); }))
      spdlog::warn("http: {} connection(s) still busy at shutdown; abandoning them",
                   conns.size());
  }
  keep_running.reset();
  ioc.stop();
  for (auto& t : io_threads) t.join();
  io_threads.clear();
  // The posted close may not have run if ioc.stop() came first; with no I/O thread left it is
  // safe to close here, so the port is free as soon as stop() returns.
  error_code ignored;
  for (auto& [tag, l] : listeners) l->acceptor.close(ignored);
  listeners.clear();
  if (pool) pool->join();  // handlers still running finish; their replies are dropped
  spdlog::info("http: stopped");
}

asio::awaitable<void> Server::Impl::accept_loop(std::shared_ptr<Listener> l) {
  for (;;) {
    // Each connection gets its own strand.
    auto [ec, socket] =
        co_await l->acceptor.async_accept(asio::any_io_executor(asio::make_strand(ioc)), kTuple);
    if (stopping) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted || !l->acceptor.is_open()) co_return;
      // Typically EMFILE: pause instead of spinning on an accept that keeps failing.
      spdlog::warn("http: accept failed: {}", ec.message());
      asio::steady_timer pause(accept_ex, 100ms);
      co_await pause.async_wait(kTuple);
      continue;
    }
    if (!l->acceptor.is_open()) co_return;  // removed while this accept completed
    on_accepted(std::move(socket), l);
  }
}

void Server::Impl::on_accepted(tcp::socket socket, const std::shared_ptr<Listener>& l) {
  error_code ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  socket.set_option(tcp::no_delay(true), ec);  // responses go out in one write; do not delay it
  std::shared_ptr<Connection> c;
  try {
    c = std::make_shared<Connection>(std::move(socket), l);
    c->remote_addr = peer_ip(peer.address());
  } catch (const std::exception& e) {
    spdlog::warn("http: cannot set up connection: {}", e.what());
    return;
  }
  uint64_t id = 0;
  {
    std::lock_guard lk(conns_mu);
    if (stopping) return;
    if (conns.size() >= limits.max_connections) {
      int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count();
      if (last_overload_log.exchange(now) != now)
        spdlog::warn("http: {} connections open; refusing new ones", conns.size());
      return;  // closing the socket is the refusal
    }
    id = next_conn_id++;
    conns.emplace(id, c);
  }
  auto ex = c->lowest().get_executor();
  asio::co_spawn(ex, connection_main(std::move(c), id), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::warn("http: connection ended with an exception: {}", ex.what());
    }
  });
}

void Server::Impl::forget(uint64_t id) {
  std::lock_guard lk(conns_mu);
  conns.erase(id);
  if (conns.empty()) conns_cv.notify_all();
}

asio::awaitable<void> Server::Impl::connection_main(std::shared_ptr<Connection> c, uint64_t id) {
  // Deregisters however the coroutine ends, including being destroyed unfinished.
  struct Forget {
    Impl* self;
    uint64_t id;
    ~Forget() { self->forget(id); }
  } forget_on_exit{this, id};
  try {
    co_await serve(*c);
  } catch (const std::exception& e) {
    spdlog::warn("http: connection from {} failed: {}", c->remote_addr, e.what());
  }
}

asio::awaitable<void> Server::Impl::serve(Connection& c) {
  beast::tcp_stream& tcp = c.lowest();
  tcp.expires_after(secs(limits.handshake_timeout_seconds));

  // Look at the first bytes before TLS gets them, to answer plain HTTP with a hint instead of a
  // TLS alert the client cannot show. The bytes are then handed to the handshake.
  {
    auto [ec, n] = co_await tcp.async_read_some(c.buffer.prepare(kReadChunk), kTuple);
    if (ec) co_return;
    c.buffer.commit(n);
  }
  if (static_cast<const unsigned char*>(c.buffer.data().data())[0] != 0x16) {  // TLS handshake
    co_await reject_plaintext(c);
    co_return;
  }
  {
    auto [ec, used] =
        co_await c.stream.async_handshake(asio::ssl::stream_base::server, c.buffer.data(), kTuple);
    if (ec) {
      spdlog::debug("http: TLS handshake with {} failed: {}", c.remote_addr, ec.message());
      co_return;
    }
    c.buffer.consume(used);
    read_client_certificate(c);
  }

  tcp.expires_after(secs(limits.request_timeout_seconds));  // the first request is due now
  for (;;) {
    RequestParser parser(limits);
    {
      auto [ec, n] = co_await bhttp::async_read_header(c.stream, c.buffer, parser, kTuple);
      if (ec) {
        co_await on_read_error(c, ec);
        co_return;
      }
    }
    if (!parser.is_done()) {
      if (parser.expects_continue()) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [ec, n] = co_await asio::async_write(c.stream, asio::buffer(kContinue), kTuple);
        if (ec) co_return;
      }
      auto [ec, n] = co_await bhttp::async_read(c.stream, c.buffer, parser, kTuple);
      if (ec) {
        co_await on_read_error(c, ec);
        co_return;
      }
    }

    tcp.expires_never();  // nothing is pending on the socket while the handler runs
    Request& req = parser.request();
    req.remote_addr = c.remote_addr;
    req.listener = c.listener->tag;
    req.client_cn = c.client_cn;
    req.client_orgs = c.client_orgs;
    const auto started = std::chrono::steady_clock::now();
    Reply reply = co_await async_invoke(req, parser.keep_alive(), parser.version(),
                                        asio::use_awaitable);

    tcp.expires_after(secs(limits.write_timeout_seconds));
    {
      auto [ec, n] = co_await asio::async_write(c.stream, asio::buffer(reply.wire), kTuple);
      if (ec) co_return;  // the client went away; nothing more to do
    }
    // A stream returns when it is over: false if the connection is done, true if it goes on
    // with keep-alive (its idle wait already happened there).
    if (reply.start_stream && !co_await run_stream(c, reply)) co_return;
    if (spdlog::should_log(spdlog::level::debug)) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
      spdlog::debug("http: {} {} {} -> {} ({} us)", c.remote_addr, req.method,
                    path_of(req.target), reply.status, us);
    }
    if (reply.close || stopping) {
      co_await close_gracefully(c);
      co_return;
    }

    // Keep-alive: the idle timeout runs until the next request's first byte arrives, then that
    // request gets the full request timeout.
    if (c.buffer.size() == 0) {
      tcp.expires_after(secs(limits.idle_timeout_seconds));
      auto [ec, n] = co_await c.stream.async_read_some(c.buffer.prepare(kReadChunk), kTuple);
      if (ec) co_return;  // closed by the client, idle timeout, or stop()
      c.buffer.commit(n);
    }
    tcp.expires_after(secs(limits.request_timeout_seconds));
  }
}

asio::awaitable<void> Server::Impl::reject_plaintext(Connection& c) {
  beast::tcp_stream& tcp = c.lowest();
  const unsigned char first = static_cast<const unsigned char*>(c.buffer.data().data())[0];
  if (first < 'A' || first > 'Z') co_return;  // neither TLS nor an HTTP method: hang up
  static const std::string kReply = [] {
    std::string body = "This port speaks HTTPS only; use an https:// URL.\n";
    return "HTTP/1.1 400 Bad Request\r\nServer: orchestera\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  }();
  spdlog::debug("http: plain HTTP from {} on the TLS port", c.remote_addr);
  tcp.expires_after(secs(limits.write_timeout_seconds));
  auto [ec, n] = co_await asio::async_write(tcp, asio::buffer(kReply), kTuple);
  if (!ec) co_await linger(c);
}

// Closing a socket that still has unread input makes the kernel send a reset, which can
// destroy a response the client has not read yet. So after an early error response: send FIN
// (the client sees the end at once and closes its side), then read and discard for a bounded
// time. The FIN comes without a TLS close_notify: the response carries Content-Length and
// Connection: close, so no client can mistake it for a truncation, and asio's TLS shutdown
// would stop at the first application-data record the client is still sending.
asio::awaitable<void> Server::Impl::linger(Connection& c) {
  beast::tcp_stream& tcp = c.lowest();
  error_code ignored;
  tcp.socket().shutdown(tcp::socket::shutdown_send, ignored);
  tcp.expires_after(kLingerTime);
  c.buffer.consume(c.buffer.size());
  for (size_t drained = 0; drained < kLingerMaxBytes;) {
    auto [ec, n] = co_await tcp.async_read_some(c.buffer.prepare(kReadChunk), kTuple);
    if (ec) break;
    drained += n;  // never committed: discarded
  }
  tcp.close();
}

asio::awaitable<void> Server::Impl::on_read_error(Connection& c, error_code ec) {
  if (ec == bhttp::error::header_limit) {
    co_await reject(c, 431, "request header fields too large\n");
  } else if (ec == bhttp::error::body_limit) {
    co_await reject(c, 413, "payload too large\n");
  } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
             ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    co_await reject(c, 400, "malformed request\n");
  }
  // Anything else (EOF, reset, timeout, stop) leaves nobody to answer.
}

// An error response, usually sent before the request was fully read (a body or more header
// bytes may still be on the way), so the connection is closed by lingering.
asio::awaitable<void> Server::Impl::reject(Connection& c, int status, std::string_view body) {
  spdlog::debug("http: {} -> {} (request rejected)", c.remote_addr, status);
  bool keep_alive = false;
  std::string wire = serialize(plain(status, std::string(body)), false, keep_alive, 11);
  c.lowest().expires_after(secs(limits.write_timeout_seconds));
  auto [ec, n] = co_await asio::async_write(c.stream, asio::buffer(wire), kTuple);
  if (!ec) co_await linger(c);
}

asio::awaitable<void> Server::Impl::close_gracefully(Connection& c) {
  // Send close_notify so the client can tell a complete close from a truncation; wait briefly
  // for its own close_notify, which many clients never send.
  c.lowest().expires_after(kShutdownTimeout);
  co_await c.stream.async_shutdown(kTuple);
  c.lowest().close();
}

// Serves one streamed response after its head was sent. Two activities share the strand:
//   * a read kept pending on the socket, because a client that goes away is otherwise only
//     noticed when a write fails, which for a quiet watch may be never;
//   * the writer (this coroutine), which parks on a timer until the producer queues bytes or
//     closes, the read fails, or the server stops (stop() closes the socket, failing the read).
// Only the write timeout applies meanwhile: a watch may be silent for as long as it likes.
asio::awaitable<bool> Server::Impl::run_stream(Connection& c, Reply& reply) {
  beast::tcp_stream& tcp = c.lowest();
  auto stream = std::make_shared<StreamImpl>(tcp.get_executor(), limits.max_stream_queue_bytes,
                                             reply.chunked);
  asio::steady_timer timer(tcp.get_executor());
  // However this frame ends (even destroyed unfinished with the io_context), the producer
  // learns that the stream is over.
  struct FinishOnExit {
    StreamImpl& s;
    ~FinishOnExit() {
      s.waiting_on = nullptr;
      s.finish();
    }
  } finish_on_exit{*stream};
  stream->waiting_on = &timer;

  // Lives in this frame; the frame never returns while its read is pending.
  struct Reader {
    Connection& c;
    asio::steady_timer& timer;
    bool pending = false;
    error_code ec = {};
    void arm() {
      pending = true;
      c.stream.async_read_some(c.buffer.prepare(kReadChunk), [this](error_code e, size_t n) {
        pending = false;
        if (e)
          ec = e;
        else
          c.buffer.commit(n);  // a next request (pipelined); kept, and reading stops here
        timer.cancel();        // whoever waits re-checks
      });
    }
  } reader{c, timer};
  // With bytes of a next request already buffered, a second pending read could not be handed
  // to the parser later; then only a failed write notices a vanished client.
  if (c.buffer.size() == 0) {
    tcp.expires_never();  // no read deadline; each write below sets only the write deadline
    reader.arm();
  }

  try {
    asio::post(*pool, [start = std::move(reply.start_stream), stream]() mutable {
      try {
        start(stream);
      } catch (const std::exception& e) {
        spdlog::error("http: stream producer failed to start: {}", e.what());
        stream->close();
      } catch (...) {
        spdlog::error("http: stream producer failed to start");
        stream->close();
      }
    });
  } catch (...) {
    stream->close();  // out of memory: end the stream cleanly rather than leave the read
  }

  enum class End { kClosed, kGone, kOverflow, kWriteFailed } end;
  for (;;) {
    if (reader.ec) {
      end = End::kGone;
      break;
    }
    StreamImpl::Next next = stream->next();
    if (next.kind == StreamImpl::Next::kOverflow) {
      end = End::kOverflow;
      break;
    }
    if (next.kind == StreamImpl::Next::kFinish) {
      end = End::kClosed;
      break;
    }
    if (next.kind == StreamImpl::Next::kWait) {
      timer.expires_at(asio::steady_timer::time_point::max());
      co_await timer.async_wait(kTuple);
      continue;
    }
    // Everything queued goes out in one write, and so is flushed as soon as it is written.
    tcp.expires_after(secs(limits.write_timeout_seconds));
    auto [ec, n] = co_await asio::async_write(c.stream, asio::buffer(next.bytes), kTuple);
    if (ec) {
      end = End::kWriteFailed;
      break;
    }
  }
  if (end == End::kClosed && reply.chunked) {
    static constexpr std::string_view kLastChunk = "0\r\n\r\n";
    tcp.expires_after(secs(limits.write_timeout_seconds));
    auto [ec, n] = co_await asio::async_write(c.stream, asio::buffer(kLastChunk), kTuple);
    if (ec) end = End::kWriteFailed;
  }
  stream->waiting_on = nullptr;
  stream->finish();  // the producer's on_close runs now, before any idle wait
  if (end == End::kOverflow)
    spdlog::warn("http: stream to {} fell more than {} bytes behind; ending it", c.remote_addr,
                 limits.max_stream_queue_bytes);

  // An HTTP/1.0 stream ends with the connection; so does one that failed. A clean end goes on
  // with keep-alive, and the read still pending is then the idle wait for the next request.
  bool keep = end == End::kClosed && !reply.close && !stopping;
  if (!keep) tcp.close();  // also fails the pending read
  auto deadline = keep ? std::chrono::steady_clock::now() + secs(limits.idle_timeout_seconds)
                       : asio::steady_timer::time_point::max();
  while (reader.pending) {
    timer.expires_at(deadline);
    auto [ec] = co_await timer.async_wait(kTuple);
    if (!ec && reader.pending) {  // idle timeout
      tcp.close();
      deadline = asio::steady_timer::time_point::max();
    }
  }
  co_return keep && !reader.ec;
}

Reply Server::Impl::invoke(const Request& req, bool keep_alive, int version) noexcept {
  try {
    Response res;
    if (stopping) {
      res = plain(503, "server is shutting down\n");
      keep_alive = false;
    } else {
      bool ok = false;
      try {
        res = handler(req);
        ok = true;
        if (res.status < 200 || res.status > 599) {
          spdlog::error("http: handler returned status {} for {} {}", res.status, req.method,
                        path_of(req.target));
          ok = false;
        }
      } catch (const std::exception& e) {
        spdlog::error("http: handler failed for {} {}: {}", req.method, path_of(req.target),
                      e.what());
      } catch (...) {
        spdlog::error("http: handler failed for {} {}: unknown exception", req.method,
                      path_of(req.target));
      }
      if (!ok) res = plain(500, "internal server error\n");
    }
    const bool head = req.method == "HEAD";
    // A stream whose response has no body cannot stream: its producer is never started.
    const bool stream = res.start_stream && !head && res.status != 204 && res.status != 304;
    Reply reply;
    reply.status = res.status;
    reply.wire = serialize(res, head, keep_alive, version, stream);
    reply.close = !keep_alive;
    if (stream) {
      reply.start_stream = std::move(res.start_stream);
      reply.chunked = version >= 11;
    }
    return reply;
  } catch (...) {
    // Out of memory while building the response: a fixed reply needs no allocation to exist.
    Reply reply;
    reply.close = true;
    reply.status = 500;
    try {
      reply.wire = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    } catch (...) {
    }
    return reply;
  }
}

Server::Server(std::string host, uint16_t port, TlsFiles tls, Handler handler, Limits limits,
               int io_threads, int worker_threads)
    : impl_(std::make_unique<Impl>(std::move(host), port, std::move(tls), std::move(handler),
                                   limits, io_threads, worker_threads)) {}

Server::Server(Handler handler, Limits limits, int io_threads, int worker_threads)
    : impl_(std::make_unique<Impl>(std::nullopt, 0, TlsFiles{}, std::move(handler), limits,
                                   io_threads, worker_threads)) {}

uint16_t Server::add_listener(const std::string& tag, const std::string& host, uint16_t port,
                              const TlsFiles& tls) {
  return impl_->add_listener(tag, host, port, tls);
}

void Server::remove_listener(const std::string& tag) { impl_->remove_listener(tag); }

Server::~Server() { stop(); }

void Server::start() { impl_->start(); }

void Server::stop() { impl_->stop(); }

uint16_t Server::port() const { return impl_->bound_port.load(); }

}  // namespace orch::http
