// `spacecrab init`: first-run setup. Asks the questions the original
// bootstrap asked (data directory, listen address, provider, decoy account,
// AWS endpoint/region/profile), or takes them as flags with
// --non-interactive, then runs RunInit (init_setup.h) and prints the first
// admin API key once.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/init_setup.h"
#include "config/config.h"
#include "core/access_key.h"

namespace spacecrab::cli {
namespace {

struct InitFlags {
  InitOptions options;
  bool non_interactive = false;
  bool json = false;
};

// Reads answers line by line from stdin; prompts go to stderr so stdout stays
// clean for --json. At end of input every remaining question takes its default.
class Questions {
 public:
  std::string Ask(const std::string& question, const std::string& fallback,
                  bool (*valid)(const std::string&) = nullptr, const char* hint = nullptr) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      std::fprintf(stderr, "%s [%s]: ", question.c_str(), fallback.c_str());
      std::fflush(stderr);
      std::string line;
      if (eof_ || !std::getline(std::cin, line)) {
        eof_ = true;
        std::fprintf(stderr, "\n");
        line.clear();
      }
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      const std::string answer = line.empty() ? fallback : line;
      if (!valid || valid(answer)) return answer;
      std::fprintf(stderr, "  '%s' is not valid: %s\n", answer.c_str(), hint ? hint : "try again");
      if (eof_) break;
    }
    invalid_ = true;
    return fallback;
  }
  bool gave_up() const { return invalid_; }

 private:
  bool eof_ = false;
  bool invalid_ = false;
};

bool ValidListen(const std::string& s) { return IsValidListenAddress(s); }
bool ValidProvider(const std::string& s) { return s == "decoy" || s == "aws"; }
bool ValidAccount(const std::string& s) { return IsValidAccountId(s); }
bool ValidUrlOrEmpty(const std::string& s) { return s.empty() || s == "-" || IsSaneHttpUrl(s); }

void AskAll(InitOptions& o, RandomSource& random) {
  Questions q;
  std::fprintf(stderr, "Setting up spacecrab. Press Enter to take the value in brackets.\n");
  o.data_dir = q.Ask("Data directory (store, key file)", o.data_dir);
  o.listen = q.Ask("API listen address", o.listen, ValidListen, "expected HOST:PORT");
  o.provider = q.Ask("Token provider: decoy (keys answered by our endpoint) or aws (real IAM users)",
                     o.provider, ValidProvider, "answer decoy or aws");
  const std::string suggested =
      o.decoy_account_id.empty() ? RandomAccountId(random) : o.decoy_account_id;
  o.decoy_account_id = q.Ask("Decoy AWS account id that decoy keys claim to belong to", suggested,
                             ValidAccount, "expected 12 digits");
  o.decoy_listen = q.Ask("Decoy endpoint listen address", o.decoy_listen, ValidListen,
                         "expected HOST:PORT");
  o.decoy_endpoint_url = q.Ask("Decoy endpoint URL written into credentials (- for http://<listen>)",
                               o.decoy_endpoint_url.empty() ? "-" : o.decoy_endpoint_url,
                               ValidUrlOrEmpty, "expected an http(s) URL or -");
  if (o.decoy_endpoint_url == "-") o.decoy_endpoint_url.clear();
  if (o.provider == "aws") {
    o.aws_endpoint = q.Ask("AWS endpoint URL (- for real AWS; e.g. a moto server for tests)",
                           o.aws_endpoint.empty() ? "-" : o.aws_endpoint, ValidUrlOrEmpty,
                           "expected an http(s) URL or -");
    if (o.aws_endpoint == "-") o.aws_endpoint.clear();
    o.aws_region = q.Ask("AWS region", o.aws_region);
    o.aws_profile = q.Ask("AWS credentials profile (- for the default chain)",
                          o.aws_profile.empty() ? "-" : o.aws_profile);
    if (o.aws_profile == "-") o.aws_profile.clear();
    o.trail_s3 = q.Ask("CloudTrail bucket to watch for uses (s3://bucket/prefix; - for none yet)",
                       o.trail_s3.empty() ? "-" : o.trail_s3,
                       [](const std::string& s) { return s == "-" || s.rfind("s3://", 0) == 0; },
                       "expected s3://bucket/prefix or -");
    if (o.trail_s3 == "-") o.trail_s3.clear();
  }
}

