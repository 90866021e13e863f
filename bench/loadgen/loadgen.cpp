// orch_loadgen: a small HTTPS/1.1 load generator on Boost.Beast/Asio and OpenSSL (the server's
// own libraries), with SigV4 signing from src/sigv4. Why not wrk: see bench/README.md.
//
//   orch_loadgen run   URL options   keep-alive connections sending requests; prints JSON stats
//   orch_loadgen watch URL options   W watch streams + 1 writer; time from write to delivery
//
// Requests are built before the clock starts: a template (method, target, body, headers) where
// {i} is replaced by the request's number, optionally SigV4-signed (presigned query or header
// form) with the given credentials. With --count N there are N distinct requests (sent once each
// with --once, e.g. N CreateUser calls), otherwise one request is repeated.
//
// Latency is measured per request from its intended start: in closed-loop mode (no --rate) that
// is when the connection sent it; with --rate R the requests are scheduled at R per second over
// all connections and a request that starts late because the server is behind is charged for
// the wait (no coordinated omission, as wrk2 does it).
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "sigv4/sigv4.h"

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
namespace sigv4 = orch::sigv4;

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "orch_loadgen: %s\n", msg.c_str());
  std::exit(2);
}

// ---- options -------------------------------------------------------------------------------

struct Options {
  std::string mode;
  std::string host, port;
  std::string cacert, cert, key;
  int connections = 8;
  int threads = 1;
  double duration = 5, warmup = 1;
  double rate = 0;  // requests/s over all connections; 0 = closed loop
  bool once = false;
  size_t count = 1;
  size_t first = 0;  // {i} of the first request
  std::string method = "GET", target = "/", body;
  std::vector<std::pair<std::string, std::string>> headers;
  // SigV4
  std::string sign;  // "", "presign", "header"
  std::string access_key, secret_key, session_token, service, region = "us-east-1";
  // watch mode
  int watchers = 100;
  std::string watch_target;
  std::string write_method = "POST", write_target, write_body;
  int writes = 50;
  double write_interval_ms = 20;
  std::string match_field = "name";  // event.object.metadata.<field> carries the write's {i}
};

void usage() {
  std::fprintf(stderr,
               "usage: orch_loadgen run|watch --url https://HOST:PORT [--cacert F] [--cert F --key F]\n"
               "  run:   [--connections N] [--threads T] [--duration S] [--warmup S] [--rate R] [--count N [--first F]]\n"
               "         [--once]\n"
               "         [--method M] [--target T] [--body B] [--header 'K: V']...\n"
               "         [--sign presign|header --access-key K --secret-key S [--session-token T] --service S [--region R]]\n"
               "  watch: --watch-target T --write-target T --write-body B [--watchers W] [--writes N]\n"
               "         [--write-interval-ms MS] [--header 'K: V']...\n"
               "  {i} in target and body is the request's number.\n");
  std::exit(2);
}

