#include "enrich/cloud_ranges.h"

#include <gtest/gtest.h>

#include "enrich/test_util.h"

namespace spacecrab::enrich {
namespace {

using testing::ScratchDir;
using testing::TestDataPath;

std::string Where(const CloudRanges& ranges, const char* ip) {
  auto m = ranges.Find(*ParseIp(ip));
  if (!m) return "-";
  return m->provider + " " + m->service + " " + m->region + " " + m->prefix;
}

TEST(CloudRanges, AwsSampleMatchesServiceAndRegion) {
  auto ranges = CloudRanges::Open({TestDataPath("aws-ip-ranges-sample.json")});
  ASSERT_TRUE(ranges.ok()) << ranges.status().ToString();
  // Listed under AMAZON and EC2: the specific service wins.
  EXPECT_EQ(Where(**ranges, "18.236.73.93"), "aws EC2 us-west-2 18.236.0.0/15");
  EXPECT_EQ(Where(**ranges, "54.245.37.156"), "aws EC2 us-west-2 54.245.0.0/16");
  EXPECT_EQ(Where(**ranges, "13.32.5.5"), "aws CLOUDFRONT GLOBAL 13.32.0.0/15");
  // Only AMAZON.
  EXPECT_EQ(Where(**ranges, "3.5.141.1"), "aws AMAZON ap-northeast-2 3.5.140.0/22");
  EXPECT_EQ(Where(**ranges, "15.230.39.61"), "aws AMAZON us-east-2 15.230.39.60/31");
  EXPECT_EQ(Where(**ranges, "15.230.39.62"), "-");
  // Nested: EC2_INSTANCE_CONNECT /29 inside the EC2 /14, and around it.
  EXPECT_EQ(Where(**ranges, "18.206.107.26"), "aws EC2_INSTANCE_CONNECT us-east-1 18.206.107.24/29");
  EXPECT_EQ(Where(**ranges, "18.206.107.40"), "aws EC2 us-east-1 18.204.0.0/14");
  EXPECT_EQ(Where(**ranges, "54.243.31.200"), "aws ROUTE53_HEALTHCHECKS us-east-1 54.243.31.192/26");
  EXPECT_EQ(Where(**ranges, "54.243.32.1"), "aws EC2 us-east-1 54.242.0.0/15");
  // Not AWS (OVH, a Tor exit, private).
  EXPECT_EQ(Where(**ranges, "54.39.187.211"), "-");
  EXPECT_EQ(Where(**ranges, "23.129.64.132"), "-");
  EXPECT_EQ(Where(**ranges, "10.0.0.1"), "-");
}

TEST(CloudRanges, AwsIpv6PrefixesWithNesting) {
  auto ranges = CloudRanges::Open({TestDataPath("aws-ip-ranges-sample.json")});
  ASSERT_TRUE(ranges.ok());
  EXPECT_EQ(Where(**ranges, "2600:1f14:abc::1"), "aws EC2 us-west-2 2600:1f14::/35");
  EXPECT_EQ(Where(**ranges, "2600:1f18:7fff::1"), "aws EC2 us-east-1 2600:1f18::/33");
  // 2600:1f18:8000:: is past the /33 but inside the AMAZON /24.
  EXPECT_EQ(Where(**ranges, "2600:1f18:8000::1"), "aws AMAZON GLOBAL 2600:1f00::/24");
  EXPECT_EQ(Where(**ranges, "2600:9000:2000::1"), "aws CLOUDFRONT GLOBAL 2600:9000::/28");
  EXPECT_EQ(Where(**ranges, "2a05:d018:1::1"), "aws EC2 eu-west-1 2a05:d018::/35");
  EXPECT_EQ(Where(**ranges, "2001:db8::1"), "-");
}

TEST(CloudRanges, SeveralProvidersInOneTable) {
  auto ranges = CloudRanges::Open({TestDataPath("aws-ip-ranges-sample.json"), TestDataPath("gcp-cloud-sample.json"),
                                   TestDataPath("azure-service-tags-sample.json")});
  ASSERT_TRUE(ranges.ok()) << ranges.status().ToString();
  EXPECT_EQ(Where(**ranges, "34.1.210.1"), "gcp Google Cloud africa-south1 34.1.208.0/20");
  EXPECT_EQ(Where(**ranges, "2600:1900:8001::1"), "gcp Google Cloud africa-south1 2600:1900:8000::/44");
  // Azure: the same prefix under AzureCloud and Storage: the specific tag wins.
  EXPECT_EQ(Where(**ranges, "20.42.1.1"), "azure AzureStorage eastus 20.42.0.0/17");
  EXPECT_EQ(Where(**ranges, "40.71.10.5"), "azure AzureStorage eastus 40.71.10.0/24");
  EXPECT_EQ(Where(**ranges, "40.71.11.5"), "azure AzureCloud eastus 40.71.0.0/16");
  EXPECT_EQ(Where(**ranges, "2603:1030:211::1"), "azure AzureCloud eastus 2603:1030:210::/47");
  EXPECT_EQ(Where(**ranges, "18.236.73.93"), "aws EC2 us-west-2 18.236.0.0/15");
}

TEST(CloudRanges, BadFilesFailNamingFileLineAndEntry) {
  CloudRangeTable table;
  Status syntax = table.AddFile("{\n  \"prefixes\": [\n    {\"ip_prefix\": \"1.2.3.0/24\",,}\n  ]\n}\n", "r.json");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.message().find("r.json:3: not valid JSON"), std::string::npos) << syntax.message();

