// First-run setup behind `spacecrab init`, without any prompting: writes
// spacecrab.toml, creates the data directory, the at-rest key file and the
// store, issues the first admin API key and writes the client file.
//
// Failure: InvalidArgument for answers that do not validate (naming the
// setting), FailedPrecondition when the config file exists and `force` is
// off, store/file errors as they come. Nothing is half-written on a
// validation error: the config is validated before anything touches disk.
#pragma once

#include <string>

#include "config/config.h"
#include "core/status.h"
#include "crypto/random.h"

namespace spacecrab::cli {

struct InitOptions {
  std::string config_path = "spacecrab.toml";
  bool force = false;  // overwrite an existing config file
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:8080";
  std::string provider = "decoy";
  std::string decoy_listen = "127.0.0.1:8081";
  std::string decoy_account_id;    // empty: a random one
  std::string decoy_endpoint_url;  // empty: derived from decoy_listen by the server
  std::string aws_endpoint;
  std::string aws_region = "us-east-1";
  std::string aws_profile;
  std::string trail_s3;  // "s3://bucket/prefix" of the CloudTrail trail to poll; empty: none
  std::string admin_key_name = "admin";
};

struct InitResult {
  std::string config_path;  // absolute
  std::string data_dir;     // absolute
  std::string store_url;
  std::string key_file;
  std::string client_file;
  std::string addr;         // where clients reach the API
  std::string api_key;      // the admin key secret, shown once
  std::string api_key_id;
  Config config;
};

// 12 digits, not starting with 0, from `random`.
std::string RandomAccountId(RandomSource& random);

// "http://HOST:PORT" for clients of a listen address (wildcards -> loopback).
std::string ClientAddress(const std::string& listen);

Expected<InitResult> RunInit(const InitOptions& options, RandomSource& random);

}  // namespace spacecrab::cli
