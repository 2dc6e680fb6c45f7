#include "awsclient/testing/moto_server.h"

#include "awsclient/testing/json_line_child.h"

#include <fmt/format.h>

#include <string>
#include <vector>

namespace spacecrab {
namespace {

#ifndef SPACECRAB_SOURCE_DIR
#error "SPACECRAB_SOURCE_DIR must be defined (path of the source tree)"
#endif

// argv: [1] the sandbox directory, [2] unchecked actions.
constexpr const char* kWrapper = R"(
import json, sys
sys.path.insert(0, sys.argv[1])
from moto_process import MotoProcess
moto = MotoProcess(account_id=None, no_auth_actions=int(sys.argv[2])).start()
print(json.dumps({"endpoint": moto.endpoint}), flush=True)
try:
    sys.stdin.read()
finally:
    moto.stop()
)";

}  // namespace

Expected<std::unique_ptr<MotoServer>> MotoServer::Start(const MotoServerOptions& options) {
  const std::vector<std::string> args = {"python3", "-c", kWrapper,
                                         std::string(SPACECRAB_SOURCE_DIR) + "/tests/sandbox",
                                         std::to_string(options.unchecked_actions)};
  SC_ASSIGN_OR_RETURN(auto child, JsonLineChild::Start(args, options.start_timeout, "moto_server"));
  std::unique_ptr<MotoServer> server(new MotoServer());
  try {
    server->endpoint = child->ready_line().at("endpoint");
  } catch (const std::exception& e) {
    return Unavailable(fmt::format("moto wrapper printed an unexpected line: {}", e.what()));
  }
  server->child_ = std::move(child);
  return server;
}

MotoServer::~MotoServer() = default;

}  // namespace spacecrab