Options parse_args(int argc, char** argv) {
  if (argc < 2) usage();
  Options o;
  o.mode = argv[1];
  if (o.mode != "run" && o.mode != "watch") usage();
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) die(std::string("missing value for ") + argv[i]);
    return argv[++i];
  };
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--url") {
      std::string url = need(i);
      if (!url.starts_with("https://")) die("only https:// URLs are supported");
      std::string hp = url.substr(8);
      if (auto slash = hp.find('/'); slash != std::string::npos) hp = hp.substr(0, slash);
      auto colon = hp.rfind(':');
      if (colon == std::string::npos) {
        o.host = hp;
        o.port = "443";
      } else {
        o.host = hp.substr(0, colon);
        o.port = hp.substr(colon + 1);
      }
    } else if (a == "--cacert") o.cacert = need(i);
    else if (a == "--cert") o.cert = need(i);
    else if (a == "--key") o.key = need(i);
    else if (a == "--connections") o.connections = std::stoi(need(i));
    else if (a == "--threads") o.threads = std::stoi(need(i));
    else if (a == "--duration") o.duration = std::stod(need(i));
    else if (a == "--warmup") o.warmup = std::stod(need(i));
    else if (a == "--rate") o.rate = std::stod(need(i));
    else if (a == "--once") o.once = true;
    else if (a == "--count") o.count = std::stoul(need(i));
    else if (a == "--first") o.first = std::stoul(need(i));
    else if (a == "--method") o.method = need(i);
    else if (a == "--target") o.target = need(i);
    else if (a == "--body") o.body = need(i);
    else if (a == "--header") {
      std::string h = need(i);
      auto c = h.find(':');
      if (c == std::string::npos) die("--header wants 'Name: value'");
      std::string v = h.substr(c + 1);
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      o.headers.emplace_back(h.substr(0, c), v);
    } else if (a == "--sign") o.sign = need(i);
    else if (a == "--access-key") o.access_key = need(i);
    else if (a == "--secret-key") o.secret_key = need(i);
    else if (a == "--session-token") o.session_token = need(i);
    else if (a == "--service") o.service = need(i);
    else if (a == "--region") o.region = need(i);
    else if (a == "--watchers") o.watchers = std::stoi(need(i));
    else if (a == "--watch-target") o.watch_target = need(i);
    else if (a == "--write-method") o.write_method = need(i);
    else if (a == "--write-target") o.write_target = need(i);
    else if (a == "--write-body") o.write_body = need(i);
    else if (a == "--writes") o.writes = std::stoi(need(i));
    else if (a == "--write-interval-ms") o.write_interval_ms = std::stod(need(i));
    else die("unknown option " + a);
  }
  if (o.host.empty()) die("--url is required");
  if (o.connections < 1 || o.threads < 1) die("--connections and --threads must be >= 1");
  o.threads = std::min(o.threads, o.connections);
  return o;
}

// ---- requests ------------------------------------------------------------------------------

struct Req {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;  // Host included
};

// {i} is the request's number; {i/K} and {i%K} its quotient and remainder by K (to spread
// requests over namespaces: /namespaces/s-{i/1000}/configmaps/cm-{i%1000}).
std::string expand(std::string s, size_t i) {
  for (size_t p = 0; (p = s.find("{i", p)) != std::string::npos;) {
    size_t close = s.find('}', p);
    if (close == std::string::npos) break;
    std::string tok = s.substr(p + 2, close - p - 2);
    size_t v = i;
    if (!tok.empty() && (tok[0] == '/' || tok[0] == '%')) {
      size_t k = std::stoul(tok.substr(1));
      if (k == 0) die("{i/0} or {i%0} in a template");
      v = tok[0] == '/' ? i / k : i % k;
    } else if (!tok.empty()) {
      ++p;
      continue;
    }
    std::string n = std::to_string(v);
    s.replace(p, close - p + 1, n);
    p += n.size();
  }
  return s;
}

std::string host_header(const Options& o) { return o.port == "443" ? o.host : o.host + ":" + o.port; }

Req build(const Options& o, const std::string& method, const std::string& target, const std::string& body, size_t i,
          int64_t now) {
  Req r{method, expand(target, i), expand(body, i), {}};
  bool has_host = false;
  for (const auto& [k, v] : o.headers) has_host |= beast::iequals(k, "host");
  if (!has_host) r.headers.emplace_back("Host", host_header(o));
  for (const auto& h : o.headers) r.headers.push_back(h);
  if (o.sign.empty()) return r;
  sigv4::SigningInput in;
  in.method = r.method;
  in.target = r.target;
  in.body = r.body;
  for (const auto& [k, v] : r.headers) in.headers.push_back({k, v});
  in.access_key_id = o.access_key;
  in.secret = o.secret_key;
  if (!o.session_token.empty()) in.session_token = o.session_token;
  in.region = o.region;
  in.service = o.service;
  in.now = now;
  if (o.sign == "presign") {
    r.target = sigv4::presign(in, 900);
  } else if (o.sign == "header") {
    r.headers.clear();
    for (auto& h : sigv4::sign_headers(in)) r.headers.emplace_back(h.name, h.value);
  } else {
    die("--sign must be presign or header");
  }
  return r;
}

