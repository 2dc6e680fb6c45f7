#include "awsclient/testing/aws_sandbox.h"

#include "awsclient/testing/json_line_child.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

namespace spacecrab {
namespace {

#ifndef SPACECRAB_SOURCE_DIR
#error "SPACECRAB_SOURCE_DIR must be defined (path of the source tree)"
#endif

}  // namespace

bool AwsSandbox::Available(std::string* why) {
  const int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  auto pid = SpawnProcess({"python3", "-c", "import moto, boto3, werkzeug"}, -1, devnull);
  if (devnull >= 0) close(devnull);
  if (!pid.ok()) {
    if (why) *why = pid.status().message();
    return false;
  }
  if (WaitOrKill(*pid, std::chrono::seconds(60)) != 0) {
    if (why) *why = "python3 cannot import moto/boto3 (see scripts/setup.sh)";
    return false;
  }
  return true;
}

Expected<std::unique_ptr<AwsSandbox>> AwsSandbox::Start(const AwsSandboxOptions& options) {
  std::vector<std::string> args = {"python3",
                                   std::string(SPACECRAB_SOURCE_DIR) + "/tests/sandbox/sandbox.py",
                                   "--port",
                                   "0",
                                   "--delay",
                                   fmt::format("{}", options.delivery_delay_seconds),
                                   "--until-stdin-closes"};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  SC_ASSIGN_OR_RETURN(auto child, JsonLineChild::Start(args, options.start_timeout, "sandbox"));
  std::unique_ptr<AwsSandbox> sb(new AwsSandbox());
  try {
    const nlohmann::json& j = child->ready_line();
    sb->endpoint = j.at("endpoint");
    sb->moto_endpoint = j.at("moto_endpoint");
    sb->account_id = j.at("account_id");
    sb->region = j.at("region");
    sb->trail_bucket = j.at("trail_bucket");
    sb->admin_access_key_id = j.at("admin_access_key_id");
    sb->admin_secret_access_key = j.at("admin_secret_access_key");
    sb->admin_arn = j.at("admin_arn");
  } catch (const std::exception& e) {
    return Unavailable(fmt::format("sandbox printed an unexpected line: {}", e.what()));
  }
  sb->child_ = std::move(child);
  return sb;
}

AwsSandbox::~AwsSandbox() = default;

AwsSettings AwsSandbox::AdminSettings() const {
  AwsSettings s;
  s.credentials = {admin_access_key_id, admin_secret_access_key, "", "sandbox admin"};
  s.region = region;
  s.endpoint_url = endpoint;
  return s;
}

}  // namespace spacecrab