  Status bad_prefix = table.AddFile(
      "{\"createDate\": \"x\",\n \"prefixes\": [\n  {\"ip_prefix\": \"3.5.140.0/22\", \"region\": \"a\", \"service\": \"AMAZON\"},\n"
      "  {\"ip_prefix\": \"3.5.140.1/22\", \"region\": \"a\", \"service\": \"AMAZON\"}\n ]}\n",
      "r.json");
  ASSERT_FALSE(bad_prefix.ok());
  EXPECT_NE(bad_prefix.message().find("r.json:4: prefixes[1].ip_prefix: expected a CIDR prefix"), std::string::npos)
      << bad_prefix.message();

  Status other = table.AddFile("{\"hello\": 1}", "r.json");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.message().find("not an AWS ip-ranges.json"), std::string::npos);
  Status empty = table.AddFile("{\"prefixes\": [], \"ipv6_prefixes\": []}", "r.json");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.message().find("no prefixes"), std::string::npos);
  Status not_object = table.AddFile("[1,2]", "r.json");
  EXPECT_FALSE(not_object.ok());
}

TEST(CloudRanges, ReloadKeepsOldTableOnFailure) {
  ScratchDir dir;
  const std::string path =
      dir.Write("ranges.json", R"({"createDate":"x","prefixes":[{"ip_prefix":"198.51.100.0/24","region":"r1","service":"EC2"}]})");
  auto ranges = CloudRanges::Open({path});
  ASSERT_TRUE(ranges.ok());
  EXPECT_EQ(Where(**ranges, "198.51.100.9"), "aws EC2 r1 198.51.100.0/24");
  dir.Write("ranges.json",
            R"({"createDate":"x","prefixes":[{"ip_prefix":"198.51.100.0/25","region":"r2","service":"S3"}], "ipv6_prefixes": []})");
  ASSERT_TRUE((*ranges)->ChangedOnDisk());
  ASSERT_TRUE((*ranges)->Reload().ok());
  EXPECT_EQ(Where(**ranges, "198.51.100.9"), "aws S3 r2 198.51.100.0/25");
  EXPECT_EQ(Where(**ranges, "198.51.100.200"), "-");
  dir.Write("ranges.json", R"({"createDate":"x","prefixes":[{"ip_prefix":"nonsense"}]})");
  EXPECT_FALSE((*ranges)->Reload().ok());
  EXPECT_EQ(Where(**ranges, "198.51.100.9"), "aws S3 r2 198.51.100.0/25");
}

TEST(CloudRanges, MissingFileIsNotFound) {
  auto ranges = CloudRanges::Open({"/nonexistent/ip-ranges.json"});
  ASSERT_FALSE(ranges.ok());
  EXPECT_EQ(ranges.status().code(), StatusCode::kNotFound);
  EXPECT_NE(ranges.status().message().find("/nonexistent/ip-ranges.json"), std::string::npos);
}

}  // namespace
}  // namespace spacecrab::enrich
