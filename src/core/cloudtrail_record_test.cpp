#include "core/cloudtrail_record.h"

#include <gtest/gtest.h>

namespace spacecrab {
namespace {

TEST(CloudTrailRecord, UserNameFromArnTakesTheLastPathSegment) {
  EXPECT_EQ(UserNameFromArn("arn:aws:iam::111122223333:user/ops/m.garcia"), "m.garcia");
  EXPECT_EQ(UserNameFromArn("arn:aws:iam::111122223333:user/jenkins"), "jenkins");
  EXPECT_EQ(UserNameFromArn("arn:aws:sts::111122223333:assumed-role/r/s"), "");
  EXPECT_EQ(UserNameFromArn("not an arn"), "");
}

TEST(CloudTrailRecord, AccountIdFromArn) {
  EXPECT_EQ(AccountIdFromArn("arn:aws:iam::111122223333:user/x"), "111122223333");
  EXPECT_EQ(AccountIdFromArn("arn:aws:s3:::bucket"), "");
  EXPECT_EQ(AccountIdFromArn("garbage"), "");
}

TEST(CloudTrailRecord, ToEventCopiesFieldsAndParsesTime) {
  CloudTrailRecord r;
  r.event_id = "0f1e";
  r.event_time = "2024-03-01T10:20:30Z";
  r.event_source = "sts.amazonaws.com";
  r.event_name = "GetCallerIdentity";
  r.aws_region = "us-east-1";
  r.source_ip = "198.51.100.7";
  r.user_agent = "aws-cli/2.15";
  r.error_code = "AccessDenied";
  r.request_id = "req-1";
  const Timestamp now = FromUnixMillis(1'000);
  Event e = ToEvent(r, "tok_1", "AKIAQ", "s3", "{}", now);
  EXPECT_EQ(e.id, "0f1e");
  EXPECT_EQ(e.token_id, "tok_1");
  EXPECT_EQ(FormatRfc3339(e.event_time), "2024-03-01T10:20:30Z");
  EXPECT_EQ(e.source_ip, "198.51.100.7");
  EXPECT_EQ(e.error_code, "AccessDenied");
  EXPECT_EQ(e.origin, "s3");
  r.event_time = "yesterday";
  EXPECT_EQ(ToEvent(r, "t", "k", "s3", "{}", now).event_time, now);
}

}  // namespace
}  // namespace spacecrab
