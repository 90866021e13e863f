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

#include "aws/gateway.h"
#include "base/clock.h"
#include "base/http/server.h"
#include "base/tls/pki.h"
#include "cli/bootstrap.h"
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

  auto ca = tls::Authority::load_or_create(d.pki(), "Orchestera CA");
  std::vector<std::string> dns{"localhost"}, ips{"127.0.0.1", "::1"};
  for (const auto& h : opts.hostnames) (is_ip(h) ? ips : dns).push_back(h);
  for (const HostPort* hp : {&aws_hp, &kube_hp}) {
    if (hp->host == "0.0.0.0" || hp->host == "::") continue;
    (is_ip(hp->host) ? ips : dns).push_back(hp->host);
  }
  auto cert = ca.ensure_server_cert("serving", dns, ips);
  http::TlsFiles tls{cert.cert_path, cert.key_path};
  // The Kubernetes listener also takes the operator's break-glass client certificate.
  http::TlsFiles kube_tls{cert.cert_path, cert.key_path, ca.ca_cert_path()};
  auto break_glass = ca.issue_client_cert("break-glass-admin", "orchestera:break-glass-admin", {"system:masters"});

  // The Kubernetes listener starts first, since DescribeCluster hands out its address; its API
  // needs the AWS endpoint (EKS tokens are presigned for it), so it is published once that
  // listener is up. Until then the Kubernetes listener answers 503.
  std::unique_ptr<kube::ApiServer> kube_api;
  std::atomic<kube::ApiServer*> kube_ready{nullptr};
  http::Server kube_server(
      kube_hp.host, kube_hp.port, kube_tls,
      [&](const http::Request& r) {
        kube::ApiServer* api = kube_ready.load();
        return api ? api->handle(r) : http::Response{503, {{"Content-Type", "text/plain"}}, "starting"};
      },
      http::Limits{}, 2, 8);
  kube_server.start();
  aws::ServerInfo info;
  info.ca_pem = ca.ca_cert_pem();
  info.kube_endpoint = "https://" + public_host(kube_hp, opts.hostnames) + ":" + std::to_string(kube_server.port());
  aws::Gateway gateway(dir, usage, info);
  http::Server server(aws_hp.host, aws_hp.port, tls, [&](const http::Request& r) { return gateway.handle(r); },
                      http::Limits{}, 2, 8);
  server.start();
  std::string endpoint = "https://" + public_host(aws_hp, opts.hostnames) + ":" + std::to_string(server.port());
  kube::authn::TokenPolicy token_policy;
  if (auto host = kube::authn::endpoint_host(endpoint)) token_policy.own_hosts.push_back(*host);
  // For each ACTIVE cluster, the operator gets a kubeconfig that needs no AWS credentials.
  auto write_break_glass = [&, kube_endpoint = info.kube_endpoint](const identity::Cluster& c) {
    std::string path = d.admin() + "/break-glass-" + c.account + "-" + c.name + ".kubeconfig";
    std::string name = "orchestera-break-glass-" + c.name;
    write_private_file(path, "apiVersion: v1\nkind: Config\nclusters:\n- name: " + name + "\n  cluster:\n    server: " +
                                 kube_endpoint + "/clusters/" + c.id + "\n    certificate-authority: " + ca.ca_cert_path() +
                                 "\nusers:\n- name: " + name + "\n  user:\n    client-certificate: " + break_glass.cert_path +
                                 "\n    client-key: " + break_glass.key_path + "\ncontexts:\n- name: " + name +
                                 "\n  context:\n    cluster: " + name + "\n    user: " + name + "\ncurrent-context: " + name + "\n");
  };
  kube_api = std::make_unique<kube::ApiServer>(dir, *store, token_policy, write_break_glass);
  kube_ready = kube_api.get();
  AdminFiles files = bootstrap(dir, d, endpoint, ca.ca_cert_path());

  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::printf("Orchestera is serving the AWS API (IAM, STS, Organizations, EKS) at %s\n", endpoint.c_str());
  std::printf("  Kubernetes API of each cluster: %s/clusters/<cluster id>\n", info.kube_endpoint.c_str());
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
