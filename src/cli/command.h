// How the `spacecrab` nouns plug into the command line.
//
// main.cpp calls one Register<Noun>Commands function per noun, explicitly (no
// static self-registration). Each adds its subcommands to the CLI11 app and,
// in the parse callback of the verb the user chose, stores the work to do in
// `CliContext::action`; main runs it after parsing and exits with its result.
// Later nouns (ingest, incident, report, alert, doctor, reconcile) add a
// Register function the same way.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace spacecrab::cli {

struct CliContext {
  std::function<int()> action;  // set by the chosen verb; returns the exit code
};

// Exit codes: 0 success, 1 operation failed (API error, I/O), 2 usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

void RegisterServeCommand(CLI::App& app, CliContext& ctx);
void RegisterInitCommand(CLI::App& app, CliContext& ctx);
void RegisterTokenCommands(CLI::App& app, CliContext& ctx);
void RegisterApiKeyCommands(CLI::App& app, CliContext& ctx);
void RegisterIngestCommand(CLI::App& app, CliContext& ctx);
void RegisterIncidentCommands(CLI::App& app, CliContext& ctx);
void RegisterEventCommands(CLI::App& app, CliContext& ctx);
void RegisterAlertCommands(CLI::App& app, CliContext& ctx);
void RegisterReportCommand(CLI::App& app, CliContext& ctx);
void RegisterReconcileCommand(CLI::App& app, CliContext& ctx);
void RegisterDoctorCommand(CLI::App& app, CliContext& ctx);

}  // namespace spacecrab::cli
