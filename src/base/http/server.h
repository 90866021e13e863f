// An HTTPS/1.1 server on Boost.Beast: keep-alive, fixed limits on header and body size (413/431),
// idle and request timeouts, and a handler that runs on a worker pool so slow handlers (store
// writes) never block the I/O threads. Binds port 0 in tests; port() tells what was bound.
// A response can also be a stream (chunked, flushed per write) for watches and log follows.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orch::http {

struct Request {
  std::string method;
  std::string target;  // raw request-target as received
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;
  std::string remote_addr;  // client IP (no port)
  std::string listener;     // the tag of the listener that accepted the connection
  // The subject of a client certificate that verified against TlsFiles::client_ca (empty
  // when there was none): common name and organizations.
  std::string client_cn;
  std::vector<std::string> client_orgs;
  // First header with this name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
};

// A stream answers with Transfer-Encoding: chunked. The producer may call write() and close()
// from any thread; write() queues one chunk (sent and flushed in order on the connection's
// strand) and returns false once the client is gone or the stream was closed; close() sends the
// final chunk, after which the connection goes on with keep-alive as usual. on_close() runs once
// (on some thread) when the stream ends for any reason: closed by the producer, client gone,
// write timeout, or server stop — so the producer can release what feeds it.
//
// Details of this implementation:
//   * Back-pressure: the bytes queued but not yet taken by the client are bounded by
//     Limits::max_stream_queue_bytes. A write() that would exceed it ends the stream instead
//     (the connection is closed without the final chunk, so the client sees a truncated
//     response, not a clean end): a consumer that cannot keep up must re-list and re-watch,
//     as a Kubernetes watch that falls too far behind is closed too.
//   * write("") is a no-op (an empty chunk would mean the end of the body).
//   * on_close(f) after the stream already ended runs f at once on the calling thread;
//     otherwise f runs on an I/O thread, so it must not block. Registering again replaces f.
//   * write() and close() never block and never call on_close's function themselves.
//   * An HTTP/1.0 client gets the stream unframed and the connection closes at its end. For
//     HEAD, 204 and 304 the stream is not started (start_stream is never called).
//   * The client going away is noticed by a read kept pending on the socket, unless the client
//     already sent bytes of a next request (pipelining) during the stream: then only a failing
//     write notices it.
class Stream {
 public:
  virtual ~Stream() = default;
  virtual bool write(std::string chunk) = 0;
  virtual void close() = 0;
  virtual void on_close(std::function<void()> f) = 0;
  virtual bool open() const = 0;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // ignored for a stream
  // When set, the response is a stream: status and headers are sent, then start(stream) is
  // called once (on a worker thread) and must return promptly; it keeps the shared_ptr to feed it.
  // If start throws, the stream is closed at once. (The explicit initializer keeps aggregate
  // initialization without it free of -Wmissing-field-initializers.)
  std::function<void(std::shared_ptr<Stream>)> start_stream = nullptr;
};

using Handler = std::function<Response(const Request&)>;

struct Limits {
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  int request_timeout_seconds = 30;  // whole request must arrive within this
  int idle_timeout_seconds = 120;    // keep-alive idle connections are closed after this
  int handshake_timeout_seconds = 10;  // TCP accept to TLS handshake done
  int write_timeout_seconds = 30;      // a response must be taken by the client within this
  size_t max_connections = 10000;      // beyond this, new connections are closed at once
  // Bytes a stream may have queued and not yet taken by the client; beyond this the stream ends
  // (see Stream). While a stream is open the request and idle timeouts do not apply; each
  // chunk must be taken within write_timeout_seconds.
  size_t max_stream_queue_bytes = 8 << 20;
};

struct TlsFiles {
  std::string cert_chain_pem_path;
  std::string private_key_pem_path;
  // When set, clients may present a certificate (not required); one that verifies against this
  // CA for client authentication is passed to the handler as Request::client_cn/client_orgs.
  std::string client_ca_pem_path = {};
};

// One server (threads, limits, handler) may listen on several addresses, each with its own TLS
// identity and a tag that reaches the handler as Request::listener: that is how each Kubernetes
// cluster gets its own endpoint and CA while all share one set of threads.
class Server {
 public:
  // io_threads serve sockets; worker_threads run the handler. The listener given here has the
  // tag "" and is bound by start().
  Server(std::string host, uint16_t port, TlsFiles tls, Handler handler, Limits limits = {},
         int io_threads = 2, int worker_threads = 4);
  // A server that starts with no listener; add them with add_listener().
  explicit Server(Handler handler, Limits limits = {}, int io_threads = 2, int worker_threads = 4);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void start();   // binds and listens; throws std::runtime_error with a clear message on failure
  // On a started server: binds host:port (0 = any free port) with this TLS identity and returns
  // the bound port. Throws std::runtime_error if the tag is taken or the address cannot be bound.
  uint16_t add_listener(const std::string& tag, const std::string& host, uint16_t port,
                        const TlsFiles& tls);
  // Stops accepting on that listener and closes the connections it accepted. No-op if unknown.
  void remove_listener(const std::string& tag);
  // Closes the listener and connections, joins threads. Idempotent; never call it from inside a
  // handler (it waits for handlers to finish).
  void stop();
  uint16_t port() const;  // the first listener's bound port (useful with port 0); 0 before start()

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orch::http
