// The server's side of kube::ClusterEndpoints: each cluster gets a listener of its own on the
// Kubernetes HTTPS server, with a CA of its own (DIR/pki/clusters/<id>/) that signs the
// listener's certificate and the operator's break-glass client certificate, and a break-glass
// kubeconfig in DIR/admin. Ports: the cluster's recorded port when it can be bound again, else
// the first free one from --kube-listen's port upwards (port 0: any free port).
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "base/http/server.h"
#include "cli/data_dir.h"
#include "kube/apiserver/endpoints.h"

namespace orch::cli {

struct ServingNames {
  std::string public_host;  // what URLs name: an IP literal (bracketed for IPv6) or a DNS name
  std::vector<std::string> dns_names, ip_addresses;  // the SANs of every serving certificate
};

class ClusterListeners final : public kube::ClusterEndpoints {
 public:
  ClusterListeners(http::Server& server, DataDir data_dir, std::string listen_host, uint16_t first_port,
                   ServingNames names);
  kube::OpenedEndpoint open(const identity::Cluster& cluster) override;
  void close(const identity::Cluster& cluster, bool forget) override;

 private:
  uint16_t bind(const identity::Cluster& cluster, const http::TlsFiles& tls);
  std::string pki_dir(const identity::Cluster& cluster) const;
  std::string break_glass_path(const identity::Cluster& cluster) const;

  http::Server& server_;
  const DataDir data_dir_;
  const std::string listen_host_;
  const uint16_t first_port_;
  const ServingNames names_;
};

}  // namespace orch::cli
