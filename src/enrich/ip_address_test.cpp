#include "enrich/ip_address.h"

#include <gtest/gtest.h>

#include "enrich/range_table.h"

namespace spacecrab::enrich {
namespace {

TEST(IpAddress, ParsesIpv4AsNumber) {
  auto ip = ParseIp("192.0.2.1");
  ASSERT_TRUE(ip);
  EXPECT_TRUE(ip->is_v4);
  EXPECT_EQ(ip->v4, 0xC0000201u);
  EXPECT_EQ(FormatIp(*ip), "192.0.2.1");
}

TEST(IpAddress, ParsesIpv6AndFormatsCanonically) {
  auto ip = ParseIp("2001:0db8:0000:0000:0000:0000:0000:0001");
  ASSERT_TRUE(ip);
  EXPECT_FALSE(ip->is_v4);
  EXPECT_EQ(ip->v6.hi, 0x20010db800000000ull);
  EXPECT_EQ(ip->v6.lo, 1u);
  EXPECT_EQ(FormatIp(*ip), "2001:db8::1");
}

TEST(IpAddress, Ipv4MappedIpv6ReadsAsIpv4) {
  auto ip = ParseIp("::ffff:198.51.100.7");
  ASSERT_TRUE(ip);
  EXPECT_TRUE(ip->is_v4);
  EXPECT_EQ(FormatIp(*ip), "198.51.100.7");
}

TEST(IpAddress, ToleratesSpacesAndBrackets) {
  EXPECT_TRUE(ParseIp("  10.1.2.3 \r\n"));
  auto ip = ParseIp("[2001:db8::5]");
  ASSERT_TRUE(ip);
  EXPECT_FALSE(ip->is_v4);
}

TEST(IpAddress, RejectsServiceNamesAndGarbage) {
  for (const char* text : {"", "AWS Internal", "ec2.amazonaws.com", "1.2.3", "1.2.3.4.5", "256.1.1.1",
                           "1.2.3.4:443", "fe80::1%eth0", "2001:db8::g", "::ffff:1.2.3.4.5",
                           "0123456789012345678901234567890123456789012345678"}) {
    EXPECT_FALSE(ParseIp(text)) << text;
  }
}

TEST(IpPrefix, ParsesAndContains) {
  auto p = ParsePrefix("18.236.0.0/15");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->length, 15);
  EXPECT_TRUE(p->Contains(*ParseIp("18.236.73.93")));
  EXPECT_TRUE(p->Contains(*ParseIp("18.237.255.255")));
  EXPECT_FALSE(p->Contains(*ParseIp("18.238.0.0")));
  EXPECT_FALSE(p->Contains(*ParseIp("2600:1f14::1")));
  EXPECT_EQ(FormatIp(p->Last()), "18.237.255.255");
  EXPECT_EQ(FormatPrefix(*p), "18.236.0.0/15");
}

TEST(IpPrefix, Ipv6PrefixesAcrossTheHalfBoundary) {
  auto p33 = ParsePrefix("2600:1f18::/33");
  ASSERT_TRUE(p33);
  EXPECT_EQ(FormatIp(p33->Last()), "2600:1f18:7fff:ffff:ffff:ffff:ffff:ffff");
  auto p64 = ParsePrefix("2001:db8:1:2::/64");
  ASSERT_TRUE(p64);
  EXPECT_EQ(FormatIp(p64->Last()), "2001:db8:1:2:ffff:ffff:ffff:ffff");
  auto p96 = ParsePrefix("2001:db8::/96");
  ASSERT_TRUE(p96);
  EXPECT_EQ(FormatIp(p96->Last()), "2001:db8::ffff:ffff");
  auto p0 = ParsePrefix("::/0");
  ASSERT_TRUE(p0);
  EXPECT_TRUE(p0->Contains(*ParseIp("2a05:d018::1")));
}

TEST(IpPrefix, RejectsHostBitsAndBadLengths) {
  EXPECT_FALSE(ParsePrefix("10.0.0.1/8"));
  EXPECT_FALSE(ParsePrefix("2001:db8::1/64"));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/33"));
  EXPECT_FALSE(ParsePrefix("2001:db8::/129"));
  EXPECT_FALSE(ParsePrefix("10.0.0.0"));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/x"));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/-1"));
  EXPECT_TRUE(ParsePrefix("10.0.0.0/8"));
  EXPECT_TRUE(ParsePrefix("0.0.0.0/0"));
  EXPECT_TRUE(ParsePrefix("192.0.2.7/32"));
}

TEST(RangeTable, FindsTheRangeHoldingAKeyAndNothingInGaps) {
  RangeTable<uint32_t, int> table({{10, 19, 1}, {20, 20, 2}, {30, 39, 3}});
  EXPECT_EQ(table.Find(9), nullptr);
  EXPECT_EQ(*table.Find(10), 1);
  EXPECT_EQ(*table.Find(19), 1);
  EXPECT_EQ(*table.Find(20), 2);
  EXPECT_EQ(table.Find(25), nullptr);
  EXPECT_EQ(*table.Find(39), 3);
  EXPECT_EQ(table.Find(40), nullptr);
}

TEST(PrefixTable, MostSpecificNestedPrefixWins) {
  using Table = PrefixTable<uint32_t, int>;
  auto prefix = [](const char* cidr, int value) {
    auto p = ParsePrefix(cidr);
    return Table::Prefix{p->first.v4, p->Last().v4, p->length, value};
  };
  Table table({prefix("10.0.0.0/8", 8), prefix("10.1.0.0/16", 16), prefix("10.1.2.0/24", 24),
               prefix("10.1.3.0/24", 243), prefix("11.0.0.0/8", 11)});
  auto at = [&](const char* ip) {
    const auto* p = table.Find(ParseIp(ip)->v4);
    return p ? p->value : -1;
  };
  EXPECT_EQ(at("9.255.255.255"), -1);
  EXPECT_EQ(at("10.0.0.1"), 8);
  EXPECT_EQ(at("10.1.0.1"), 16);
  EXPECT_EQ(at("10.1.2.200"), 24);
  EXPECT_EQ(at("10.1.3.200"), 243);
  // After a nested /24, the lookup must climb back to the enclosing /16.
  EXPECT_EQ(at("10.1.4.1"), 16);
  // And after the /16, to the /8.
  EXPECT_EQ(at("10.200.0.1"), 8);
  EXPECT_EQ(at("11.2.3.4"), 11);
  EXPECT_EQ(at("12.0.0.0"), -1);
}

}  // namespace
}  // namespace spacecrab::enrich
