// `spacecrab incident list|show|ack|resolve`: incidents over the REST API
// (/api/v1/incidents).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/client_command.h"
#include "cli/command.h"
#include "cli/incident_output.h"

namespace spacecrab::cli {
namespace {

struct IncidentFlags {
  ClientFlags client;
  std::string id;
  std::string status, token, cursor;
  int limit = 0;
};

// "?k=v&..." of the non-empty values.
std::string Query(std::initializer_list<std::pair<const char*, std::string>> params) {
  std::string q;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    q += (q.empty() ? "?" : "&") + std::string(k) + "=" + ApiClient::Escape(v);
  }
  return q;
}

int List(const IncidentFlags& f) {
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r =
      (*client)->Get("/incidents" + Query({{"status", f.status},
                                           {"token_id", f.token},
                                           {"limit", f.limit > 0 ? std::to_string(f.limit) : ""},
                                           {"cursor", f.cursor}}));
  if (!r.ok()) return Fail(r.status());
  if (f.client.json) {
    PrintRaw(r->body);
    return kExitOk;
  }
  const auto& items = r->json.contains("items") ? r->json["items"] : nlohmann::json::array();
  PrintTable(IncidentHeader(), IncidentRows(items));
  const std::string next = Cell(r->json, "next_cursor");
  if (next != "-") std::fprintf(stderr, "more: --cursor %s\n", next.c_str());
  return kExitOk;
}

int Show(const IncidentFlags& f) {
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Get("/incidents/" + ApiClient::Escape(f.id));
  if (!r.ok()) return Fail(r.status());
  if (f.client.json)
    PrintRaw(r->body);
  else
    PrintIncident(r->json);
  return kExitOk;
}

// ack and resolve answer with the incident as it now stands.
int Change(const IncidentFlags& f, const char* verb, const char* done) {
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Post("/incidents/" + ApiClient::Escape(f.id) + "/" + verb,
                           nlohmann::json::object());
  if (!r.ok()) return Fail(r.status());
  if (f.client.json)
    PrintRaw(r->body);
  else
    std::printf("%s %s (status %s)\n", done, f.id.c_str(), Cell(r->json, "status").c_str());
  return kExitOk;
}

}  // namespace

void RegisterIncidentCommands(CLI::App& app, CliContext& ctx) {
  auto* incident =
      app.add_subcommand("incident", "Look at and handle incidents (via the server's API)");
  incident->require_subcommand(1);
  auto f = std::make_shared<IncidentFlags>();

  auto* list = incident->add_subcommand("list", "List incidents, newest first");
  AddClientFlags(list, f->client);
  list->add_option("--status", f->status, "open, acknowledged or resolved")
      ->check(CLI::IsMember({"open", "acknowledged", "resolved"}));
  list->add_option("--token", f->token, "Only this token's incidents (tok_...)");
  list->add_option("--limit", f->limit, "Page size (1-1000, default 100)")
      ->check(CLI::Range(1, 1000));
  list->add_option("--cursor", f->cursor, "Continue after this page cursor");
  list->callback([&ctx, f] { ctx.action = [f] { return List(*f); }; });

  auto* show =
      incident->add_subcommand("show", "Show an incident, its token and its newest events");
  AddClientFlags(show, f->client);
  show->add_option("id", f->id, "Incident id (inc_...)")->required();
  show->callback([&ctx, f] { ctx.action = [f] { return Show(*f); }; });

  auto* ack = incident->add_subcommand("ack", "Acknowledge an incident (admin)");
  AddClientFlags(ack, f->client);
  ack->add_option("id", f->id, "Incident id")->required();
  ack->callback([&ctx, f] { ctx.action = [f] { return Change(*f, "ack", "acknowledged"); }; });

  auto* resolve =
      incident->add_subcommand("resolve", "Resolve an incident; sinks that paged are told (admin)");
  AddClientFlags(resolve, f->client);
  resolve->add_option("id", f->id, "Incident id")->required();
  resolve->callback([&ctx, f] { ctx.action = [f] { return Change(*f, "resolve", "resolved"); }; });
}

}  // namespace spacecrab::cli