int Run(InitFlags& f) {
  OpenSslRandom random;
  if (!f.non_interactive) AskAll(f.options, random);
  auto r = RunInit(f.options, random);
  if (!r.ok()) {
    std::fprintf(stderr, "spacecrab: init: %s\n", r.status().message().c_str());
    return kExitFailure;
  }
  if (f.json) {
    const nlohmann::json out = {{"api_key", r->api_key},
                                {"api_key_id", r->api_key_id},
                                {"config", r->config_path},
                                {"data_dir", r->data_dir},
                                {"store_url", r->store_url},
                                {"key_file", r->key_file},
                                {"client_file", r->client_file},
                                {"addr", r->addr},
                                {"provider", r->config.provider},
                                {"decoy_account_id", r->config.decoy.account_id}};
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("Wrote %s\n", r->config_path.c_str());
  std::printf("Store:    %s\n", r->store_url.c_str());
  std::printf("Key file: %s (mode 0600; back it up: decoy secrets cannot be read without it)\n",
              r->key_file.c_str());
  std::printf("\nAdmin API key (shown once; also saved for this CLI in %s, mode 0600):\n\n  %s\n\n",
              r->client_file.c_str(), r->api_key.c_str());
  std::printf("Next:\n  spacecrab serve --config %s\n", r->config_path.c_str());
  std::printf("  spacecrab token create --location \"laptop-0042:~/Downloads\" --owner you@example.com\n");
  return kExitOk;
}

}  // namespace

void RegisterInitCommand(CLI::App& app, CliContext& ctx) {
  auto f = std::make_shared<InitFlags>();
  auto& o = f->options;
  auto* init = app.add_subcommand("init", "Set up: write spacecrab.toml, create the store, print the first admin API key");
  init->add_flag("--non-interactive", f->non_interactive, "Ask nothing; take the flags and defaults");
  init->add_flag("--json", f->json, "Print {\"api_key\":..., \"config\":..., ...} as JSON");
  init->add_option("-c,--config", o.config_path, "Config file to write")->capture_default_str();
  init->add_flag("--force", o.force, "Overwrite an existing config file");
  init->add_option("--data-dir", o.data_dir, "Data directory (store, key file, client file)")
      ->capture_default_str();
  init->add_option("--listen", o.listen, "API listen address HOST:PORT")->capture_default_str();
  init->add_option("--provider", o.provider, "Token provider")
      ->check(CLI::IsMember({"decoy", "aws"}))
      ->capture_default_str();
  init->add_option("--decoy-listen", o.decoy_listen, "Decoy endpoint listen address HOST:PORT")
      ->capture_default_str();
  init->add_option("--decoy-account-id", o.decoy_account_id, "12-digit decoy account (default: random)");
  init->add_option("--decoy-endpoint-url", o.decoy_endpoint_url,
                   "URL decoy credentials carry (default: http://<decoy listen>)");
  init->add_option("--aws-endpoint", o.aws_endpoint, "AWS endpoint URL override (e.g. moto)");
  init->add_option("--aws-region", o.aws_region, "AWS region")->capture_default_str();
  init->add_option("--aws-profile", o.aws_profile, "AWS credentials profile");
  init->add_option("--trail-s3", o.trail_s3,
                   "CloudTrail trail to poll for uses: s3://bucket/prefix (provider aws)");
  init->add_option("--admin-key-name", o.admin_key_name, "Name of the first admin API key")
      ->capture_default_str();
  init->callback([&ctx, f] { ctx.action = [f] { return Run(*f); }; });
}

}  // namespace spacecrab::cli