http::request<http::string_body> to_beast(const Req& r) {
  http::request<http::string_body> req;
  req.method_string(r.method);
  req.target(r.target);
  req.version(11);
  for (const auto& [k, v] : r.headers) req.set(k, v);
  req.body() = r.body;
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") req.prepare_payload();
  return req;
}

// ---- statistics ----------------------------------------------------------------------------

struct Stats {
  std::vector<uint32_t> latency_us;
  std::map<int, uint64_t> status;
  uint64_t io_errors = 0, reconnects = 0;
  std::string first_error;
  void merge(const Stats& s) {
    latency_us.insert(latency_us.end(), s.latency_us.begin(), s.latency_us.end());
    for (auto [k, v] : s.status) status[k] += v;
    io_errors += s.io_errors;
    reconnects += s.reconnects;
    if (first_error.empty()) first_error = s.first_error;
  }
};

double percentile(std::vector<uint32_t>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k] / 1000.0;
}

json::object summarize(Stats& s, double seconds) {
  json::object st;
  uint64_t ok = 0, total = 0;
  for (auto [k, v] : s.status) {
    st[std::to_string(k)] = v;
    total += v;
    if (k >= 200 && k < 300) ok += v;
  }
  double mean = 0;
  for (auto l : s.latency_us) mean += l;
  if (!s.latency_us.empty()) mean /= static_cast<double>(s.latency_us.size()) * 1000.0;
  uint32_t mx = s.latency_us.empty() ? 0 : *std::max_element(s.latency_us.begin(), s.latency_us.end());
  json::object out{{"requests", total},
                   {"ok", ok},
                   {"non_2xx", total - ok},
                   {"status", st},
                   {"io_errors", s.io_errors},
                   {"reconnects", s.reconnects},
                   {"seconds", seconds},
                   {"rps", seconds > 0 ? static_cast<double>(ok) / seconds : 0.0},
                   {"mean_ms", mean},
                   {"p50_ms", percentile(s.latency_us, 50)},
                   {"p90_ms", percentile(s.latency_us, 90)},
                   {"p99_ms", percentile(s.latency_us, 99)},
                   {"max_ms", mx / 1000.0}};
  if (!s.first_error.empty()) out["first_error"] = s.first_error;
  return out;
}

// ---- TLS -----------------------------------------------------------------------------------

std::shared_ptr<ssl::context> tls_context(const Options& o) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  if (!o.cacert.empty()) {
    ctx->load_verify_file(o.cacert);
    ctx->set_verify_mode(ssl::verify_peer);  // chain only: the name is an IP we dialled ourselves
  } else {
    ctx->set_verify_mode(ssl::verify_none);
  }
  if (!o.cert.empty()) {
    ctx->use_certificate_chain_file(o.cert);
    ctx->use_private_key_file(o.key, ssl::context::pem);
  }
  return ctx;
}

// ---- run mode ------------------------------------------------------------------------------

struct Plan {
  const Options& o;
  std::vector<Req> reqs;
  std::vector<std::string> wire;  // each request serialized once
  std::atomic<size_t> next{0};
  Clock::time_point start, measure_from, end;
  std::atomic<bool> stopping{false};
};

