// Config: spacecrab.toml plus SPACECRAB_SECTION_KEY environment overrides.
//
// Loading validates every value and fails with a message that names the file
// (with the line) or environment variable, and the key:
//   "spacecrab.toml:3: [server] listen: expected HOST:PORT ..., got 'x'"
//   "environment variable SPACECRAB_DECOY_ACCOUNT_ID: [decoy] account_id: expected 12 digits ..."
// Unknown sections and keys are errors, so a typo never passes silently.
// Exceptions are allowed only inside the loader; LoadConfig returns Expected.
//
// Keys: every field below, as `[section] key` (ServerConfig -> [server] ...),
// plus top-level `provider = "decoy"|"aws"` (or `[provider] type = ...`),
// `[incidents] window = "1h"` (a duration or integer seconds) and free-form
// `[sinks.NAME]` tables with `type` and the sink's own keys.
// Environment: SPACECRAB_<SECTION>_<KEY> (SPACECRAB_SERVER_LISTEN,
// SPACECRAB_DECOY_ACCOUNT_ID, SPACECRAB_PROVIDER, SPACECRAB_SINKS_<NAME>_<KEY>);
// lists are comma separated; the environment wins over the file. Variables
// whose section is not a config section (SPACECRAB_ADDR, SPACECRAB_API_KEY,
// used by the CLI client) are ignored here.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace spacecrab {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  std::string public_url;          // for links in alerts; empty: http://<bound listen address>
  size_t max_body_bytes = 1 << 20; // API request body limit
  // API requests served at once (connections are not bounded by it: idle
  // keep-alive connections wait in epoll, see src/api/parking_server.h).
  int threads = 32;
};

struct StoreConfig {
  std::string url;  // "sqlite:PATH" (default sqlite:<data_dir>/spacecrab.db) | "postgresql://..."
};

struct SecretsConfig {
  // 32-byte AES-256-GCM key, hex or base64; or a file holding it. If both are
  // empty, <data_dir>/secret.key is created (0600) on first start.
  std::string key;
  std::string key_file;
};

struct AwsConfig {
  std::string endpoint_url;   // override for tests (moto)
  std::string region = "us-east-1";
  std::string profile;
  std::vector<std::string> accounts;
  // IAM names for provider = "aws". Empty templates: the built-in mix of
  // service-account, CI-tool and person-like names. Templates use the word
  // lists' placeholders ({purpose}, {env}, {team}, {first}, {last}, {f}, {l},
  // {nn}, ...; src/provider/name_generator.h), e.g. "svc-{purpose}-{env}".
  std::vector<std::string> user_name_templates;
  std::vector<std::string> path_templates;    // default "/" when templates are set
  std::string policy_name = "baseline-access";  // the inline deny-all policy
  // Safety net: IAM's last-used time for a key newer than every recorded use,
  // this long after that time (CloudTrail's delivery lag), pages as a use no
  // log shows. Each key is asked at most every `last_used_sweep`.
  int last_used_lag_seconds = 30 * 60;
  int last_used_sweep_seconds = 15 * 60;
  // Warm pool (provider/warm_pool.h): keys kept minted ahead of demand per
  // account, refilled at most this many mints per second.
  int pool_size = 20;
  int pool_refill_rate = 2;
  int max_users = 5000;  // IAM users per account (IAM's quota); placement stops there
};

// One account of the account pool (`[accounts.NAME]`). Without any, the
// account the [aws] credentials belong to is the only one.
struct AwsAccountConfig {
  std::string name;
  std::string profile;      // credentials from this profile, or
  std::string role_arn;     // a role assumed with the [aws] credentials
  std::string external_id;  // for role_arn, when the role's trust policy asks for one
  std::string account_id;   // expected account (checked against STS); optional
  int max_users = -1;       // -1: [aws] max_users
  int pool_size = -1;       // -1: [aws] pool_size
};

struct DecoyConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1:8081";
  std::string account_id;     // 12 digits; generated once by init/first start if empty
  std::string endpoint_url;   // what tokens carry; empty: http://<bound decoy listen address>
  std::string tls_cert;       // PEM paths: serve HTTPS when both are set
  std::string tls_key;
};

struct IngestConfig {
  std::vector<std::string> s3;         // "s3://bucket/prefix"
  std::vector<std::string> watch_dirs;
  int poll_seconds = 60;
  size_t max_file_bytes = 1ull << 30;    // uncompressed
  size_t max_record_bytes = 1 << 20;
};

struct EnrichConfig {
  std::string tor_exit_list;
  std::string geoip_db;      // .mmdb, or empty for Tor's geoip files
  std::string geoip_v4 = "/usr/share/tor/geoip";
  std::string geoip_v6 = "/usr/share/tor/geoip6";
  std::string cloud_ranges;  // ip-ranges.json
};

struct SinkConfig {
  std::string name;
  std::string type;  // pagerduty|smtp|slack|teams|webhook|syslog|jsonl|exec|console
  std::map<std::string, std::string> settings;  // the sink's own keys, validated by its factory
};

struct IncidentConfig {
  int window_seconds = 3600;
  // Allowlists (core/allowlist.h): matching uses are recorded and shown but
  // do not page. Entries may end in " # reason".
  std::vector<std::string> allow_source_cidrs;  // "198.51.100.0/24 # red team"
  std::vector<std::string> allow_user_agents;   // globs, or "re:<regex>"
  std::vector<std::string> allow_token_tags;    // "purpose=drill" or "drill"
  // "enumeration" once an incident has this many distinct actions or services.
  int enumeration_min_actions = 3;
  int enumeration_min_services = 3;
};

struct Config {
  std::string source_path;  // the file loaded, or empty for built-in defaults
  ServerConfig server;
  StoreConfig store;
  SecretsConfig secrets;
  std::string provider = "decoy";  // "decoy" | "aws"
  AwsConfig aws;
  std::vector<AwsAccountConfig> accounts;  // [accounts.NAME], in file order
  DecoyConfig decoy;
  IngestConfig ingest;
  EnrichConfig enrich;
  std::vector<SinkConfig> sinks;   // default: console + jsonl (<data_dir>/alerts.jsonl)
  IncidentConfig incidents;
};

// Loads `path` (empty: ./spacecrab.toml if present, else built-in defaults),
// applies SPACECRAB_* overrides from `env`, validates. Errors name file and key.
Expected<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& env);

// The process environment as a map (for LoadConfig).
std::map<std::string, std::string> ProcessEnvironment();

// The config as a spacecrab.toml document (every fixed key, then the sinks),
// such that LoadConfig of the result yields `config` again. Used by `init`.
std::string RenderConfigToml(const Config& config);

// "HOST:PORT" (HOST a name, IPv4 or [IPv6]); port 0..65535, 0 = ephemeral.
bool IsValidListenAddress(std::string_view address);
// http:// or https:// with a host and no whitespace/quotes/credentials.
bool IsSaneHttpUrl(std::string_view url);

}  // namespace spacecrab
