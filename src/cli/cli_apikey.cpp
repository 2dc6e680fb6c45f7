// `spacecrab apikey create|list|revoke`: API keys over the REST API (/api/v1/apikeys).
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/client_command.h"
#include "cli/command.h"

namespace spacecrab::cli {
namespace {

struct ApiKeyFlags {
  ClientFlags client;
  std::string name;
  std::string scope = "deploy";
  std::string id;
};

int Create(const ApiKeyFlags& f) {
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Post("/apikeys", {{"name", f.name}, {"scope", f.scope}});
  if (!r.ok()) return Fail(r.status());
  if (f.client.json) {
    PrintRaw(r->body);
    return kExitOk;
  }
  // The secret alone on stdout, so KEY=$(spacecrab apikey create ...) works.
  std::fprintf(stderr, "created API key %s (%s, scope %s); it is shown only now:\n",
               Cell(r->json, "id").c_str(), Cell(r->json, "name").c_str(),
               Cell(r->json, "scope").c_str());
  std::printf("%s\n", Cell(r->json, "api_key").c_str());
  return kExitOk;
}

int List(const ApiKeyFlags& f) {
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Get("/apikeys");
  if (!r.ok()) return Fail(r.status());
  if (f.client.json) {
    PrintRaw(r->body);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  const auto& items = r->json.contains("items") ? r->json["items"] : nlohmann::json::array();
  for (const auto& k : items)
    rows.push_back({Cell(k, "id"), Cell(k, "name"), Cell(k, "scope"), Cell(k, "prefix"),
                    Cell(k, "created_at"), Cell(k, "last_used_at"), Cell(k, "revoked_at")});
  PrintTable({"ID", "NAME", "SCOPE", "PREFIX", "CREATED", "LAST USED", "REVOKED"}, rows);
  return kExitOk;
}

int Revoke(const ApiKeyFlags& f) {
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Delete("/apikeys/" + ApiClient::Escape(f.id));
  if (!r.ok()) return Fail(r.status());
  if (f.client.json) PrintRaw(r->body);
  else std::printf("revoked %s\n", f.id.c_str());
  return kExitOk;
}

}  // namespace

void RegisterApiKeyCommands(CLI::App& app, CliContext& ctx) {
  auto* apikey = app.add_subcommand("apikey", "Manage API keys (via the server's API; admin scope)");
  apikey->require_subcommand(1);
  auto f = std::make_shared<ApiKeyFlags>();

  auto* create = apikey->add_subcommand("create", "Create an API key; its secret is printed once");
  AddClientFlags(create, f->client);
  create->add_option("--name", f->name, "What the key is for, e.g. fleet-deploy")->required();
  create->add_option("--scope", f->scope, "admin, deploy or read")
      ->check(CLI::IsMember({"admin", "deploy", "read"}))
      ->capture_default_str();
  create->callback([&ctx, f] { ctx.action = [f] { return Create(*f); }; });

  auto* list = apikey->add_subcommand("list", "List API keys (never their secrets)");
  AddClientFlags(list, f->client);
  list->callback([&ctx, f] { ctx.action = [f] { return List(*f); }; });

  auto* revoke = apikey->add_subcommand("revoke", "Revoke an API key");
  AddClientFlags(revoke, f->client);
  revoke->add_option("id", f->id, "API key id (key_...)")->required();
  revoke->callback([&ctx, f] { ctx.action = [f] { return Revoke(*f); }; });
}

}  // namespace spacecrab::cli
