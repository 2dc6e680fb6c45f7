// Config: spacecrab.toml plus SPACECRAB_SECTION_KEY environment overrides.
//
// Loading validates every value and fails with a message that names the key
// and the file ("spacecrab.toml: [server] listen: expected HOST:PORT, got 'x'").
// Exceptions are allowed only inside the loader; LoadConfig returns Expected.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace spacecrab {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  std::string public_url;          // for links in alerts; default http://<listen>
  size_t max_body_bytes = 1 << 20; // API request body limit
  int threads = 8;
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
};

struct DecoyConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1:8081";
  std::string account_id;     // 12 digits; generated once by init/first start if empty
  std::string endpoint_url;   // what tokens carry; default http://<listen>
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
};

struct Config {
  std::string source_path;  // the file loaded, or empty for built-in defaults
  ServerConfig server;
  StoreConfig store;
  SecretsConfig secrets;
  std::string provider = "decoy";  // "decoy" | "aws"
  AwsConfig aws;
  DecoyConfig decoy;
  IngestConfig ingest;
  EnrichConfig enrich;
  std::vector<SinkConfig> sinks;   // default: one console sink
  IncidentConfig incidents;
};

// Loads `path` (empty: ./spacecrab.toml if present, else built-in defaults),
// applies SPACECRAB_* overrides from `env`, validates. Errors name file and key.
Expected<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& env);

// The process environment as a map (for LoadConfig).
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace spacecrab
