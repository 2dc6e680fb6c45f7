// AwsSandbox: tests/sandbox/sandbox.py (moto with signature checks + the
// CloudTrail recorder) run as a child process for C++ tests.
//
// Start() spawns `python3 tests/sandbox/sandbox.py --port 0 --until-stdin-closes`
// (a JsonLineChild), reads the one JSON line it prints (endpoint, account,
// trail bucket, admin key) and keeps the child's stdin open; the destructor
// closes it, so the sandbox (and, through PR_SET_PDEATHSIG, moto) exits even
// if this process is killed. Test-only code.
//
// Thread-safety: none needed (one owner). Failure: Start() returns
// kUnavailable with the reason when the sandbox does not come up in time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "awsclient/aws_credentials.h"
#include "awsclient/testing/json_line_child.h"
#include "core/status.h"

namespace spacecrab {

struct AwsSandboxOptions {
  double delivery_delay_seconds = 1.0;
  std::vector<std::string> extra_args;  // e.g. {"--digest-every", "2"}
  std::chrono::seconds start_timeout{90};
};

class AwsSandbox final {
 public:
  // True when python3 can import moto and boto3; otherwise `why` says what is missing.
  static bool Available(std::string* why);
  static Expected<std::unique_ptr<AwsSandbox>> Start(const AwsSandboxOptions& options = {});
  ~AwsSandbox();
  AwsSandbox(const AwsSandbox&) = delete;
  AwsSandbox& operator=(const AwsSandbox&) = delete;

  // Settings for the sandbox's admin principal, endpoint = the recording proxy.
  AwsSettings AdminSettings() const;

  std::string endpoint;       // the recording proxy: use this
  std::string moto_endpoint;  // moto itself: calls here are not recorded
  std::string account_id;
  std::string region;
  std::string trail_bucket;
  std::string admin_access_key_id;
  std::string admin_secret_access_key;
  std::string admin_arn;

 private:
  AwsSandbox() = default;
  std::unique_ptr<JsonLineChild> child_;
};

}  // namespace spacecrab
