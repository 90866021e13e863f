#include "cli/cluster_listeners.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <stdexcept>

#include "base/tls/pki.h"

namespace orch::cli {

namespace {
// How far above --kube-listen's port to look for a free one before giving up.
constexpr int kPortSearch = 1000;
}  // namespace

ClusterListeners::ClusterListeners(http::Server& server, DataDir data_dir, std::string listen_host,
                                   uint16_t first_port, ServingNames names)
    : server_(server),
      data_dir_(std::move(data_dir)),
      listen_host_(std::move(listen_host)),
      first_port_(first_port),
      names_(std::move(names)) {}

std::string ClusterListeners::pki_dir(const identity::Cluster& c) const { return data_dir_.pki() + "/clusters/" + c.id; }

std::string ClusterListeners::break_glass_path(const identity::Cluster& c) const {
  return data_dir_.admin() + "/break-glass-" + c.account + "-" + c.name + ".kubeconfig";
}

// The recorded port first (kubeconfigs name it); then --kube-listen's port and upwards, or any.
uint16_t ClusterListeners::bind(const identity::Cluster& c, const http::TlsFiles& tls) {
  std::string recorded_error;
  if (size_t colon = c.endpoint.rfind(':'); colon != std::string::npos) {
    int port = std::atoi(c.endpoint.c_str() + colon + 1);
    if (port > 0 && port <= 65535) {
      try {
        return server_.add_listener(c.id, listen_host_, static_cast<uint16_t>(port), tls);
      } catch (const std::runtime_error& e) {
        recorded_error = e.what();
      }
    }
  }
  if (!recorded_error.empty()) spdlog::warn("cluster {}: {}; choosing another port", c.name, recorded_error);
  if (first_port_ == 0) return server_.add_listener(c.id, listen_host_, 0, tls);
  std::string last_error;
  for (int port = first_port_; port < first_port_ + kPortSearch && port <= 65535; ++port) {
    try {
      return server_.add_listener(c.id, listen_host_, static_cast<uint16_t>(port), tls);
    } catch (const std::runtime_error& e) {
      last_error = e.what();
    }
  }
  throw std::runtime_error("no free port for cluster " + c.name + " from " + std::to_string(first_port_) + ": " +
                           last_error);
}

kube::OpenedEndpoint ClusterListeners::open(const identity::Cluster& c) {
  auto ca = tls::Authority::load_or_create(pki_dir(c), "Orchestera cluster " + c.name + " CA");
  tls::Issued serving = ca.ensure_server_cert("serving", names_.dns_names, names_.ip_addresses);
  // The operator's credential that needs no AWS identity; it is good for this cluster only.
  tls::Issued admin = ca.issue_client_cert("break-glass-admin", "orchestera:break-glass-admin", {"system:masters"});
  uint16_t port = bind(c, http::TlsFiles{serving.cert_path, serving.key_path, ca.ca_cert_path()});

  struct UnbindOnFailure {  // what follows the bind may fail (disk full); never leave the port held
    http::Server& server;
    const std::string& tag;
    bool done = false;
    ~UnbindOnFailure() {
      if (!done) server.remove_listener(tag);
    }
  } unbind{server_, c.id};
  kube::OpenedEndpoint ep;
  ep.port = port;
  ep.url = "https://" + names_.public_host + ":" + std::to_string(port);
  ep.ca_pem = ca.ca_cert_pem();
  const std::string name = "orchestera-break-glass-" + c.name;
  write_private_file(break_glass_path(c),
                     "apiVersion: v1\nkind: Config\nclusters:\n- name: " + name + "\n  cluster:\n    server: " + ep.url +
                         "\n    certificate-authority: " + ca.ca_cert_path() + "\nusers:\n- name: " + name +
                         "\n  user:\n    client-certificate: " + admin.cert_path + "\n    client-key: " + admin.key_path +
                         "\ncontexts:\n- name: " + name + "\n  context:\n    cluster: " + name + "\n    user: " + name +
                         "\ncurrent-context: " + name + "\n");
  unbind.done = true;
  return ep;
}

void ClusterListeners::close(const identity::Cluster& c, bool forget) {
  server_.remove_listener(c.id);
  if (!forget) return;
  std::error_code ec;
  std::filesystem::remove(break_glass_path(c), ec);
  std::filesystem::remove_all(pki_dir(c), ec);
  if (ec) spdlog::warn("cluster {}: cannot remove {}: {}", c.name, pki_dir(c), ec.message());
}

}  // namespace orch::cli
