// The hostname rules on their own: aws-iam-authenticator's STS host check per partition, and the
// host form botocore signs.
#include <gtest/gtest.h>

#include "kube/authn/sts_hosts.h"

namespace orch::kube::authn {
namespace {

bool accepted(std::string_view host, std::string_view partition = "aws", std::string_view region = "us-east-1") {
  return !check_aws_sts_host(host, partition, region).has_value();
}
std::string why(std::string_view host, std::string_view partition = "aws", std::string_view region = "us-east-1") {
  return check_aws_sts_host(host, partition, region).value_or("(accepted)");
}

TEST(StsHosts, AwsPartition) {
  EXPECT_TRUE(accepted("sts.amazonaws.com"));
  EXPECT_TRUE(accepted("sts.us-east-1.amazonaws.com"));
  EXPECT_TRUE(accepted("sts.ap-southeast-2.amazonaws.com"));
  EXPECT_TRUE(accepted("sts-fips.us-east-2.amazonaws.com"));
  EXPECT_TRUE(accepted("sts.eu-central-1.api.aws"));
  EXPECT_TRUE(accepted("sts-fips.us-west-2.api.aws"));
  // Unknown regions fall back to the aws partition's names (a weakness the authenticator keeps).
  EXPECT_TRUE(accepted("sts.not-a-region.amazonaws.com"));
  // GovCloud names use the same domain, so they pass in the aws partition too.
  EXPECT_TRUE(accepted("sts.us-gov-west-1.amazonaws.com"));

  EXPECT_EQ(why("sts.cn-north-1.amazonaws.com.cn"),
            "partition {aws} does not support hostname sts.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(why("google.com"),
            "could not parse region for pre-signed URL \"google.com\", invalid host format: \"google.com\"");
  EXPECT_EQ(why("www.google.com"), "unexpected hostname \"www.google.com\" in pre-signed URL");
  EXPECT_EQ(why("sts.amazonaws.com.evil.com"), "unexpected hostname \"sts.amazonaws.com.evil.com\" in pre-signed URL");
  EXPECT_EQ(why("sts.us-east-1.amazonaws.com:443"),
            "unexpected hostname \"sts.us-east-1.amazonaws.com:443\" in pre-signed URL");
  EXPECT_EQ(why("amazonaws.com"),
            "could not parse region for pre-signed URL \"amazonaws.com\", invalid host format: \"amazonaws.com\"");
  EXPECT_EQ(why(""), "could not parse region for pre-signed URL \"\", host is empty");
  EXPECT_EQ(why("sts.-bad-.amazonaws.com"), "invalid region identifier format provided: \"-bad-\"");
  EXPECT_EQ(why("sts..amazonaws.com"), "invalid region identifier format provided: \"\"");
  EXPECT_FALSE(accepted("sts.us-east-1.amazonaws.com."));
  EXPECT_FALSE(accepted("STS.US-EAST-1.AMAZONAWS.COM"));
  EXPECT_FALSE(accepted("sts-fips.us-gov-west-1.amazonaws.com"));  // GovCloud's FIPS name is sts.<region>
  EXPECT_FALSE(accepted("sts.aws-global.amazonaws.com"));          // aws-global resolves to sts.amazonaws.com
}

TEST(StsHosts, OtherPartitions) {
  EXPECT_TRUE(accepted("sts.cn-north-1.amazonaws.com.cn", "aws-cn", "cn-north-1"));
  EXPECT_TRUE(accepted("sts.cn-northwest-1.api.amazonwebservices.com.cn", "aws-cn", "cn-north-1"));
  EXPECT_EQ(why("sts.amazonaws.com", "aws-cn", "cn-north-1"), "global endpoint unsupported in partition aws-cn");
  EXPECT_FALSE(accepted("sts.us-east-1.amazonaws.com", "aws-cn", "cn-north-1"));

  EXPECT_TRUE(accepted("sts.us-gov-west-1.amazonaws.com", "aws-us-gov", "us-gov-west-1"));
  EXPECT_TRUE(accepted("sts.us-gov-east-1.api.aws", "aws-us-gov", "us-gov-west-1"));
  EXPECT_TRUE(accepted("sts.us-iso-east-1.c2s.ic.gov", "aws-iso", "us-iso-east-1"));
  EXPECT_TRUE(accepted("sts.us-isob-east-1.sc2s.sgov.gov", "aws-iso-b", "us-isob-east-1"));
  EXPECT_TRUE(accepted("sts.eu-isoe-west-1.cloud.adc-e.uk", "aws-iso-e", "eu-isoe-west-1"));
  EXPECT_TRUE(accepted("sts.us-isof-south-1.csp.hci.ic.gov", "aws-iso-f", "us-isof-south-1"));
  EXPECT_TRUE(accepted("sts.eusc-de-east-1.amazonaws.eu", "aws-eusc", "eusc-de-east-1"));

  // New regions that match the partition's pattern resolve on their own.
  EXPECT_TRUE(accepted("sts.cn-future-9.amazonaws.com.cn", "aws-cn", "cn-north-1"));
  // A region no pattern places in the partition: only as the verifier's own region.
  EXPECT_TRUE(accepted("sts.xx-new-1.amazonaws.com.cn", "aws-cn", "xx-new-1"));
  EXPECT_FALSE(accepted("sts.xx-new-1.amazonaws.com.cn", "aws-cn", "cn-north-1"));

  EXPECT_FALSE(accepted("sts.amazonaws.com", "", "us-east-1"));
  EXPECT_FALSE(accepted("sts.us-east-1.amazonaws.com", "aws-moon", "us-east-1"));
}

TEST(StsHosts, SignedHostIsWhatBotocoreSigns) {
  EXPECT_EQ(signed_host("127.0.0.1:9443"), "127.0.0.1:9443");
  EXPECT_EQ(signed_host("Orch.Example:443"), "orch.example");
  EXPECT_EQ(signed_host("orch.example:"), "orch.example");
  EXPECT_EQ(signed_host("orch.example:09443"), "orch.example:9443");
  EXPECT_EQ(signed_host("sts.amazonaws.com"), "sts.amazonaws.com");
  EXPECT_EQ(signed_host("[::1]:9443"), "[::1]:9443");
  EXPECT_EQ(signed_host("[FE80::1]"), "[fe80::1]");
  EXPECT_EQ(signed_host(""), std::nullopt);
  EXPECT_EQ(signed_host(":9443"), std::nullopt);
  EXPECT_EQ(signed_host("user@host"), std::nullopt);
  EXPECT_EQ(signed_host("host:port"), std::nullopt);
  EXPECT_EQ(signed_host("host:99999"), std::nullopt);
  EXPECT_EQ(signed_host("host:1:2"), std::nullopt);
  EXPECT_EQ(signed_host("[::1"), std::nullopt);
  EXPECT_EQ(signed_host("[::1]x"), std::nullopt);
  EXPECT_EQ(signed_host("ho st"), std::nullopt);
}

TEST(StsHosts, EndpointHost) {
  EXPECT_EQ(endpoint_host("https://127.0.0.1:9443"), "127.0.0.1:9443");
  EXPECT_EQ(endpoint_host("HTTPS://Orch.Example:443/"), "orch.example");
  EXPECT_EQ(endpoint_host("https://orch.example/prefix?x#y"), "orch.example");
  EXPECT_EQ(endpoint_host("http://127.0.0.1:9443"), std::nullopt);
  EXPECT_EQ(endpoint_host("https://"), std::nullopt);
  EXPECT_EQ(endpoint_host("127.0.0.1:9443"), std::nullopt);
}

}  // namespace
}  // namespace orch::kube::authn
