// An HTTPS/1.1 server on Boost.Beast: keep-alive, fixed limits on header and body size (413/431),
// idle and request timeouts, and a handler that runs on a worker pool so slow handlers (store
// writes) never block the I/O threads. Binds port 0 in tests; port() tells what was bound.
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
  // First header with this name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
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
};

struct TlsFiles {
  std::string cert_chain_pem_path;
  std::string private_key_pem_path;
};

class Server {
 public:
  // io_threads serve sockets; worker_threads run the handler.
  Server(std::string host, uint16_t port, TlsFiles tls, Handler handler, Limits limits = {},
         int io_threads = 2, int worker_threads = 4);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void start();   // binds and listens; throws std::runtime_error with a clear message on failure
  // Closes the listener and connections, joins threads. Idempotent; never call it from inside a
  // handler (it waits for handlers to finish).
  void stop();
  uint16_t port() const;  // the bound port (useful with port 0); 0 before start()

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orch::http