class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(asio::io_context& io, ssl::context& ctx, Plan& plan, Stats& stats, tcp::resolver::results_type endpoints,
       double interval_s, double offset_s)
      : io_(io), ctx_(ctx), plan_(plan), stats_(stats), endpoints_(std::move(endpoints)), timer_(io),
        interval_(interval_s) {
    if (interval_s > 0)
      next_due_ = plan.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(offset_s));
  }

  void start() { connect(); }

 private:
  void connect() {
    if (plan_.stopping) return;
    stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, ctx_);
    buf_.clear();
    beast::get_lowest_layer(*stream_).async_connect(endpoints_, [self = shared_from_this()](beast::error_code ec,
                                                                                            const tcp::endpoint&) {
      if (ec) return self->fail("connect", ec);
      beast::get_lowest_layer(*self->stream_).socket().set_option(tcp::no_delay(true));
      self->stream_->async_handshake(ssl::stream_base::client, [self](beast::error_code ec) {
        if (ec) return self->fail("handshake", ec);
        self->send_next();
      });
    });
  }

  void fail(const char* what, beast::error_code ec) {
    if (plan_.stopping) return;
    ++stats_.io_errors;
    if (stats_.first_error.empty()) stats_.first_error = std::string(what) + ": " + ec.message();
    if (stats_.io_errors > 10000) die("too many I/O errors; first: " + stats_.first_error);
    if (in_flight_ && plan_.o.once) {
      // The request was lost with the connection: send it again on the new one.
      retry_ = current_;
    }
    in_flight_ = false;
    ++stats_.reconnects;
    // Back off a little so a refusing server is not spun against.
    timer_.expires_after(std::chrono::milliseconds(10));
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->connect(); });
  }

  void send_next() {
    if (plan_.stopping) return;
    size_t idx;
    if (retry_) {
      idx = *retry_;
      retry_.reset();
    } else {
      idx = plan_.next.fetch_add(1);
      if (plan_.o.once && idx >= plan_.reqs.size()) {
        done();
        return;
      }
      idx %= plan_.reqs.size();
    }
    current_ = idx;
    Clock::time_point now = Clock::now();
    if (interval_ > 0) {
      intended_ = next_due_;
      next_due_ += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_));
      if (intended_ > now) {
        timer_.expires_at(intended_);
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
          if (!ec) self->write();
        });
        return;
      }
    } else {
      intended_ = now;
    }
    write();
  }

  void write() {
    if (plan_.stopping) return;
    in_flight_ = true;
    const std::string& w = plan_.wire[current_];
    asio::async_write(*stream_, asio::buffer(w), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->fail("write", ec);
      self->res_.emplace();
      self->res_->body_limit(256ull << 20);
      http::async_read(*self->stream_, self->buf_, *self->res_, [self](beast::error_code ec, size_t) {
        if (ec) return self->fail("read", ec);
        self->in_flight_ = false;
        Clock::time_point t = Clock::now();
        if (self->intended_ >= self->plan_.measure_from && t <= self->plan_.end) {
          auto us = std::chrono::duration_cast<std::chrono::microseconds>(t - self->intended_).count();
          self->stats_.latency_us.push_back(static_cast<uint32_t>(std::min<int64_t>(us, UINT32_MAX)));
          int code = self->res_->get().result_int();
          ++self->stats_.status[code];
          if ((code < 200 || code >= 300) && self->stats_.first_error.empty())
            self->stats_.first_error = "HTTP " + std::to_string(code) + ": " + self->res_->get().body().substr(0, 300);
        }
        if (!self->res_->keep_alive()) {
          ++self->stats_.reconnects;
          beast::get_lowest_layer(*self->stream_).close();
          return self->connect();
        }
        self->send_next();
      });
    });
  }

  void done() {
    beast::get_lowest_layer(*stream_).close();
  }

  asio::io_context& io_;
  ssl::context& ctx_;
  Plan& plan_;
  Stats& stats_;
  tcp::resolver::results_type endpoints_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buf_;
  std::optional<http::response_parser<http::string_body>> res_;
  asio::steady_timer timer_;
  double interval_;
  Clock::time_point next_due_, intended_;
  size_t current_ = 0;
  std::optional<size_t> retry_;
  bool in_flight_ = false;
};

