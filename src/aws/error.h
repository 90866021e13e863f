// An AWS API error: the code from the service model, its HTTP status, and AWS's message.
// Handlers throw it; the gateway renders it in the protocol's error format (Query XML or JSON).
#pragma once
#include <stdexcept>
#include <string>

namespace orch::aws {

struct AwsError : std::runtime_error {
  std::string code;
  int status;
  bool sender;  // Type Sender (client fault) or Receiver (server fault)
  int retry_after = 0;  // seconds, sent as Retry-After when set (throttling)
  AwsError(std::string code_, int status_, const std::string& message, bool sender_ = true)
      : std::runtime_error(message), code(std::move(code_)), status(status_), sender(sender_) {}
};

// A principal over its request rate. The Query services answer Throttling (400), the JSON ones
// ThrottlingException (429), as AWS does; SDKs retry both, honouring Retry-After.
inline AwsError throttled(int retry_after_seconds) {
  AwsError e{"Throttling", 400, "Rate exceeded"};
  e.retry_after = retry_after_seconds;
  return e;
}

// The errors IAM models, with the statuses the model gives them.
inline AwsError no_such_entity(const std::string& m) { return {"NoSuchEntity", 404, m}; }
inline AwsError already_exists(const std::string& m) { return {"EntityAlreadyExists", 409, m}; }
inline AwsError delete_conflict(const std::string& m) { return {"DeleteConflict", 409, m}; }
inline AwsError limit_exceeded(const std::string& m) { return {"LimitExceeded", 409, m}; }
inline AwsError malformed_policy(const std::string& m) { return {"MalformedPolicyDocument", 400, m}; }
inline AwsError invalid_input(const std::string& m) { return {"InvalidInput", 400, m}; }
inline AwsError validation_error(const std::string& m) { return {"ValidationError", 400, m}; }
inline AwsError access_denied(const std::string& m) { return {"AccessDenied", 403, m}; }

}  // namespace orch::aws
