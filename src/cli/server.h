// `orchestera server`: the whole control plane in one process.
#pragma once
#include <string>
#include <vector>

namespace orch::cli {

struct ServerOptions {
  std::string data_dir;
  std::string aws_listen = "127.0.0.1:9443";
  std::string kube_listen = "127.0.0.1:6443";
  std::vector<std::string> hostnames;
  // How long superseded values stay in the store's history (watches can resume from a version
  // this recent; older ones get 410 Gone), as kube-apiserver compacts etcd every 5 minutes.
  int history_seconds = 300;
  // Per principal (AWS) and per Kubernetes user: requests a second on average and at once; 0 = no
  // limit. Generous enough for kubectl apply of many objects and a Spark driver's pod churn.
  double rate_limit = 100, rate_burst = 400;
  int max_watches = 250;  // open watches per Kubernetes user; 0 = no limit
};

int run_server(const ServerOptions& opts);

}  // namespace orch::cli
