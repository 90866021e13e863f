#include "apimachinery/protobuf/known_fields.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using orch::kubeproto::unknown_fields;
namespace json = boost::json;

TEST(KnownFields, AValidPodHasNone) {
  auto pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},
    "spec":{"containers":[{"name":"c","image":"busybox","env":[{"name":"X","value":"1"}],
    "resources":{"limits":{"memory":"1Gi"}}}],"volumes":[{"name":"v","emptyDir":{}}],"restartPolicy":"Never"}})").as_object();
  EXPECT_TRUE(unknown_fields("v1", "Pod", pod).empty());
}

TEST(KnownFields, ReportsPathsInDocumentOrder) {
  auto pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","nmae":"x"},
    "spec":{"foo":1,"containers":[{"name":"c","imagee":"busybox"}]}})").as_object();
  EXPECT_EQ(unknown_fields("v1", "Pod", pod),
            (std::vector<std::string>{"metadata.nmae", "spec.foo", "spec.containers[0].imagee"}));
}

TEST(KnownFields, InlineStructsAndMapsAndUnknownKinds) {
  // Volume embeds VolumeSource inline: its members are the volume's own.
  auto pod = json::parse(R"({"spec":{"volumes":[{"name":"v","configMap":{"name":"c","bogus":true}}]}})").as_object();
  EXPECT_EQ(unknown_fields("v1", "Pod", pod), (std::vector<std::string>{"spec.volumes[0].configMap.bogus"}));
  auto cm = json::parse(R"({"data":{"any-key":"v"},"binaryData":{"k":"YQ=="}})").as_object();
  EXPECT_TRUE(unknown_fields("v1", "ConfigMap", cm).empty());
  EXPECT_TRUE(unknown_fields("example.com/v1", "Widget", cm).empty());
}
