// The `spacecrab` binary: `spacecrab <noun> <verb> [flags]`.
//
// Local commands (init, serve, ingest, reconcile, doctor) work on the config
// and store directly; client commands (token, apikey, ...) talk to a running
// server's REST API.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/command.h"

int main(int argc, char** argv) {
  using namespace spacecrab::cli;
  CLI::App app{"spacecrab: hand out AWS honey tokens and page when one is used", "spacecrab"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "spacecrab 0.1.0");
  app.footer(
      "Client commands (token, apikey, incident, event, alert) reach the server through\n"
      "SPACECRAB_ADDR and SPACECRAB_API_KEY; values not set there come from the file\n"
      "SPACECRAB_CLIENT_FILE, else from <data_dir>/client.json (data_dir from --config,\n"
      "else ./spacecrab.toml, else ./data), which `init` and the server's first start\n"
      "write (mode 0600).");
  CliContext ctx;
  RegisterInitCommand(app, ctx);
  RegisterServeCommand(app, ctx);
  RegisterTokenCommands(app, ctx);
  RegisterApiKeyCommands(app, ctx);
  RegisterIngestCommand(app, ctx);
  RegisterIncidentCommands(app, ctx);
  RegisterEventCommands(app, ctx);
  RegisterAlertCommands(app, ctx);
  RegisterReportCommand(app, ctx);
  RegisterReconcileCommand(app, ctx);
  RegisterDoctorCommand(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (!ctx.action) {
    std::fprintf(stderr, "spacecrab: missing command; see --help\n");
    return kExitUsage;
  }
  return ctx.action();
}
