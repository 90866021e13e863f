// The certificates Orchestera serves with, made on first start with OpenSSL: a self-signed CA
// (EC P-256, key file mode 0600) and serving certificates signed by it whose SANs hold every
// listen address (IP SAN), "localhost" and any --hostname. Later starts reuse the CA and reissue a
// serving certificate only when its SANs no longer cover what is asked.
#pragma once
#include <string>
#include <vector>

namespace orch::tls {

struct Issued {
  std::string cert_path;  // PEM: leaf certificate then the CA
  std::string key_path;   // PEM private key, mode 0600
};

class Authority {
 public:
  // Loads DIR/ca.crt + DIR/ca.key, creating them (and DIR, mode 0700) if absent.
  // common_name is used only on creation. Throws std::runtime_error.
  static Authority load_or_create(const std::string& dir, const std::string& common_name);

  const std::string& ca_cert_path() const { return ca_cert_path_; }
  std::string ca_cert_pem() const;

  // DIR/<name>.crt + DIR/<name>.key for a server with these DNS names and IP addresses.
  Issued ensure_server_cert(const std::string& name, const std::vector<std::string>& dns_names,
                            const std::vector<std::string>& ip_addresses) const;

  // A client certificate (CN = user, O = each group), for Kubernetes break-glass credentials.
  Issued issue_client_cert(const std::string& name, const std::string& common_name,
                           const std::vector<std::string>& organizations) const;

 private:
  std::string dir_;
  std::string ca_cert_path_;
  std::string ca_key_path_;
};

}  // namespace orch::tls
