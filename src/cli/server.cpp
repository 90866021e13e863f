#include "cli/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <sys/stat.h>
#include <deque>
#include <cstdio>
#include <mutex>
#include <thread>

#include "audit/log.h"
#include "aws/gateway.h"
#include "base/clock.h"
#include "base/http/server.h"
#include "base/tls/pki.h"
#include "cli/bootstrap.h"
#include "cli/cluster_listeners.h"
#include "cli/data_dir.h"
#include "identity/directory.h"
#include "identity/usage.h"
#include "kube/apiserver/apiserver.h"
#include "kube/authn/sts_hosts.h"
#include "store/store.h"

namespace orch::cli {
namespace {

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

HostPort split(const std::string& listen, const char* flag) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error(std::string(flag) + " must be HOST:PORT, got '" + listen + "'");
  HostPort hp;
  hp.host = listen.substr(0, colon);
  if (hp.host.size() >= 2 && hp.host.front() == '[' && hp.host.back() == ']') hp.host = hp.host.substr(1, hp.host.size() - 2);
  try {
    int p = std::stoi(listen.substr(colon + 1));
    if (p < 0 || p > 65535) throw std::out_of_range("port");
    hp.port = static_cast<uint16_t>(p);
  } catch (const std::exception&) {
    throw std::runtime_error(std::string(flag) + " has an invalid port in '" + listen + "'");
  }
  return hp;
}

bool is_ip(const std::string& host) {
  return host.find_first_not_of("0123456789.") == std::string::npos || host.find(':') != std::string::npos;
}

// The name clients should use to reach a listener: a wildcard bind is reached via loopback
// unless an explicit --hostname says otherwise.
std::string public_host(const HostPort& hp, const std::vector<std::string>& hostnames) {
  if (hp.host == "0.0.0.0" || hp.host == "::") return hostnames.empty() ? "127.0.0.1" : hostnames.front();
  return hp.host.find(':') != std::string::npos ? "[" + hp.host + "]" : hp.host;
}

std::mutex g_stop_mu;
std::condition_variable g_stop_cv;
std::atomic<bool> g_stop{false};

void on_signal(int) {
  g_stop = true;
  g_stop_cv.notify_all();  // not strictly async-signal-safe; the waiter also polls g_stop
}

}  // namespace

