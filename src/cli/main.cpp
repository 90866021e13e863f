// orchestera: the control plane's one binary.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "cli/audit_command.h"
#include "cli/data_dir.h"
#include "cli/server.h"

int main(int argc, char** argv) {
  CLI::App app{"Orchestera: Spark on Kubernetes with AWS-style access control"};
  app.require_subcommand(1);

  orch::cli::ServerOptions server;
  server.data_dir = orch::cli::default_data_dir();
  auto* serve = app.add_subcommand("server", "Run the control plane (AWS API, Kubernetes API)");
  serve->add_option("--data-dir", server.data_dir, "Where the store, keys and certificates live")->capture_default_str();
  serve->add_option("--aws-listen", server.aws_listen, "HOST:PORT of the AWS-compatible API (https)")->capture_default_str();
  serve->add_option("--kube-listen", server.kube_listen, "HOST:PORT of the Kubernetes API (https)")->capture_default_str();
  serve->add_option("--hostname", server.hostnames, "Extra DNS name or IP for the serving certificates (repeatable)");
  serve->add_option("--history-seconds", server.history_seconds,
                    "How long watches can resume from an older resourceVersion before 410 Gone")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  serve->add_option("--rate-limit", server.rate_limit,
                    "Requests a second per principal (AWS) and per user (Kubernetes) on average; 0 = no limit")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e9));
  serve->add_option("--rate-burst", server.rate_burst, "Requests a principal may make at once")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e9));
  serve->add_option("--max-watches", server.max_watches, "Open watches per Kubernetes user; 0 = no limit")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));

  orch::cli::AuditOptions audit;
  audit.data_dir = server.data_dir;
  auto* trail = app.add_subcommand("audit", "Show the audit trail: denials and changes on both planes, and why");
  trail->add_option("--data-dir", audit.data_dir, "The server's data directory")->capture_default_str();
  trail->add_option("--principal", audit.principal, "Only entries whose IAM ARN, access key id or Kubernetes user contains this");
  trail->add_option("--decision", audit.decision, "allow or deny")->check(CLI::IsMember({"allow", "deny"}));
  trail->add_option("--plane", audit.plane, "aws or kubernetes")->check(CLI::IsMember({"aws", "kubernetes"}));
  trail->add_option("--cluster", audit.cluster, "Only this cluster's Kubernetes requests");
  trail->add_option("--since", audit.since, "From this time (2026-12-03T10:00:00Z) or age (30m, 2h, 7d)");
  trail->add_option("--until", audit.until, "Up to this time or age");
  trail->add_flag("--json", audit.json, "JSON lines instead of a table");

  CLI11_PARSE(app, argc, argv);
  // Logs go to stderr; stdout carries only what the operator is told to do.
  spdlog::set_default_logger(spdlog::stderr_color_mt("orchestera"));
  try {
    if (serve->parsed()) return orch::cli::run_server(server);
    if (trail->parsed()) return orch::cli::run_audit(audit);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "orchestera: %s\n", e.what());
    return 1;
  }
  return 0;
}
