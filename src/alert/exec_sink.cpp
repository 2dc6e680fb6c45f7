#include "alert/exec_sink.h"

#include <nlohmann/json.hpp>

#include "alert/alert_json.h"
#include "alert/child_process.h"

namespace spacecrab::alert {

Expected<ExecConfig> ParseExecConfig(SinkSettings& s,
                                     const std::map<std::string, std::string>& env) {
  ExecConfig c;
  std::string raw = s.String("command");
  if (!raw.empty() && raw.front() == '[') {
    auto j = nlohmann::json::parse(raw, nullptr, false);
    bool ok = j.is_array() && !j.empty();
    if (ok) {
      for (const auto& v : j) {
        if (!v.is_string())
          ok = false;
        else
          c.command.push_back(v.get<std::string>());
      }
    }
    if (!ok) s.Fail("command", "expected a JSON array of strings");
  } else {
    c.command = s.List("command");
  }
  if (c.command.empty()) {
    s.Fail("command", "required: [\"/path/to/program\", \"arg\", ...]");
  } else if (c.command[0].empty() || c.command[0][0] != '/') {
    s.Fail("command", "the program must be an absolute path (no PATH search, no shell)");
  }
  c.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"};
  for (const auto& name : s.List("pass_env")) {
    auto it = env.find(name);
    if (name.find('=') != std::string::npos) {
      s.Fail("pass_env", "expected variable names, got '" + name + "'");
    } else if (it != env.end()) {
      c.env.push_back(name + "=" + it->second);
    }
  }
  c.policy = s.Policy(DeliveryPolicy{});
  SC_RETURN_IF_ERROR(s.Finish());
  return c;
}

ExecSink::ExecSink(std::string name, ExecConfig config)
    : name_(std::move(name)), config_(std::move(config)) {}

Status ExecSink::Send(const AlertMessage& message) {
  std::vector<std::string> env = config_.env;
  env.push_back("ALERT_KIND=" + std::string(ToString(message.kind)));
  env.push_back("ALERT_DEDUP_KEY=" + message.dedup_key);
  const std::string what = "exec '" + name_ + "' (" + config_.command[0] + ")";
  SC_ASSIGN_OR_RETURN(ChildResult r, RunChild(config_.command, env, MessageToJson(message) + "\n",
                                              config_.policy.timeout));
  std::string err = r.stderr_head.substr(0, r.stderr_head.find('\n'));
  if (!err.empty()) err = ": " + err.substr(0, 300);
  if (r.timed_out) {
    return Unavailable(what + ": killed after " + std::to_string(config_.policy.timeout.count()) +
                       "ms" + err);
  }
  if (r.signal) return Unavailable(what + ": killed by signal " + std::to_string(r.signal) + err);
  if (r.exit_code == 0) return Status::Ok();
  const std::string exit = what + ": exit " + std::to_string(r.exit_code) + err;
  if (r.exit_code >= 64 && r.exit_code <= 78 && r.exit_code != 75) return FailedPrecondition(exit);
  return Unavailable(exit);
}

}  // namespace spacecrab::alert
