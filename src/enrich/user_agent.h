// User-agent classification: which tool made an AWS call, its version, the
// operating system it ran on, and (aws-cli v2) the command typed.
//
// Driven by one ordered table of patterns (user_agent_rules.cpp): the first
// rule whose marker appears in the user agent names the tool. Wrapping tools
// come before the SDKs they are built on (Prowler and ScoutSuite send a boto3
// user agent with their own marker added; Terraform sends aws-sdk-go's), and
// the underlying SDK is reported separately in `sdk`. Markers match
// case-insensitively at a token boundary ("curl/" does not match "libcurl/").
//
// What a user agent cannot tell: anybody can send any user agent. Pacu, on
// Kali/Parrot/Pentoo, replaces its own with one picked from a fixed list to
// dodge GuardDuty; those exact strings are recognised as Pacu.
//
// Thread-safety: pure functions over constant tables.
#pragma once

#include <string>
#include <string_view>

namespace spacecrab::enrich {

enum class ToolCategory {
  kUnknown,      // no rule matched (or no user agent)
  kCli,          // aws-cli, AWS Tools for PowerShell
  kSdk,          // boto3, aws-sdk-go, ...
  kOffensive,    // Pacu, TruffleHog, Stratus Red Team
  kAudit,        // ScoutSuite, Prowler (also used by attackers)
  kGui,          // ElasticWolf, S3 Browser, Cyberduck
  kIac,          // Terraform, Pulumi, CDK
  kHttpClient,   // python-requests, curl, Go-http-client
  kBrowser,      // Chrome, Firefox, ...
  kConsole,      // the AWS Management Console
  kAwsInternal,  // AWS services acting for the caller ("AWS Internal", "lambda.amazonaws.com")
};
// "unknown" | "cli" | "sdk" | "offensive" | "audit" | "gui" | "iac" |
// "http-client" | "browser" | "console" | "aws-internal"
std::string_view ToString(ToolCategory c);

struct ToolInfo {
  std::string family;    // "aws-cli", "boto3", "pacu", ...; "other" if no rule matched; empty for no UA
  ToolCategory category = ToolCategory::kUnknown;
  std::string version;   // "2.15.0"; empty when the user agent does not say
  std::string os;        // "linux" | "windows" | "macos" | "android" | "ios" | "freebsd" | ""
  std::string distro;    // "kali", "ubuntu", "amazon-linux", "wsl", ...
  bool pentest_distro = false;  // Kali, Parrot, Pentoo, BlackArch: GuardDuty's PenTest findings
  std::string command;   // aws-cli v2 "sts.get-caller-identity"
  std::string exec_env;  // "CloudShell", "AWS_Lambda_python3.11", "AWS_ECS_FARGATE"
  std::string sdk;       // SDK under a wrapping tool: "boto3/1.28.0", "aws-sdk-go-v2/1.21.0"
};

ToolInfo ClassifyUserAgent(std::string_view user_agent);

// "aws-cli/2.15.0" (family/version), "aws-cli", or "" — a short label for tables.
std::string ToolLabel(const ToolInfo& tool);

}  // namespace spacecrab::enrich
