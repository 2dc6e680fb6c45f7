// `spacecrab token create|list|show|update|revoke|delete|rotate`: client
// commands over the REST API (/api/v1/tokens).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/client_command.h"
#include "cli/command.h"
#include "cli/token_output.h"
#include "core/credential_format.h"
#include "core/time.h"

namespace spacecrab::cli {
namespace {

struct TokenFlags {
  ClientFlags client;
  std::string id;
  std::string location, owner, notes, expires, planted_at, kind, user_name;
  std::vector<std::string> tags;
  int count = 1;
  std::string format, profile = "default";
  // list
  std::string status, location_prefix, tag, cursor;
  int limit = 0;
  bool all = false;
};

// "90d" (from now) or an RFC 3339 time, as the RFC 3339 the API takes.
Expected<std::string> TimeArg(const std::string& flag, const std::string& text, bool allow_duration) {
  if (auto t = ParseRfc3339(text)) return FormatRfc3339(*t);
  if (allow_duration) {
    if (auto d = ParseDuration(text)) {
      const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now());
      return FormatRfc3339(now + *d);
    }
    return InvalidArgument(flag + " expects a duration like 90d or an RFC 3339 time, got '" + text + "'");
  }
  return InvalidArgument(flag + " expects an RFC 3339 time like 2026-01-31T12:00:00Z, got '" + text + "'");
}

Status CheckFormat(const std::string& format) {
  if (format.empty()) return Status::Ok();
  return FormatCredentials(Credentials{"AKIA", "x", "", ""}, format).status();
}

// Issued credentials out: --json raw, --format rendered only, else readable.
int PrintIssuedResponse(const ApiResponse& r, const TokenFlags& f) {
  if (f.client.json) {
    PrintRaw(r.body);
    return kExitOk;
  }
  const auto items = IssuedItems(r.json);
  if (!f.format.empty()) {
    auto text = RenderIssued(items, f.format, f.profile);
    if (!text.ok()) return Fail(text.status());
    std::fwrite(text->data(), 1, text->size(), stdout);
    return kExitOk;
  }
  PrintIssued(items);
  return kExitOk;
}

int Create(const TokenFlags& f) {
  if (auto s = CheckFormat(f.format); !s.ok()) return Fail(s);
  nlohmann::json body = {{"location", f.location}, {"owner", f.owner}};
  if (!f.notes.empty()) body["notes"] = f.notes;
  auto tags = ParseTags(f.tags);
  if (!tags.ok()) return Fail(tags.status());
  if (!tags->empty()) body["tags"] = *tags;
  if (!f.expires.empty()) {
    // A duration is measured on the server's clock; a time is taken as is.
    if (ParseDuration(f.expires)) {
      body["expires_in"] = f.expires;
    } else {
      auto t = TimeArg("--expires", f.expires, false);
      if (!t.ok()) return Fail(InvalidArgument("--expires expects a duration like 90d or an RFC 3339 time, got '" +
                                               f.expires + "'"));
      body["expires_at"] = *t;
    }
  }
  if (!f.user_name.empty()) body["user_name"] = f.user_name;
  if (!f.planted_at.empty()) {
    auto t = TimeArg("--planted-at", f.planted_at, false);
    if (!t.ok()) return Fail(t.status());
    body["planted_at"] = *t;
  }
  if (!f.kind.empty()) body["kind"] = f.kind;
  if (f.count != 1) body["count"] = f.count;
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Post("/tokens", body);
  if (!r.ok()) return Fail(r.status());
  return PrintIssuedResponse(*r, f);
}

std::string ListQuery(const TokenFlags& f, const std::string& cursor) {
  std::string q;
  auto add = [&q](const char* k, const std::string& v) {
    if (v.empty()) return;
    q += (q.empty() ? "?" : "&") + std::string(k) + "=" + ApiClient::Escape(v);
  };
  add("status", f.status);
  add("kind", f.kind);
  add("owner", f.owner);
  add("location_prefix", f.location_prefix);
  add("tag", f.tag);
  add("limit", f.limit > 0 ? std::to_string(f.limit) : "");
  add("cursor", cursor);
  return "/tokens" + q;
}

int List(const TokenFlags& f) {
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  nlohmann::json all = nlohmann::json::array();
  std::string cursor = f.cursor;
  for (;;) {
    auto r = (*client)->Get(ListQuery(f, cursor));
    if (!r.ok()) return Fail(r.status());
    if (f.client.json && !f.all) {
      PrintRaw(r->body);
      return kExitOk;
    }
    const auto& items = r->json.contains("items") ? r->json["items"] : nlohmann::json::array();
    for (const auto& t : items) all.push_back(t);
    const auto next = Cell(r->json, "next_cursor");
    cursor = next == "-" ? "" : next;
    if (!f.all || cursor.empty()) break;
  }
  if (f.client.json) {
    // --all: the pages joined into one list of the API's shape.
    PrintRaw(nlohmann::json{{"items", all}, {"next_cursor", nullptr}}.dump());
    return kExitOk;
  }
  PrintTokenTable(all);
  if (!cursor.empty()) std::fprintf(stderr, "more: --cursor %s (or --all)\n", cursor.c_str());
  return kExitOk;
}

int Show(const TokenFlags& f) {
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Get("/tokens/" + ApiClient::Escape(f.id));
  if (!r.ok()) return Fail(r.status());
  if (f.client.json) PrintRaw(r->body);
  else PrintToken(r->json);
  return kExitOk;
}

int Update(const TokenFlags& f, const CLI::App& cmd) {
  nlohmann::json body = nlohmann::json::object();
  if (cmd.count("--location")) body["location"] = f.location;
  if (cmd.count("--owner")) body["owner"] = f.owner;
  if (cmd.count("--notes")) body["notes"] = f.notes;
  if (cmd.count("--tag")) {
    auto tags = ParseTags(f.tags);
    if (!tags.ok()) return Fail(tags.status());
    body["tags"] = *tags;
  }
  // "none" clears a time (JSON null).
  if (cmd.count("--planted-at")) {
    if (f.planted_at == "none") {
      body["planted_at"] = nullptr;
    } else {
      auto t = TimeArg("--planted-at", f.planted_at, false);
      if (!t.ok()) return Fail(t.status());
      body["planted_at"] = *t;
    }
  }
  if (cmd.count("--expires")) {
    if (f.expires == "none") {
      body["expires_at"] = nullptr;
    } else {
      auto t = TimeArg("--expires", f.expires, true);
      if (!t.ok()) return Fail(t.status());
      body["expires_at"] = *t;
    }
  }
  if (body.empty()) return Fail(InvalidArgument("nothing to update: give at least one field flag"));
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Patch("/tokens/" + ApiClient::Escape(f.id), body);
  if (!r.ok()) return Fail(r.status());
  if (f.client.json) PrintRaw(r->body);
  else PrintToken(r->json);
  return kExitOk;
}

// revoke and delete: the API answers with the token (now retired).
int Retire(const TokenFlags& f, bool remove) {
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  const std::string path = "/tokens/" + ApiClient::Escape(f.id);
  auto r = remove ? (*client)->Delete(path) : (*client)->Post(path + "/revoke", nlohmann::json::object());
  if (!r.ok()) return Fail(r.status());
  if (f.client.json) {
    PrintRaw(r->body);
  } else {
    std::printf("%s %s\n", remove ? "deleted" : "revoked", f.id.c_str());
  }
  return kExitOk;
}

int Rotate(const TokenFlags& f) {
  if (auto s = CheckFormat(f.format); !s.ok()) return Fail(s);
  auto client = Connect(f.client);
  if (!client.ok()) return Fail(client.status());
  auto r = (*client)->Post("/tokens/" + ApiClient::Escape(f.id) + "/rotate", nlohmann::json::object());
  if (!r.ok()) return Fail(r.status());
  return PrintIssuedResponse(*r, f);
}

void AddFormatFlags(CLI::App* cmd, TokenFlags& f) {
  std::string names;
  for (auto n : CredentialFormatNames()) names += (names.empty() ? "" : ", ") + std::string(n);
  auto* format = cmd->add_option("--format", f.format,
                                 "Print only the credentials, as one of: " + names);
  cmd->add_option("--profile", f.profile,
                  "Profile name for aws-credentials/aws-config, Secret name for k8s-secret")
      ->capture_default_str();
  format->excludes(cmd->get_option("--json"));
}

}  // namespace