int run_mode(const Options& o) {
  Plan plan{o, {}, {}, {}, {}, {}, {}, {}};
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  // --count N --first F: requests number F .. N-1 (so a store can be grown in steps).
  size_t n = std::max<size_t>(1, o.count);
  if (o.first >= n) die("--first must be below --count");
  plan.reqs.reserve(n - o.first);
  for (size_t i = o.first; i < n; ++i) plan.reqs.push_back(build(o, o.method, o.target, o.body, i, now));
  for (const auto& r : plan.reqs) {
    std::ostringstream ss;
    ss << to_beast(r);
    plan.wire.push_back(ss.str());
  }
  auto ctx = tls_context(o);
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<Stats> stats(static_cast<size_t>(o.threads));
  for (int t = 0; t < o.threads; ++t) ios.push_back(std::make_unique<asio::io_context>(1));
  tcp::resolver resolver(*ios[0]);
  auto endpoints = resolver.resolve(o.host, o.port);

  plan.start = Clock::now();
  auto dur = [](double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); };
  bool timed = !o.once;
  plan.measure_from = timed ? plan.start + dur(o.warmup) : plan.start;
  plan.end = timed ? plan.measure_from + dur(o.duration) : Clock::time_point::max();
  double interval = o.rate > 0 ? o.connections / o.rate : 0;
  for (int c = 0; c < o.connections; ++c) {
    size_t t = static_cast<size_t>(c % o.threads);
    auto conn = std::make_shared<Conn>(*ios[t], *ctx, plan, stats[t], endpoints, interval,
                                       interval * c / o.connections);
    asio::post(*ios[t], [conn] { conn->start(); });
  }
  std::vector<std::unique_ptr<asio::steady_timer>> stops;
  if (timed) {
    for (auto& io : ios) {
      auto timer = std::make_unique<asio::steady_timer>(*io, plan.end);
      timer->async_wait([&plan, io = io.get()](beast::error_code) {
        plan.stopping = true;
        io->stop();
      });
      stops.push_back(std::move(timer));
    }
  }
  std::vector<std::thread> threads;
  for (int t = 1; t < o.threads; ++t) threads.emplace_back([&, t] { ios[static_cast<size_t>(t)]->run(); });
  ios[0]->run();
  for (auto& th : threads) th.join();
  Clock::time_point finished = Clock::now();
  Stats all;
  for (auto& s : stats) all.merge(s);
  double seconds = timed ? o.duration : std::chrono::duration<double>(finished - plan.start).count();
  json::object out = summarize(all, seconds);
  out["connections"] = o.connections;
  out["threads"] = o.threads;
  if (o.rate > 0) out["target_rate"] = o.rate;
  std::cout << json::serialize(out) << std::endl;
  return 0;
}

// ---- watch mode ----------------------------------------------------------------------------
// W watchers each hold a watch stream; once every stream has answered 200, one writer sends
// `writes` requests (one every write_interval_ms) whose bodies name objects "…{i}"; each watcher
// notes when the event for write i arrives. Latency = arrival - the write's send time.

struct WatchRun {
  const Options& o;
  asio::io_context& io;
  ssl::context& ctx;
  tcp::resolver::results_type endpoints;
  std::vector<Clock::time_point> sent;  // per write
  std::vector<uint32_t> delivery_us;
  std::vector<uint32_t> write_us;
  std::map<int, uint64_t> write_status;
  int ready = 0, watch_failed = 0;
  uint64_t delivered = 0, expected = 0;
  std::string first_error;
  std::function<void()> on_all_ready;
  std::function<void()> on_all_delivered;
  std::string prefix;  // the part of the object name before {i}
};

