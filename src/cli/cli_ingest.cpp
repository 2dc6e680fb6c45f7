// `spacecrab ingest [--config PATH] [--json] [--no-progress] [--resume] [--fast] [--no-enrich]
// PATH...|s3://bucket/prefix|-`: one-shot CloudTrail processing straight into
// the store (backfill, retro-hunt); the work is RunIngestCommand (src/ingest).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "config/config.h"
#include "ingest/ingest_command.h"

namespace spacecrab::cli {

void RegisterIngestCommand(CLI::App& app, CliContext& ctx) {
  struct Args {
    std::string config_path;
    std::vector<std::string> inputs;
    ingest::IngestCommandOptions options;
    bool no_progress = false;
    bool fast = false;
    bool no_enrich = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("ingest", "Read CloudTrail files, directories, s3://bucket/prefix or - (stdin) into the store");
  cmd->add_option("-c,--config", a->config_path, "Config file (default: ./spacecrab.toml if present)");
  cmd->add_flag("--json", a->options.json, "Print the summary as JSON");
  cmd->add_flag("--no-progress", a->no_progress, "No progress bar, even on a terminal");
  cmd->add_flag("--resume", a->options.resume, "S3 inputs: continue from (and save) a checkpoint");
  cmd->add_flag("--fast", a->fast, "Skip validating files with no candidate record (same detections)");
  cmd->add_flag("--no-enrich", a->no_enrich, "Store detections without [enrich] data (country, Tor, cloud, tool)");
  cmd->add_option("inputs", a->inputs, "Files, directories, s3://bucket/prefix, or - for stdin")->required();
  cmd->callback([&ctx, a] {
    ctx.action = [a] {
      auto config = LoadConfig(a->config_path, ProcessEnvironment());
      if (!config.ok()) {
        std::fprintf(stderr, "spacecrab: %s\n", config.status().message().c_str());
        return kExitFailure;
      }
      a->options.progress = !a->no_progress;
      a->options.walk_every_file = !a->fast;
      a->options.enrich = !a->no_enrich;
      return ingest::RunIngestCommand(*config, a->inputs, a->options);
    };
  });
}

}  // namespace spacecrab::cli
