#include "cli/init_setup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/client_settings.h"
#include "core/clock.h"
#include "crypto/secret_box.h"
#include "service/api_key_service.h"
#include "store/store_factory.h"

namespace spacecrab::cli {
namespace fs = std::filesystem;

std::string RandomAccountId(RandomSource& random) {
  return RandomChars(random, 1, "123456789") + RandomChars(random, 11, "0123456789");
}

std::string ClientAddress(const std::string& listen) {
  const auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  return "http://" + host + listen.substr(colon);
}

namespace {

Config BuildConfig(const InitOptions& o, const std::string& data_dir, RandomSource& random) {
  Config c;
  c.provider = o.provider;
  c.server.listen = o.listen;
  c.server.data_dir = data_dir;
  c.store.url = "sqlite:" + data_dir + "/spacecrab.db";
  c.secrets.key_file = data_dir + "/secret.key";
  c.decoy.listen = o.decoy_listen;
  c.decoy.account_id = o.decoy_account_id.empty() ? RandomAccountId(random) : o.decoy_account_id;
  c.decoy.endpoint_url = o.decoy_endpoint_url;
  c.aws.endpoint_url = o.aws_endpoint;
  c.aws.region = o.aws_region;
  c.aws.profile = o.aws_profile;
  if (!o.trail_s3.empty()) c.ingest.s3 = {o.trail_s3};
  c.sinks = {SinkConfig{"console", "console", {}},
             SinkConfig{"history", "jsonl", {{"path", data_dir + "/alerts.jsonl"}}}};
  return c;
}

Status WriteFileAtomically(const std::string& path, const std::string& text, mode_t mode) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return Unavailable("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), mode);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Unavailable("cannot write " + path + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

Expected<InitResult> RunInit(const InitOptions& o, RandomSource& random) {
  InitResult r;
  std::error_code ec;
  r.config_path = fs::absolute(o.config_path, ec).lexically_normal().string();
  r.data_dir = fs::absolute(o.data_dir, ec).lexically_normal().string();
  while (r.data_dir.size() > 1 && r.data_dir.back() == '/') r.data_dir.pop_back();
  if (fs::exists(r.config_path) && !o.force)
    return FailedPrecondition(r.config_path + " already exists; use --force to overwrite it");

  // Validate everything through the real loader before touching disk: the
  // rendered file goes to a temporary name first and is loaded back.
  r.config = BuildConfig(o, r.data_dir, random);
  const std::string toml = RenderConfigToml(r.config);
  const std::string staged = r.config_path + ".new";
  SC_RETURN_IF_ERROR(WriteFileAtomically(staged, toml, 0600));
  auto loaded = LoadConfig(staged, {});
  if (!loaded.ok()) {
    fs::remove(staged, ec);
    std::string m = loaded.status().message();
    if (m.rfind(staged, 0) == 0) m = m.substr(m.find(": ") + 2);  // the key, not the temp file
    return InvalidArgument(m);
  }

  fs::create_directories(r.data_dir, ec);
  if (ec) {
    fs::remove(staged, ec);
    return Unavailable("cannot create " + r.data_dir + ": " + ec.message());
  }
  ::chmod(r.data_dir.c_str(), 0700);
  r.key_file = r.config.secrets.key_file;
  auto box = LoadOrCreateKeyFile(r.key_file, random);
  if (!box.ok()) return box.status();

  r.store_url = r.config.store.url;
  SC_ASSIGN_OR_RETURN(auto store, OpenStore(r.store_url));
  SC_RETURN_IF_ERROR(store->Migrate());
  SystemClock clock;
  ApiKeyService keys({store.get(), &clock, &random});
  SC_ASSIGN_OR_RETURN(auto created, keys.Create(o.admin_key_name, ApiScope::kAdmin, Actor{"cli:init", ""}));
  r.api_key = created.secret;
  r.api_key_id = created.key.id;

  r.addr = ClientAddress(r.config.server.listen);
  r.client_file = ClientFilePath(r.data_dir);
  SC_RETURN_IF_ERROR(WriteClientFile(r.client_file, ClientSettings{r.addr, r.api_key}));

  fs::rename(staged, r.config_path, ec);
  if (ec) return Unavailable("cannot write " + r.config_path + ": " + ec.message());
  return r;
}

}  // namespace spacecrab::cli
