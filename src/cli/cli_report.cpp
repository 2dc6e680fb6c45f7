// `spacecrab report [--json | --csv [TABLE]] [--from T] [--to T] [--location-prefix P]
// [--owner O] [--tag K=V] [--group-by G] [--top N] [--history N]`: what the tokens
// caught, via the server's GET /api/v1/report. The server renders the text
// tables (format=text) and CSV, so the CLI and the API show the same numbers;
// --json prints the API's JSON unchanged.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/client_command.h"
#include "cli/command.h"

namespace spacecrab::cli {
namespace {

struct ReportFlags {
  ClientFlags client;
  std::string from, to, location_prefix, owner, tag, group_by, csv;
  bool csv_given = false;
  int top = -1;  // -1: the server's default
  int history = -1;
};

std::string ReportQuery(const ReportFlags& f) {
  std::vector<std::pair<const char*, std::string>> params = {
      {"from", f.from},   {"to", f.to},   {"location_prefix", f.location_prefix},
      {"owner", f.owner}, {"tag", f.tag}, {"group_by", f.group_by}};
  if (f.top >= 0) params.emplace_back("top", std::to_string(f.top));
  if (f.history >= 0) params.emplace_back("history", std::to_string(f.history));
  if (f.csv_given) {
    params.emplace_back("format", "csv");
    params.emplace_back("table", f.csv);
  } else if (!f.client.json) {
    params.emplace_back("format", "text");
  }
  std::string q;
  for (const auto& [k, v] : params)
    if (!v.empty()) q += (q.empty() ? "?" : "&") + std::string(k) + "=" + ApiClient::Escape(v);
  return "/report" + q;
}

int Report(const ReportFlags& f) {
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = f.client.json ? (*client)->Get(ReportQuery(f)) : (*client)->GetText(ReportQuery(f));
  if (!r.ok()) return Fail(r.status());
  PrintRaw(r->body);
  return kExitOk;
}

}  // namespace

void RegisterReportCommand(CLI::App& app, CliContext& ctx) {
  auto f = std::make_shared<ReportFlags>();
  auto* cmd = app.add_subcommand("report",
                                 "What the tokens caught: per placement share used and time to "
                                 "first use; top source IPs, countries, "
                                 "networks, tools, user agents, API calls; Tor share; per-token "
                                 "history (via the server's API)");
  AddClientFlags(cmd, f->client);
  auto* csv =
      cmd->add_option(
             "--csv", f->csv,
             "Print one table as CSV: placements (default), source_ips, countries, networks, "
             "tools, user_agents, api_calls, error_codes, tokens, events")
          ->expected(0, 1);
  cmd->add_option("--from", f->from,
                  "Events at or after: RFC 3339 time or a duration back from now (7d, 12h)");
  cmd->add_option("--to", f->to, "Events before: RFC 3339 time or a duration back from now");
  cmd->add_option("--location-prefix", f->location_prefix,
                  "Only tokens whose location starts with this");
  cmd->add_option("--owner", f->owner, "Only tokens of this owner");
  cmd->add_option("--tag", f->tag, "Only tokens carrying this tag (KEY=VALUE)");
  cmd->add_option("--group-by", f->group_by,
                  "Placements: prefix (default), prefix:N, location or tag:NAME");
  cmd->add_option("--top", f->top, "Rows per top list (0: all; default 10)")
      ->check(CLI::Range(0, 1000));
  cmd->add_option("--history", f->history, "Timeline events per token (default 50)")
      ->check(CLI::Range(0, 1000));
  cmd->callback([&ctx, f, csv] {
    f->csv_given = csv->count() > 0;
    if (f->csv_given && f->client.json) {
      ctx.action = [] {
        std::fprintf(stderr, "spacecrab report: give --json or --csv, not both\n");
        return kExitUsage;
      };
      return;
    }
    ctx.action = [f] { return Report(*f); };
  });
}

}  // namespace spacecrab::cli
