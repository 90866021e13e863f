// The one request path of the AWS plane:
//   listener -> SigV4 parse -> credentials -> scope/clock -> signature -> operation lookup ->
//   policy decision -> handler -> rendering (Query XML, or JSON) -> audit trail (every denial,
//   every call that changes something or issues credentials).
// Every AWS call takes it; no handler checks permissions its own way.
#pragma once
#include <string>

#include "audit/log.h"
#include "aws/api.h"
#include "base/http/server.h"
#include "base/rate_limiter.h"
#include "identity/directory.h"
#include "identity/usage.h"

namespace orch::aws {

enum class Protocol { Query, Json, RestJson };

class Gateway {
 public:
  // audit may be null (no trail is kept); rate may be null (no per-principal request limit).
  Gateway(identity::Directory& dir, identity::Usage& usage, audit::Log* audit = nullptr, RateLimiter* rate = nullptr);
  http::Response handle(const http::Request& req);

 private:
  http::Response serve(const http::Request& req, const std::string& request_id, Protocol protocol,
                       std::string& service, audit::Event& note);
  identity::Directory& dir_;
  identity::Usage& usage_;
  audit::Log* audit_;
  RateLimiter* rate_;
  Registry registry_;
};

}  // namespace orch::aws
