// Pattern tables for user-agent classification. Sources for the markers:
// the tools' own code (Prowler's user_agent_extra "APN_1826889", ScoutSuite's
// "Scout Suite/<version>", Pacu's "Pacu-Session-<uuid>" suffix and its
// user_agents.txt disguise list, TruffleHog's "TruffleHog" header, Stratus Red
// Team's "stratus-red-team_<uuid>") and user agents seen in published
// CloudTrail records and honey-token write-ups.
#include "enrich/user_agent_rules.h"

namespace spacecrab::enrich::ua_rules {
namespace {

using C = ToolCategory;
using M = Match;

constexpr ToolRule kRules[] = {
    // --- Exact strings -----------------------------------------------------
    // Pacu's user_agents.txt: on Kali/Parrot/Pentoo it sends one of these
    // instead of its real user agent. (Its list also holds the two console
    // strings below; those stay console.)
    {M::kExact, "Boto3/1.7.62 Python/3.7.0 Windows/10 Botocore/1.10.62", "pacu", C::kOffensive, false},
    {M::kExact, "Boto3/1.7.48 Python/3.6.5 Windows/10 Botocore/1.10.48", "pacu", C::kOffensive, false},
    {M::kExact, "Boto3/1.7.24 Python/3.6.5 Windows/10 Botocore/1.10.24", "pacu", C::kOffensive, false},
    {M::kExact, "aws-cli/1.15.10 Python/2.7.9 Windows/8 botocore/1.10.10", "pacu", C::kOffensive, false},
    {M::kExact, "Boto3/1.7.24 Python/3.6.5 Windows/10 Botocore/1.10.24 Resource", "pacu", C::kOffensive, false},
    {M::kExact, "Boto3/1.7.24 Python/3.6.5 Darwin/16.7.0 Botocore/1.10.24", "pacu", C::kOffensive, false},
    {M::kExact, "Boto3/1.7.45 Python/3.6.5 Windows/10 Botocore/1.10.45", "pacu", C::kOffensive, false},
    {M::kExact, "Boto3/1.4.7 Python/2.7.0 Java/1.8.0_112 Botocore/1.7.21", "pacu", C::kOffensive, false},
    {M::kExact, "Boto3/1.7.30 Python/3.6.1 Linux/4.9.93-41.60.amzn1.x86_64 Botocore/1.10.30", "pacu", C::kOffensive, false},
    {M::kExact, "Boto3/1.7.14 Python/3.6.1 Linux/4.9.93-41.60.amzn1.x86_64 Botocore/1.10.14", "pacu", C::kOffensive, false},
    {M::kExact, "Boto3/1.5.8 Python/3.6.5 Windows/10 Botocore/1.10.4", "pacu", C::kOffensive, false},
    {M::kExact, "Boto3/1.5.8 Python/3.6.3 Windows/10 Botocore/1.8.22", "pacu", C::kOffensive, false},
    {M::kExact, "aws-sdk-go/1.4.22 (go1.7.4; linux; amd64)", "pacu", C::kOffensive, false},
    {M::kExact, "aws-sdk-go/1.4.10 (go1.7.4; linux; amd64)", "pacu", C::kOffensive, false},
    {M::kExact, "aws-sdk-go/1.4.10 (go1.8.3; linux; amd64)", "pacu", C::kOffensive, false},
    {M::kExact, "aws-sdk-go/1.13.32 (go1.9.2; darwin; amd64) APN/1.0 HashiCorp/1.0 Terraform/0.11.7", "pacu", C::kOffensive, false},
    {M::kExact, "aws-sdk-java/2.0.0-preview-9-SNAPSHOT Mac_OS_X/10.11.6 Java_HotSpot_TM__64-Bit_Server_VM/25.151-b12 Java/1.8.0_151", "pacu", C::kOffensive, false},
    {M::kExact, "Boto3/1.7.62 Python/3.5.2 Linux/4.4.0-130-generic Botocore/1.10.62", "pacu", C::kOffensive, false},
    {M::kExact, "aws-sdk-go/1.1.0 (go1.5.2; darwin; amd64)", "pacu", C::kOffensive, false},
    {M::kExact, "aws-sdk-go/1.1.2 (go1.6; darwin; amd64) terraform/0.6.13", "pacu", C::kOffensive, false},
    {M::kExact, "APN/1.0 HashiCorp/1.0 Terraform/0.7.9", "pacu", C::kOffensive, false},
    // AWS itself.
    {M::kExact, "AWS Internal", "aws-internal", C::kAwsInternal, false},
    {M::kExact, "console.amazonaws.com", "aws-console", C::kConsole, false},
    {M::kExact, "signin.amazonaws.com", "aws-console", C::kConsole, false},
    {M::kPrefix, "s3console/", "aws-console", C::kConsole, true},
    {M::kPrefix, "aws console ", "aws-console", C::kConsole, false},
    {M::kPrefix, "ec2consolefrontend", "aws-console", C::kConsole, false},
    {M::kPrefix, "coral/", "aws-internal", C::kAwsInternal, false},
    {M::kPrefix, "awscloudtrail,", "aws-internal", C::kAwsInternal, false},
    {M::kPrefix, "aws-internal/", "aws-internal", C::kAwsInternal, false},
    {M::kAwsHost, "", "aws-service", C::kAwsInternal, false},

    // --- Tools that wrap an SDK: before the SDKs ----------------------------
    {M::kToken, "pacu-session-", "pacu", C::kOffensive, false},
    {M::kToken, "pacu/", "pacu", C::kOffensive, true},
    {M::kToken, "trufflehog", "trufflehog", C::kOffensive, true},
    {M::kToken, "stratus-red-team", "stratus-red-team", C::kOffensive, false},
    {M::kToken, "scout suite/", "scoutsuite", C::kAudit, true},
    {M::kToken, "scoutsuite/", "scoutsuite", C::kAudit, true},
    {M::kToken, "apn_1826889", "prowler", C::kAudit, false},
    {M::kToken, "prowler/", "prowler", C::kAudit, true},
    {M::kToken, "cloudsplaining/", "cloudsplaining", C::kAudit, true},
    {M::kToken, "cloudmapper/", "cloudmapper", C::kAudit, true},
    {M::kToken, "steampipe/", "steampipe", C::kAudit, true},
    {M::kToken, "terraform/", "terraform", C::kIac, true},
    {M::kToken, "opentofu/", "opentofu", C::kIac, true},
    {M::kToken, "pulumi/", "pulumi", C::kIac, true},
    {M::kToken, "aws-cdk/", "aws-cdk", C::kIac, true},
    {M::kToken, "aws-sam-cli/", "aws-sam-cli", C::kIac, true},
    {M::kToken, "ansible/", "ansible", C::kIac, true},
    {M::kToken, "elasticwolf/", "elasticwolf", C::kGui, true},
    {M::kToken, "s3 browser", "s3-browser", C::kGui, true},
    {M::kToken, "cyberduck/", "cyberduck", C::kGui, true},
    {M::kToken, "mountain duck/", "mountain-duck", C::kGui, true},
    {M::kToken, "cloudberry", "cloudberry", C::kGui, false},
    {M::kToken, "winscp/", "winscp", C::kGui, true},
    {M::kToken, "rclone/", "rclone", C::kCli, true},
    {M::kToken, "s3cmd/", "s3cmd", C::kCli, true},
    {M::kToken, "aws-cli/", "aws-cli", C::kCli, true},
    {M::kToken, "awspowershell.common/", "aws-powershell", C::kCli, true},
    {M::kToken, "awspowershell/", "aws-powershell", C::kCli, true},

    // --- SDKs ----------------------------------------------------------------
    {M::kToken, "boto3/", "boto3", C::kSdk, true},
    {M::kToken, "botocore/", "botocore", C::kSdk, true},
    {M::kToken, "boto/", "boto", C::kSdk, true},
    {M::kToken, "aws-sdk-go-v2/", "aws-sdk-go-v2", C::kSdk, true},
    {M::kToken, "aws-sdk-go/", "aws-sdk-go", C::kSdk, true},
    {M::kToken, "aws-sdk-java/", "aws-sdk-java", C::kSdk, true},
    {M::kToken, "aws-sdk-nodejs/", "aws-sdk-js", C::kSdk, true},
    {M::kToken, "aws-sdk-js/", "aws-sdk-js", C::kSdk, true},
    {M::kToken, "aws-sdk-ruby3/", "aws-sdk-ruby", C::kSdk, true},
    {M::kToken, "aws-sdk-ruby2/", "aws-sdk-ruby", C::kSdk, true},
    {M::kToken, "aws-sdk-ruby/", "aws-sdk-ruby", C::kSdk, true},
    {M::kToken, "aws-sdk-dotnet-coreclr/", "aws-sdk-dotnet", C::kSdk, true},
    {M::kToken, "aws-sdk-dotnet-45/", "aws-sdk-dotnet", C::kSdk, true},
    {M::kToken, "aws-sdk-dotnet-35/", "aws-sdk-dotnet", C::kSdk, true},
    {M::kToken, "aws-sdk-dotnet/", "aws-sdk-dotnet", C::kSdk, true},
    {M::kToken, "aws-sdk-php/", "aws-sdk-php", C::kSdk, true},
    {M::kToken, "aws-sdk-rust/", "aws-sdk-rust", C::kSdk, true},
    {M::kToken, "aws-sdk-cpp/", "aws-sdk-cpp", C::kSdk, true},
    {M::kToken, "aws-sdk-swift/", "aws-sdk-swift", C::kSdk, true},
    {M::kToken, "aws-sdk-kotlin/", "aws-sdk-kotlin", C::kSdk, true},

    // --- Plain HTTP clients: a hand-rolled SigV4 request -------------------
    {M::kToken, "python-requests/", "python-requests", C::kHttpClient, true},
    {M::kToken, "python-httpx/", "python-httpx", C::kHttpClient, true},
    {M::kToken, "python-urllib/", "python-urllib", C::kHttpClient, true},
    {M::kToken, "aiohttp/", "aiohttp", C::kHttpClient, true},
    {M::kToken, "pycurl/", "pycurl", C::kHttpClient, true},
    {M::kToken, "curl/", "curl", C::kHttpClient, true},
    {M::kToken, "wget/", "wget", C::kHttpClient, true},
    {M::kToken, "go-http-client/", "go-http-client", C::kHttpClient, true},
    {M::kToken, "okhttp/", "okhttp", C::kHttpClient, true},
    {M::kToken, "apache-httpclient/", "apache-httpclient", C::kHttpClient, true},
    {M::kToken, "axios/", "axios", C::kHttpClient, true},
    {M::kToken, "node-fetch/", "node-fetch", C::kHttpClient, true},
    {M::kToken, "undici", "undici", C::kHttpClient, false},
    {M::kToken, "libwww-perl/", "libwww-perl", C::kHttpClient, true},
    {M::kToken, "postmanruntime/", "postman", C::kHttpClient, true},
    {M::kToken, "insomnia/", "insomnia", C::kHttpClient, true},
    {M::kToken, "windowspowershell/", "powershell-web", C::kHttpClient, true},
    {M::kToken, "java/", "java", C::kHttpClient, true},

    // --- Browsers (after everything that may embed "Mozilla/") -------------
    {M::kToken, "edg/", "edge", C::kBrowser, true},
    {M::kToken, "opr/", "opera", C::kBrowser, true},
    {M::kToken, "firefox/", "firefox", C::kBrowser, true},
    {M::kToken, "chrome/", "chrome", C::kBrowser, true},
    {M::kToken, "safari/", "safari", C::kBrowser, false},
    {M::kPrefix, "mozilla/", "browser", C::kBrowser, false},
};

constexpr OsRule kOs[] = {
    {"android", "android"},   {"iphone", "ios"},        {"ipad", "ios"},      {"windows", "windows"},
    {"win64", "windows"},     {"win32", "windows"},     {"darwin", "macos"},  {"mac os x", "macos"},
    {"mac_os_x", "macos"},    {"macos", "macos"},       {"macintosh", "macos"}, {"linux", "linux"},
    {"freebsd", "freebsd"},   {"openbsd", "openbsd"},
};

constexpr DistroRule kDistros[] = {
    {"kali", "kali", true},
    {"parrot", "parrot", true},
    {"pentoo", "pentoo", true},
    {"blackarch", "blackarch", true},
    {"microsoft-standard-wsl", "wsl", false},
    {"amzn", "amazon-linux", false},
    {"ubuntu", "ubuntu", false},
    {"debian", "debian", false},
    {"fedora", "fedora", false},
    {"centos", "centos", false},
    {"alpine", "alpine", false},
    {"manjaro", "manjaro", false},
};

}  // namespace

std::span<const ToolRule> ToolRules() { return kRules; }
std::span<const OsRule> OsRules() { return kOs; }
std::span<const DistroRule> DistroRules() { return kDistros; }

}  // namespace spacecrab::enrich::ua_rules
