// decoy_test_server: the decoy endpoint on its own, with keys given on the
// command line and records written as JSON lines. For integration tests and
// benchmarks of the endpoint without the rest of the service.
//
//   decoy_test_server --listen 127.0.0.1:0 --records out.jsonl
//       --key AKIA...:SECRET:123456789012:svc-backup[:revoked] [--tls-cert C --tls-key K]
//
// Prints "listening on http(s)://HOST:PORT" on stdout once ready; stops on
// SIGINT/SIGTERM. Never use in production: keys and secrets are on argv.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "core/access_key.h"
#include "decoy/decoy_server.h"
#include "decoy/record_sink.h"

namespace {

using namespace spacecrab;

// AKID:SECRET:ACCOUNT:USER[:STATUS]. Secrets are [A-Za-z0-9+/], so ':' never occurs in them.
Expected<decoy::DecoyKey> ParseKeySpec(const std::string& spec) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() != 4 && parts.size() != 5)
    return InvalidArgument("--key expects AKID:SECRET:ACCOUNT:USER[:STATUS], got '" + spec + "'");
  decoy::DecoyKey key;
  key.access_key_id = parts[0];
  key.secret = parts[1];
  key.account_id = parts[2];
  key.user_name = parts[3];
  key.arn = "arn:aws:iam::" + key.account_id + ":user/" + key.user_name;
  key.token_id = "tok_" + key.access_key_id;
  if (parts.size() == 5) {
    auto status = ParseTokenStatus(parts[4]);
    if (!status) return InvalidArgument("bad token status '" + parts[4] + "'");
    key.status = *status;
  }
  if (!IsValidAccountId(key.account_id)) return InvalidArgument("bad account id in --key");
  return key;
}

int Run(int argc, char** argv) {
  CLI::App app("Stand-alone AWS-compatible test endpoint");
  std::string listen = "127.0.0.1:0";
  std::string records_path = "-";
  std::vector<std::string> key_specs;
  std::vector<std::string> endpoint_hosts;
  decoy::DecoyServerOptions options;
  bool record_unknown = false;
  int read_timeout = 5, write_timeout = 5, keep_alive_timeout = 5;
  app.add_option("--listen", listen, "HOST:PORT (port 0: ephemeral)");
  app.add_option("--records", records_path, "JSON-lines file for records ('-': stdout)");
  app.add_option("--key", key_specs, "AKID:SECRET:ACCOUNT:USER[:STATUS]");
  app.add_option("--tls-cert", options.tls_cert_file, "PEM certificate (HTTPS)");
  app.add_option("--tls-key", options.tls_key_file, "PEM private key (HTTPS)");
  app.add_option("--endpoint-host", endpoint_hosts, "host name for virtual-hosted buckets");
  app.add_option("--max-body", options.max_body_bytes, "largest body read, bytes");
  app.add_option("--threads", options.worker_threads, "worker threads");
  app.add_option("--max-pending", options.max_pending_connections, "queued connections");
  app.add_option("--read-timeout", read_timeout, "seconds");
  app.add_option("--write-timeout", write_timeout, "seconds");
  app.add_option("--keep-alive-timeout", keep_alive_timeout, "seconds");
  app.add_flag("--record-unknown", record_unknown, "also record unknown key ids");
  CLI11_PARSE(app, argc, argv);

  decoy::InMemoryKeyLookup keys;
  for (const auto& spec : key_specs) {
    auto key = ParseKeySpec(spec);
    if (!key.ok()) {
      std::cerr << key.status().message() << "\n";
      return 2;
    }
    keys.Add(std::move(key).value());
  }
  auto records = decoy::JsonLinesRecordSink::Open(records_path);
  if (!records.ok()) {
    std::cerr << records.status().message() << "\n";
    return 2;
  }
  decoy::BufferedRecordSink buffered(**records, {});

  if (Status s = decoy::SetListenAddress(options, listen); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  options.read_timeout = std::chrono::seconds(read_timeout);
  options.write_timeout = std::chrono::seconds(write_timeout);
  options.keep_alive_timeout = std::chrono::seconds(keep_alive_timeout);
  options.responder.keys = &keys;
  options.responder.records = &buffered;
  options.responder.endpoint_hosts = endpoint_hosts;
  options.responder.record_unknown_keys = record_unknown;

  // Block the stop signals before any thread starts so only sigwait sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto server = decoy::DecoyServer::Create(std::move(options));
  if (!server.ok()) {
    std::cerr << server.status().message() << "\n";
    return 2;
  }
  if (Status s = (*server)->Start(); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 1;
  }
  const std::string scheme = (*server)->tls() ? "https" : "http";
  std::printf("listening on %s://%s:%d\n", scheme.c_str(),
              listen.substr(0, listen.rfind(':')).c_str(), (*server)->port());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop, &signal_number);
  (*server)->Stop();
  buffered.Flush();
  const auto stats = (*server)->stats();
  std::fprintf(stderr,
               "requests=%llu verified=%llu key_id_only=%llu unknown_key=%llu anonymous=%llu "
               "records=%llu dropped=%llu\n",
               static_cast<unsigned long long>(stats.requests),
               static_cast<unsigned long long>(stats.verified),
               static_cast<unsigned long long>(stats.key_id_only),
               static_cast<unsigned long long>(stats.unknown_key),
               static_cast<unsigned long long>(stats.anonymous),
               static_cast<unsigned long long>(stats.records),
               static_cast<unsigned long long>(buffered.dropped()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
