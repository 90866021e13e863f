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
};

int run_server(const ServerOptions& opts);

}  // namespace orch::cli
