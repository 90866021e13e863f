// JSON (Boost.JSON) encode and decode of a list of 1,000 pods shaped like Spark executors (labels,
// annotations, one container with env, resources and volume mounts, status with conditions), and
// the list path's CPU work as the API server does it: parse each stored pod, assemble the
// PodList, serialize it.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;

json::object pod(int i) {
  std::string name = "spark-pi-" + std::to_string(100000 + i) + "-exec-" + std::to_string(i);
  json::array env;
  for (const char* k : {"SPARK_USER", "SPARK_DRIVER_URL", "SPARK_EXECUTOR_CORES", "SPARK_EXECUTOR_MEMORY",
                        "SPARK_APPLICATION_ID", "SPARK_CONF_DIR", "SPARK_EXECUTOR_POD_IP", "SPARK_JAVA_OPT_0"})
    env.push_back(json::object{{"name", k}, {"value", std::string("value-of-") + k + "-" + std::to_string(i)}});
  return json::object{
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       json::object{{"name", name},
                    {"namespace", "data-science"},
                    {"uid", "3f1c2d4e-5a6b-4c7d-8e9f-" + std::to_string(100000000000 + i)},
                    {"resourceVersion", std::to_string(1000 + i)},
                    {"creationTimestamp", "2026-12-03T12:42:29Z"},
                    {"labels", json::object{{"spark-app-selector", "spark-1234567890abcdef"},
                                            {"spark-exec-id", std::to_string(i)},
                                            {"spark-role", "executor"},
                                            {"spark-version", "3.5.3"}}},
                    {"annotations", json::object{{"spark.kubernetes.io/driver", "spark-pi-driver"}}},
                    {"ownerReferences", json::array{json::object{{"apiVersion", "v1"},
                                                                 {"kind", "Pod"},
                                                                 {"name", "spark-pi-driver"},
                                                                 {"uid", "0a0b0c0d-1111-2222-3333-444455556666"},
                                                                 {"controller", true}}}}}},
      {"spec",
       json::object{{"restartPolicy", "Never"},
                    {"serviceAccountName", "spark"},
                    {"hostname", name},
                    {"containers",
                     json::array{json::object{
                         {"name", "spark-kubernetes-executor"},
                         {"image", "apache/spark:3.5.3"},
                         {"args", json::array{"executor"}},
                         {"env", env},
                         {"ports", json::array{json::object{{"name", "blockmanager"}, {"containerPort", 7079},
                                                            {"protocol", "TCP"}}}},
                         {"resources", json::object{{"limits", json::object{{"memory", "1408Mi"}}},
                                                    {"requests", json::object{{"cpu", "1"}, {"memory", "1408Mi"}}}}},
                         {"volumeMounts", json::array{json::object{{"name", "spark-local-dir-1"},
                                                                   {"mountPath", "/var/data/spark-1"}}}},
                         {"imagePullPolicy", "IfNotPresent"},
                         {"terminationMessagePath", "/dev/termination-log"}}}},
                    {"volumes", json::array{json::object{{"name", "spark-local-dir-1"}, {"emptyDir", json::object{}}}}}}},
      {"status",
       json::object{{"phase", "Pending"},
                    {"qosClass", "Burstable"},
                    {"conditions", json::array{json::object{{"type", "PodScheduled"},
                                                            {"status", "False"},
                                                            {"reason", "Unschedulable"},
                                                            {"message", "no nodes available to schedule pods"},
                                                            {"lastTransitionTime", "2026-12-03T12:42:29Z"}}}}}}};
}

json::value pod_list(int n) {
  json::array items;
  for (int i = 0; i < n; ++i) items.push_back(pod(i));
  return json::object{{"kind", "PodList"},
                      {"apiVersion", "v1"},
                      {"metadata", json::object{{"resourceVersion", "123456"}}},
                      {"items", std::move(items)}};
}

void BM_PodListEncode(benchmark::State& state) {
  json::value list = pod_list(static_cast<int>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    std::string s = json::serialize(list);
    bytes = s.size();
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["body_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_PodListEncode)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_PodListDecode(benchmark::State& state) {
  std::string text = json::serialize(pod_list(static_cast<int>(state.range(0))));
  for (auto _ : state) benchmark::DoNotOptimize(json::parse(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_PodListDecode)->Arg(1000)->Unit(benchmark::kMillisecond);

// What a list request costs in CPU outside the store: each stored pod parsed, the list built,
// the response serialized (the API server's Registry::list + its JSON response).
void BM_PodListServerPath(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  std::vector<std::string> stored;
  for (int i = 0; i < n; ++i) stored.push_back(json::serialize(pod(i)));
  json::parse_options opts;
  opts.max_depth = 100;
  for (auto _ : state) {
    json::array items;
    for (const auto& s : stored) {
      json::value v = json::parse(s, {}, opts);
      v.as_object()["metadata"].as_object()["resourceVersion"] = "1234";
      items.push_back(std::move(v));
    }
    json::object list{{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", json::object{{"resourceVersion", "1"}}},
                      {"items", std::move(items)}};
    benchmark::DoNotOptimize(json::serialize(list));
  }
}
BENCHMARK(BM_PodListServerPath)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
