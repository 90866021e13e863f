#include <gtest/gtest.h>

#include "aws/error.h"
#include "aws/protocol/form.h"
#include "aws/protocol/params.h"

using namespace orch::aws;

TEST(Form, DecodesPlusAndPercent) {
  auto f = parse_form("Action=CreateUser&UserName=Bob+Smith&Path=%2Fdivision%2F&Empty=&Flag");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->size(), 5u);
  EXPECT_EQ((*f)[1].second, "Bob Smith");
  EXPECT_EQ((*f)[2].second, "/division/");
  EXPECT_EQ((*f)[3].second, "");
  EXPECT_EQ((*f)[4].first, "Flag");
}

TEST(Form, RejectsBrokenEscapes) {
  EXPECT_FALSE(parse_form("a=%4"));
  EXPECT_FALSE(parse_form("a=%"));
  EXPECT_FALSE(parse_form("a=%zz"));
}

TEST(Form, PercentEncodeUsesPercent20) {
  EXPECT_EQ(percent_encode("{\"a\": \"b/c+d\"}"), "%7B%22a%22%3A%20%22b%2Fc%2Bd%22%7D");
}

TEST(Form, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("h\xc3\xa9llo"));
  EXPECT_FALSE(valid_utf8("\xc3"));
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST(Params, ValidationMessagesInAwsWords) {
  Params p({{"UserName", "a:b"}, {"RoleSessionName", std::string(65, 'x')}});
  try {
    p.required("UserName", rules::kUserName);
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code, "ValidationError");
    EXPECT_STREQ(e.what(),
                 "1 validation error detected: Value 'a:b' at 'userName' failed to satisfy constraint: Member must "
                 "satisfy regular expression pattern: [\\w+=,.@-]+");
  }
  try {
    p.required("RoleSessionName", Rule{2, 64, Pattern::SessionName});
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_NE(std::string(e.what()).find("Member must have length less than or equal to 64"), std::string::npos);
  }
  try {
    p.required("GroupName", rules::kGroupName);
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_NE(std::string(e.what()).find("Value null at 'groupName' failed to satisfy constraint: Member must not be null"),
              std::string::npos);
  }
}

TEST(Params, Patterns) {
  EXPECT_TRUE(matches("/", Pattern::Path));
  EXPECT_TRUE(matches("/a/b/", Pattern::Path));
  EXPECT_FALSE(matches("/a", Pattern::Path));
  EXPECT_FALSE(matches("//", Pattern::Path));
  EXPECT_TRUE(matches("/a/", Pattern::PolicyPath));
  EXPECT_FALSE(matches("/a//", Pattern::PolicyPath));
  EXPECT_TRUE(matches("v12", Pattern::VersionId));
  EXPECT_FALSE(matches("v0", Pattern::VersionId));
  EXPECT_TRUE(matches("alice@example.com", Pattern::Email));
  EXPECT_FALSE(matches("alice@example", Pattern::Email));
  EXPECT_TRUE(matches("team 1:x/y=z+w-@", Pattern::TagKey));
  EXPECT_FALSE(matches("bad*key", Pattern::TagKey));
}

TEST(Params, ListsAndEmptyLists) {
  Params p({{"TagKeys.member.1", "a"}, {"TagKeys.member.2", "b"}, {"Other", ""}});
  EXPECT_EQ(p.list("TagKeys", Rule{1, 128}).size(), 2u);
  EXPECT_TRUE(p.list("Other", Rule{}).empty());
}
