// `spacecrab serve [--config PATH]`: load and validate the config, then hand
// it to RunServe (src/app), which runs every part until SIGINT/SIGTERM.
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "app/serve.h"
#include "cli/command.h"
#include "config/config.h"

namespace spacecrab::cli {

void RegisterServeCommand(CLI::App& app, CliContext& ctx) {
  auto config_path = std::make_shared<std::string>();
  auto* serve = app.add_subcommand(
      "serve", "Run the service: API, dashboard, ingest, decoy endpoint, dispatcher");
  serve->add_option("-c,--config", *config_path,
                    "Config file (default: ./spacecrab.toml if present, else built-in defaults)");
  serve->callback([&ctx, config_path] {
    ctx.action = [config_path] {
      auto config = LoadConfig(*config_path, ProcessEnvironment());
      if (!config.ok()) {
        std::fprintf(stderr, "spacecrab: %s\n", config.status().message().c_str());
        return kExitFailure;
      }
      return RunServe(*config);
    };
  });
}

}  // namespace spacecrab::cli
