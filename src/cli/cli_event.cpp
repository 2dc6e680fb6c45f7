// `spacecrab event list`: recorded uses of tokens over the REST API
// (/api/v1/events), in the order the server received them.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/client_command.h"
#include "cli/command.h"
#include "cli/incident_output.h"

namespace spacecrab::cli {
namespace {

struct EventFlags {
  ClientFlags client;
  std::string token, incident, since, until, cursor;
  int limit = 0;
};

int List(const EventFlags& f) {
  std::string q;
  auto add = [&q](const char* k, const std::string& v) {
    if (v.empty()) return;
    q += (q.empty() ? "?" : "&") + std::string(k) + "=" + ApiClient::Escape(v);
  };
  add("token_id", f.token);
  add("incident_id", f.incident);
  add("since", f.since);
  add("until", f.until);
  add("limit", f.limit > 0 ? std::to_string(f.limit) : "");
  add("cursor", f.cursor);
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Get("/events" + q);
  if (!r.ok()) return Fail(r.status());
  if (f.client.json) {
    PrintRaw(r->body);
    return kExitOk;
  }
  const auto& items = r->json.contains("items") ? r->json["items"] : nlohmann::json::array();
  PrintTable(EventHeader(), EventRows(items));
  const std::string next = Cell(r->json, "next_cursor");
  if (next != "-") std::fprintf(stderr, "more: --cursor %s\n", next.c_str());
  return kExitOk;
}

}  // namespace

void RegisterEventCommands(CLI::App& app, CliContext& ctx) {
  auto* event = app.add_subcommand("event", "Recorded uses of tokens (via the server's API)");
  event->require_subcommand(1);
  auto f = std::make_shared<EventFlags>();

  auto* list = event->add_subcommand("list", "List events in the order they were received");
  AddClientFlags(list, f->client);
  list->add_option("--token", f->token, "Only this token's events (tok_...)");
  list->add_option("--incident", f->incident, "Only this incident's events (inc_...)");
  list->add_option("--since", f->since, "event_time at or after (RFC 3339)");
  list->add_option("--until", f->until, "event_time before (RFC 3339)");
  list->add_option("--limit", f->limit, "Page size (1-1000, default 100)")
      ->check(CLI::Range(1, 1000));
  list->add_option("--cursor", f->cursor, "Continue after this page cursor");
  list->callback([&ctx, f] { ctx.action = [f] { return List(*f); }; });
}

}  // namespace spacecrab::cli