class Watcher : public std::enable_shared_from_this<Watcher> {
 public:
  Watcher(WatchRun& w) : w_(w), stream_(w.io, w.ctx) {}
  void start() {
    beast::get_lowest_layer(stream_).async_connect(w_.endpoints, [self = shared_from_this()](beast::error_code ec,
                                                                                           const tcp::endpoint&) {
      if (ec) return self->fail("connect: " + ec.message());
      self->stream_.async_handshake(ssl::stream_base::client, [self](beast::error_code ec) {
        if (ec) return self->fail("handshake: " + ec.message());
        Req r = build(self->w_.o, "GET", self->w_.o.watch_target, "", 0, 0);
        std::ostringstream ss;
        ss << to_beast(r);
        self->wire_ = ss.str();
        asio::async_write(self->stream_, asio::buffer(self->wire_), [self](beast::error_code ec, size_t) {
          if (ec) return self->fail("write: " + ec.message());
          self->parser_.body_limit(boost::none);
          // The parser keeps a reference to the callback: it lives in the watcher, and holds no
          // owning pointer (the pending read does).
          Watcher* raw = self.get();
          self->chunk_cb_ = [raw](uint64_t, beast::string_view body, beast::error_code&) {
            raw->on_bytes(std::string_view(body.data(), body.size()));
            return body.size();
          };
          self->parser_.on_chunk_body(self->chunk_cb_);
          http::async_read_header(self->stream_, self->buf_, self->parser_, [self](beast::error_code ec, size_t) {
            if (ec) return self->fail("read header: " + ec.message());
            if (self->parser_.get().result_int() != 200)
              return self->fail("watch answered HTTP " + std::to_string(self->parser_.get().result_int()));
            if (++self->w_.ready == self->w_.o.watchers && self->w_.on_all_ready) self->w_.on_all_ready();
            self->read_more();
          });
        });
      });
    });
  }
  void close() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);
  }

 private:
  void read_more() {
    http::async_read_some(stream_, buf_, parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;  // closed at the end of the run
      if (self->parser_.is_done()) return;
      self->read_more();
    });
  }
  void on_bytes(std::string_view bytes) {
    Clock::time_point t = Clock::now();
    pending_.append(bytes);
    for (size_t nl; (nl = pending_.find('\n')) != std::string::npos;) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      boost::system::error_code ec;
      json::value ev = json::parse(line, ec);
      if (ec || !ev.is_object()) continue;
      const json::value* obj = ev.as_object().if_contains("object");
      if (!obj || !obj->is_object()) continue;
      const json::value* md = obj->as_object().if_contains("metadata");
      if (!md || !md->is_object()) continue;
      const json::value* nm = md->as_object().if_contains(w_.o.match_field);
      if (!nm || !nm->is_string()) continue;
      std::string_view name = nm->as_string();
      if (!name.starts_with(w_.prefix)) continue;
      size_t i = std::strtoul(std::string(name.substr(w_.prefix.size())).c_str(), nullptr, 10);
      if (i >= w_.sent.size() || w_.sent[i] == Clock::time_point{}) continue;
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(t - w_.sent[i]).count();
      w_.delivery_us.push_back(static_cast<uint32_t>(us));
      if (++w_.delivered == w_.expected && w_.on_all_delivered) w_.on_all_delivered();
    }
  }
  void fail(const std::string& what) {
    ++w_.watch_failed;
    if (w_.first_error.empty()) w_.first_error = what;
    if (w_.ready + w_.watch_failed == w_.o.watchers && w_.on_all_ready) w_.on_all_ready();
  }

  WatchRun& w_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buf_;
  http::response_parser<http::string_body> parser_;
  std::function<size_t(uint64_t, beast::string_view, beast::error_code&)> chunk_cb_;
  std::string wire_, pending_;
};

class Writer : public std::enable_shared_from_this<Writer> {
 public:
  Writer(WatchRun& w) : w_(w), stream_(w.io, w.ctx), timer_(w.io) {}
  void start(std::function<void()> done) {
    done_ = std::move(done);
    beast::get_lowest_layer(stream_).async_connect(w_.endpoints, [self = shared_from_this()](beast::error_code ec,
                                                                                           const tcp::endpoint&) {
      if (ec) die("writer connect: " + ec.message());
      self->stream_.async_handshake(ssl::stream_base::client, [self](beast::error_code ec) {
        if (ec) die("writer handshake: " + ec.message());
        self->next();
      });
    });
  }

 private:
  void next() {
    if (i_ >= static_cast<size_t>(w_.o.writes)) return done_();
    Req r = build(w_.o, w_.o.write_method, w_.o.write_target, w_.o.write_body, i_, 0);
    std::ostringstream ss;
    ss << to_beast(r);
    wire_ = ss.str();
    t0_ = Clock::now();
    w_.sent[i_] = t0_;
    asio::async_write(stream_, asio::buffer(wire_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) die("writer write: " + ec.message());
      self->res_.emplace();
      http::async_read(self->stream_, self->buf_, *self->res_, [self](beast::error_code ec, size_t) {
        if (ec) die("writer read: " + ec.message());
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - self->t0_).count();
        self->w_.write_us.push_back(static_cast<uint32_t>(us));
        int code = self->res_->get().result_int();
        ++self->w_.write_status[code];
        if ((code < 200 || code >= 300) && self->w_.first_error.empty())
          self->w_.first_error = "write HTTP " + std::to_string(code) + ": " + self->res_->get().body().substr(0, 300);
        ++self->i_;
        self->timer_.expires_at(self->t0_ + std::chrono::microseconds(static_cast<int64_t>(self->w_.o.write_interval_ms * 1000)));
        self->timer_.async_wait([self](beast::error_code) { self->next(); });
      });
    });
  }

  WatchRun& w_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buf_;
  std::optional<http::response_parser<http::string_body>> res_;
  asio::steady_timer timer_;
  std::string wire_;
  Clock::time_point t0_;
  size_t i_ = 0;
  std::function<void()> done_;
};