void RegisterTokenCommands(CLI::App& app, CliContext& ctx) {
  auto* token = app.add_subcommand("token", "Create and manage tokens (via the server's API)");
  token->require_subcommand(1);
  auto f = std::make_shared<TokenFlags>();
  auto on = [&ctx, f](CLI::App* cmd, std::function<int(const TokenFlags&, const CLI::App&)> run) {
    cmd->callback([&ctx, f, cmd, run] { ctx.action = [f, cmd, run] { return run(*f, *cmd); }; });
  };

  auto* create = token->add_subcommand("create", "Issue a token (or --count of them) for a placement");
  AddClientFlags(create, f->client);
  create->add_option("--location", f->location, "Where it will be planted, e.g. laptop-0042:~/Downloads")
      ->required();
  create->add_option("--owner", f->owner, "Who answers for that placement")->required();
  create->add_option("--notes", f->notes, "Free text");
  create->add_option("--tag", f->tags, "KEY=VALUE (repeatable)")->allow_extra_args(false);
  create->add_option("--expires", f->expires, "Expiry: a duration from now (90d) or an RFC 3339 time");
  create->add_option("--planted-at", f->planted_at, "When it was planted/leaked (RFC 3339)");
  create->add_option("--user-name", f->user_name, "IAM user name to use (default: a plausible generated one)");
  create->add_option("--kind", f->kind, "aws or decoy (default: the server's provider)")
      ->check(CLI::IsMember({"aws", "decoy"}));
  create->add_option("--count", f->count, "How many tokens with this metadata")->check(CLI::Range(1, 1000));
  AddFormatFlags(create, *f);
  on(create, [](const TokenFlags& fl, const CLI::App&) { return Create(fl); });

  auto* list = token->add_subcommand("list", "List tokens (newest last), with filters");
  AddClientFlags(list, f->client);
  list->add_option("--status", f->status, "active, revoked, expired or deleted")
      ->check(CLI::IsMember({"active", "revoked", "expired", "deleted"}));
  list->add_option("--kind", f->kind, "aws or decoy")->check(CLI::IsMember({"aws", "decoy"}));
  list->add_option("--owner", f->owner, "Exact owner");
  list->add_option("--location-prefix", f->location_prefix, "Locations starting with this");
  list->add_option("--tag", f->tag, "KEY or KEY=VALUE: tokens carrying this tag");
  list->add_option("--limit", f->limit, "Page size (1-1000)")->check(CLI::Range(1, 1000));
  list->add_option("--cursor", f->cursor, "Continue after this page cursor");
  list->add_flag("--all", f->all, "Follow cursors to the end");
  on(list, [](const TokenFlags& fl, const CLI::App&) { return List(fl); });

  auto* show = token->add_subcommand("show", "Show one token");
  AddClientFlags(show, f->client);
  show->add_option("id", f->id, "Token id (tok_...)")->required();
  on(show, [](const TokenFlags& fl, const CLI::App&) { return Show(fl); });

  auto* update = token->add_subcommand("update", "Change a token's metadata");
  AddClientFlags(update, f->client);
  update->add_option("id", f->id, "Token id")->required();
  update->add_option("--location", f->location, "New location");
  update->add_option("--owner", f->owner, "New owner");
  update->add_option("--notes", f->notes, "New notes");
  update->add_option("--tag", f->tags, "KEY=VALUE (repeatable; replaces all tags)")->allow_extra_args(false);
  update->add_option("--planted-at", f->planted_at, "When it was planted/leaked (RFC 3339; none clears)");
  update->add_option("--expires", f->expires, "New expiry: duration from now, RFC 3339 time, or none");
  on(update, [](const TokenFlags& fl, const CLI::App& cmd) { return Update(fl, cmd); });

  auto* revoke = token->add_subcommand("revoke", "Make a token's key unusable (use still alerts)");
  AddClientFlags(revoke, f->client);
  revoke->add_option("id", f->id, "Token id")->required();
  on(revoke, [](const TokenFlags& fl, const CLI::App&) { return Retire(fl, false); });

  auto* del = token->add_subcommand("delete", "Delete a token's key; a tombstone stays matchable");
  AddClientFlags(del, f->client);
  del->add_option("id", f->id, "Token id")->required();
  on(del, [](const TokenFlags& fl, const CLI::App&) { return Retire(fl, true); });

  auto* rotate = token->add_subcommand("rotate", "Issue a new key for the same placement; revoke the old");
  AddClientFlags(rotate, f->client);
  rotate->add_option("id", f->id, "Token id")->required();
  AddFormatFlags(rotate, *f);
  on(rotate, [](const TokenFlags& fl, const CLI::App&) { return Rotate(fl); });
}

}  // namespace spacecrab::cli
