// MotoServer: a bare moto_server child for tests that need several AWS
// accounts, which the sandbox (aws_sandbox.h) cannot give: it pins moto to
// one account with MOTO_ACCOUNT_ID. Here, as in AWS, the access key decides
// the account: credentials from AssumeRole on arn:aws:iam::111111111111:role/x
// act in 111111111111, any other key in moto's default 123456789012.
//
// Signature and policy checks start after the first `unchecked_actions`
// authorizable requests (moto's INITIAL_NO_AUTH_ACTION_COUNT), which a test
// spends on bootstrapping principals and their allow-all policies.
//
// Start() runs tests/sandbox/moto_process.py's MotoProcess from a small
// python3 wrapper (a JsonLineChild) that prints the endpoint and stops moto when
// its stdin closes — in the destructor, or when this process dies. Test-only.
// Thread-safety: none needed (one owner). Failure: kUnavailable when moto
// does not come up within start_timeout.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "awsclient/testing/json_line_child.h"
#include "core/status.h"

namespace spacecrab {

struct MotoServerOptions {
  int unchecked_actions = 0;  // then every request is authenticated and authorized
  std::chrono::seconds start_timeout{90};
};

class MotoServer final {
 public:
  static constexpr const char* kDefaultAccountId = "123456789012";

  static Expected<std::unique_ptr<MotoServer>> Start(const MotoServerOptions& options);
  ~MotoServer();
  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;

  std::string endpoint;  // http://127.0.0.1:PORT

 private:
  MotoServer() = default;
  std::unique_ptr<JsonLineChild> child_;
};

}  // namespace spacecrab