int watch_mode(const Options& o) {
  if (o.watch_target.empty() || o.write_target.empty()) die("watch needs --watch-target and --write-target");
  asio::io_context io(1);
  auto ctx = tls_context(o);
  tcp::resolver resolver(io);
  WatchRun w{o, io, *ctx, resolver.resolve(o.host, o.port), {}, {}, {}, {}, 0, 0, 0, 0, {}, {}, {}, {}};
  // The object name is what the write body names: the text before {i} after the last quote.
  size_t brace = o.write_body.find("{i}");
  if (brace == std::string::npos) die("--write-body must contain {i} in the object's name");
  size_t quote = o.write_body.rfind('"', brace);
  w.prefix = o.write_body.substr(quote + 1, brace - quote - 1);
  w.sent.assign(static_cast<size_t>(o.writes), Clock::time_point{});
  std::vector<std::shared_ptr<Watcher>> watchers;
  for (int i = 0; i < o.watchers; ++i) watchers.push_back(std::make_shared<Watcher>(w));
  auto writer = std::make_shared<Writer>(w);
  asio::steady_timer deadline(io);
  Clock::time_point t_start;
  double write_seconds = 0;
  auto finish = [&] {
    for (auto& x : watchers) x->close();
    deadline.cancel();
    io.stop();
  };
  bool writing = false;
  w.on_all_ready = [&] {
    if (writing) return;
    writing = true;
    w.expected = static_cast<uint64_t>(w.ready) * static_cast<uint64_t>(o.writes);
    if (w.ready == 0) return finish();
    t_start = Clock::now();
    writer->start([&] {
      write_seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
      // Give the last events a moment to arrive.
      if (w.delivered >= w.expected) return finish();
      deadline.expires_after(std::chrono::seconds(10));
      deadline.async_wait([&](beast::error_code ec) {
        if (!ec) finish();
      });
    });
  };
  w.on_all_delivered = [&] {
    if (write_seconds > 0) finish();
  };
  for (auto& x : watchers) asio::post(io, [x] { x->start(); });
  io.run();
  Stats ws;
  ws.latency_us = w.write_us;
  ws.status = w.write_status;
  json::object writes = summarize(ws, write_seconds);
  Stats ds;
  ds.latency_us = w.delivery_us;
  json::object out{{"watchers", o.watchers},
                   {"watchers_ready", w.ready},
                   {"watch_failed", w.watch_failed},
                   {"writes", o.writes},
                   {"expected_events", w.expected},
                   {"delivered_events", w.delivered},
                   {"events_per_s", write_seconds > 0 ? static_cast<double>(w.delivered) / write_seconds : 0.0},
                   {"delivery_p50_ms", percentile(ds.latency_us, 50)},
                   {"delivery_p99_ms", percentile(ds.latency_us, 99)},
                   {"delivery_max_ms",
                    ds.latency_us.empty() ? 0.0 : *std::max_element(ds.latency_us.begin(), ds.latency_us.end()) / 1000.0},
                   {"write", writes}};
  if (!w.first_error.empty()) out["first_error"] = w.first_error;
  std::cout << json::serialize(out) << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse_args(argc, argv);
    return o.mode == "run" ? run_mode(o) : watch_mode(o);
  } catch (const std::exception& e) {
    die(e.what());
  }
}