int run_server(const ServerOptions& opts) {
  // Everything the server creates (the database, keys, certificates, admin files) is its own.
  ::umask(077);
  DataDir d{opts.data_dir};
  prepare(d);
  HostPort aws_hp = split(opts.aws_listen, "--aws-listen");
  HostPort kube_hp = split(opts.kube_listen, "--kube-listen");

  auto store = store::open_sqlite(d.db());
  identity::Directory dir(*store, crypto::SecretBox(load_or_create_secret_key(d)));
  identity::Usage usage(dir);
  audit::Log audit_log(audit::LogOptions{.dir = d.audit()});

  auto ca = tls::Authority::load_or_create(d.pki(), "Orchestera CA");
  ServingNames names;
  names.dns_names = {"localhost"};
  names.ip_addresses = {"127.0.0.1", "::1"};
  for (const auto& h : opts.hostnames) (is_ip(h) ? names.ip_addresses : names.dns_names).push_back(h);
  for (const HostPort* hp : {&aws_hp, &kube_hp}) {
    if (hp->host == "0.0.0.0" || hp->host == "::") continue;
    (is_ip(hp->host) ? names.ip_addresses : names.dns_names).push_back(hp->host);
  }
  names.public_host = public_host(kube_hp, opts.hostnames);
  auto cert = ca.ensure_server_cert("serving", names.dns_names, names.ip_addresses);

  RateLimiter aws_rate(opts.rate_limit, opts.rate_burst), kube_rate(opts.rate_limit, opts.rate_burst);

  // Each cluster's Kubernetes API has a listener (port and CA) of its own on this server; they
  // open as clusters become ACTIVE, and at start for those that are — before the AWS listener
  // binds, so that an AWS port chosen by the system (port 0) can never take a cluster's
  // recorded port. Until the API knows the AWS endpoint (EKS tokens are presigned for it), the
  // cluster listeners answer 503.
  std::atomic<bool> kube_ready{false};
  std::unique_ptr<kube::ApiServer> kube_api;
  http::Server kube_server(
      [&](const http::Request& r) {
        return kube_ready.load() ? kube_api->handle(r)
                                 : http::Response{503, {{"Content-Type", "text/plain"}}, "starting"};
      },
      http::Limits{}, 2, 8);
  kube_server.start();
  ClusterListeners listeners(kube_server, d, kube_hp.host, kube_hp.port, names);
  kube_api = std::make_unique<kube::ApiServer>(
      dir, *store, listeners,
      kube::ApiServerOptions{.audit = &audit_log, .rate = &kube_rate, .max_watches_per_user = opts.max_watches});
  kube_api->provision_pending();

  aws::Gateway gateway(dir, usage, &audit_log, &aws_rate);
  http::Server server(aws_hp.host, aws_hp.port, http::TlsFiles{cert.cert_path, cert.key_path},
                      [&](const http::Request& r) { return gateway.handle(r); }, http::Limits{}, 2, 8);
  server.start();
  std::string endpoint = "https://" + public_host(aws_hp, opts.hostnames) + ":" + std::to_string(server.port());
  kube::authn::TokenPolicy token_policy;
  if (auto host = kube::authn::endpoint_host(endpoint)) token_policy.own_hosts.push_back(*host);
  kube_api->set_token_policy(std::move(token_policy));
  kube_ready = true;
  AdminFiles files = bootstrap(dir, d, endpoint, ca.ca_cert_path());

  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::printf("Orchestera is serving the AWS API (IAM, STS, Organizations, EKS) at %s\n", endpoint.c_str());
  std::printf("  Kubernetes API: each cluster on its own port of %s (%s), with its own CA\n",
              names.public_host.c_str(), kube_hp.port ? ("from port " + std::to_string(kube_hp.port) + " up").c_str() : "any free port");
  std::printf("  data directory: %s\n  CA certificate: %s\n  admin AWS config: %s\n  admin AWS credentials: %s\n",
              d.root.c_str(), ca.ca_cert_path().c_str(), files.config.c_str(), files.credentials.c_str());
  std::printf("Try: AWS_CONFIG_FILE=%s AWS_SHARED_CREDENTIALS_FILE=%s aws --profile orchestera-admin iam list-users\n",
              files.config.c_str(), files.credentials.c_str());
  std::fflush(stdout);

  {
    std::unique_lock lock(g_stop_mu);
    // The store's revision at each past tick, to compact history older than history_seconds.
    std::deque<std::pair<int64_t, int64_t>> revisions;  // (time, revision)
    while (!g_stop) {
      g_stop_cv.wait_for(lock, std::chrono::seconds(1));
      lock.unlock();
      // Last-used times are batched to keep disk writes off the request path.
      usage.flush();
      kube_api->provision_pending();
      kube_api->close_expired_watches();
      int64_t now = clock::now_seconds();
      revisions.emplace_back(now, store->current_revision());
      int64_t compact_to = 0;
      while (!revisions.empty() && revisions.front().first <= now - opts.history_seconds) {
        compact_to = revisions.front().second;
        revisions.pop_front();
      }
      if (compact_to > store->compacted_revision()) {
        try {
          store->compact(compact_to);
        } catch (const std::exception& e) {
          spdlog::warn("compacting the store's history failed (will retry): {}", e.what());
        }
      }
      lock.lock();
    }
  }
  spdlog::info("stopping");
  server.stop();
  kube_server.stop();
  usage.flush();
  return 0;
}

}  // namespace orch::cli
