// `spacecrab alert test|outbox|retry`: check the sinks, look at the outbox of
// pages, and send dead-lettered pages again (via /api/v1/alerts).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/client_command.h"
#include "cli/command.h"
#include "cli/incident_output.h"

namespace spacecrab::cli {
namespace {

struct AlertFlags {
  ClientFlags client;
  std::string sink, state, incident, cursor;
  int limit = 0;
  bool no_resolve = false;
};

// Exit 1 unless every sink took the sample.
int Test(const AlertFlags& f) {
  nlohmann::json body = nlohmann::json::object();
  if (!f.sink.empty()) body["sink"] = f.sink;
  if (f.no_resolve) body["resolve"] = false;
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Post("/alerts/test", body);
  if (!r.ok()) return Fail(r.status());
  const bool ok = r->json.is_object() && r->json.value("ok", false);
  if (f.client.json) {
    PrintRaw(r->body);
  } else {
    const auto& items = r->json.contains("items") ? r->json["items"] : nlohmann::json::array();
    PrintTable(SinkCheckHeader(), SinkCheckRows(items));
  }
  if (!ok) std::fprintf(stderr, "spacecrab: a sink did not take the test alert\n");
  return ok ? kExitOk : kExitFailure;
}

int Outbox(const AlertFlags& f) {
  std::string q;
  auto add = [&q](const char* k, const std::string& v) {
    if (v.empty()) return;
    q += (q.empty() ? "?" : "&") + std::string(k) + "=" + ApiClient::Escape(v);
  };
  add("state", f.state);
  add("sink", f.sink);
  add("incident_id", f.incident);
  add("limit", f.limit > 0 ? std::to_string(f.limit) : "");
  add("cursor", f.cursor);
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Get("/alerts/outbox" + q);
  if (!r.ok()) return Fail(r.status());
  if (f.client.json) {
    PrintRaw(r->body);
    return kExitOk;
  }
  const auto& items = r->json.contains("items") ? r->json["items"] : nlohmann::json::array();
  PrintTable(OutboxHeader(), OutboxRows(items));
  const std::string next = Cell(r->json, "next_cursor");
  if (next != "-") std::fprintf(stderr, "more: --cursor %s\n", next.c_str());
  return kExitOk;
}

int Retry(const AlertFlags& f) {
  nlohmann::json body = nlohmann::json::object();
  if (!f.sink.empty()) body["sink"] = f.sink;
  if (!f.incident.empty()) body["incident_id"] = f.incident;
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Post("/alerts/outbox/retry", body);
  if (!r.ok()) return Fail(r.status());
  if (f.client.json)
    PrintRaw(r->body);
  else
    std::printf("requeued %s dead message(s)\n", Cell(r->json, "requeued").c_str());
  return kExitOk;
}

}  // namespace

void RegisterAlertCommands(CLI::App& app, CliContext& ctx) {
  auto* alert =
      app.add_subcommand("alert", "Check sinks and the outbox of pages (via the server's API)");
  alert->require_subcommand(1);
  auto f = std::make_shared<AlertFlags>();

  auto* test = alert->add_subcommand(
      "test", "Send a sample alert marked [TEST] to every sink (or --sink); exit 1 if one fails");
  AddClientFlags(test, f->client);
  test->add_option("--sink", f->sink, "Only this sink (its [sinks.NAME])");
  test->add_flag("--no-resolve", f->no_resolve, "Do not follow the test trigger with a resolve");
  test->callback([&ctx, f] { ctx.action = [f] { return Test(*f); }; });

  auto* outbox = alert->add_subcommand("outbox", "List queued, sent and dead-lettered pages");
  AddClientFlags(outbox, f->client);
  outbox->add_option("--state", f->state, "pending, sent or dead")
      ->check(CLI::IsMember({"pending", "sent", "dead"}));
  outbox->add_option("--sink", f->sink, "Only this sink's pages");
  outbox->add_option("--incident", f->incident, "Only this incident's pages (inc_...)");
  outbox->add_option("--limit", f->limit, "Page size (1-1000, default 100)")
      ->check(CLI::Range(1, 1000));
  outbox->add_option("--cursor", f->cursor, "Continue after this page cursor");
  outbox->callback([&ctx, f] { ctx.action = [f] { return Outbox(*f); }; });

  auto* retry = alert->add_subcommand("retry", "Send dead-lettered pages again (admin)");
  AddClientFlags(retry, f->client);
  retry->add_option("--sink", f->sink, "Only this sink's pages");
  retry->add_option("--incident", f->incident, "Only this incident's pages (inc_...)");
  retry->callback([&ctx, f] { ctx.action = [f] { return Retry(*f); }; });
}

}  // namespace spacecrab::cli
