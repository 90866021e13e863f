// Where each cluster's Kubernetes API is reachable. Every ACTIVE cluster has an endpoint of its
// own — its own port and its own CA — as an EKS cluster has its own host name and CA: a
// kubeconfig for one cluster trusts nothing of another. The API server decides which clusters
// should be served (ACTIVE ones); an implementation (the server's listeners) makes it so.
#pragma once
#include <cstdint>
#include <string>

#include "identity/model.h"

namespace orch::kube {

struct OpenedEndpoint {
  std::string url;     // https://host:port
  uint16_t port = 0;
  std::string ca_pem;  // the cluster's CA certificate
};

class ClusterEndpoints {
 public:
  virtual ~ClusterEndpoints() = default;
  // Starts serving the cluster, on its recorded port when that can be bound (so kubeconfigs
  // written earlier stay valid), else on a new one. Requests arrive with
  // http::Request::listener == cluster.id. Throws std::runtime_error.
  virtual OpenedEndpoint open(const identity::Cluster& cluster) = 0;
  // Stops serving it (open connections end); with forget, also removes its CA and credentials.
  virtual void close(const identity::Cluster& cluster, bool forget) = 0;
};

}  // namespace orch::kube
