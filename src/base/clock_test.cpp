#include "base/clock.h"

#include <gtest/gtest.h>

using namespace orch::clock;

TEST(Clock, FormatsAndParsesAmzDate) {
  EXPECT_EQ(amz_date(1440938160), "20150830T123600Z");
  EXPECT_EQ(iso8601(1440938160), "2015-08-30T12:36:00Z");
  EXPECT_EQ(parse_amz_date("20150830T123600Z"), 1440938160);
  EXPECT_FALSE(parse_amz_date("20150830T123600"));
  EXPECT_FALSE(parse_amz_date("20150231T123600Z"));
}

TEST(Clock, ParsesIso8601Forms) {
  EXPECT_EQ(parse_iso8601("2015-08-30T12:36:00Z"), 1440938160);
  EXPECT_EQ(parse_iso8601("2015-08-30T12:36:00.123Z"), 1440938160);
  EXPECT_EQ(parse_iso8601("2015-08-30T14:36:00+02:00"), 1440938160);
  EXPECT_EQ(parse_iso8601("2015-08-30"), 1440892800);
  EXPECT_FALSE(parse_iso8601("yesterday"));
}

TEST(Clock, ParsesHttpDate) {
  EXPECT_EQ(parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"), 1440938160);
  EXPECT_FALSE(parse_http_date("Sun, 30 Aug 2015 12:36:00 PST"));
}
