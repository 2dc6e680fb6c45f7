// Micro-benchmark: the cost of enriching one event, for the ingestion
// benchmark to quote. Uses Debian's Tor GeoIP files, the AWS ranges sample,
// the Tor exit sample and a generated ASN .mmdb; user agents are the real
// ones from tests/data/enrich/user-agents.tsv.
//   cmake --build BUILD --target enrich_bench && BUILD/src/enrich/enrich_bench
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "enrich/enricher.h"
#include "enrich/mmdb_test_writer.h"
#include "enrich/tor_geoip.h"

namespace spacecrab::enrich {
namespace {

std::string DataPath(const std::string& name) { return std::string(SPACECRAB_ENRICH_TEST_DATA) + "/" + name; }

std::vector<std::string> UserAgents() {
  std::vector<std::string> out;
  std::ifstream in(DataPath("user-agents.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line.substr(0, line.find('\t')));
  }
  return out;
}

// A spread of public addresses: cloud, Tor, residential, IPv6.
const std::vector<std::string>& SourceIps() {
  static const std::vector<std::string> ips = {
      "18.236.73.93",   "54.245.37.156", "23.129.64.132",   "112.215.151.218", "37.120.131.157",
      "54.39.187.211",  "8.8.8.8",       "193.0.6.139",     "81.2.69.142",     "200.160.2.3",
      "2600:1f14::1",   "2a01:4f8::1",   "2001:67c:2e8:22::c100:68b", "2001:4860:4860::8888"};
  return ips;
}

std::string MmdbPath() {
  static const std::string path = [] {
    const std::string p = (std::filesystem::temp_directory_path() / "enrich-bench-asn.mmdb").string();
    std::vector<testing::MmdbTestNetwork> nets;
    // ~4k networks so the tree has realistic depth.
    for (int a = 1; a < 224; ++a) {
      for (int b = 0; b < 256; b += 16) {
        nets.push_back({std::to_string(a) + "." + std::to_string(b) + ".0.0/12",
                        {{"autonomous_system_number", 64512 + a}, {"autonomous_system_organization", "AS-" + std::to_string(a)}}});
      }
    }
    nets.push_back({"2600:1f00::/24", {{"autonomous_system_number", 16509}, {"autonomous_system_organization", "AMAZON-02"}}});
    testing::MmdbTestOptions o;
    o.record_size = 28;
    (void)testing::WriteTestMmdb(p, nets, o);
    return p;
  }();
  return path;
}

std::unique_ptr<Enricher> MakeEnricher(bool mmdb, bool tor_geoip, bool exits, bool cloud) {
  EnricherOptions o;
  if (mmdb) o.geoip_db = {MmdbPath()};
  if (tor_geoip) {
    o.tor_geoip_v4 = std::string(kDebianTorGeoIpV4);
    o.tor_geoip_v6 = std::string(kDebianTorGeoIpV6);
  }
  if (exits) o.tor_exit_list = DataPath("tor-exit-addresses.txt");
  if (cloud) o.cloud_ranges = {DataPath("aws-ip-ranges-sample.json")};
  auto e = Enricher::Create(o);
  if (!e.ok()) return nullptr;
  return std::move(e).value();
}

void RunEnrich(benchmark::State& state, const Enricher* enricher, bool to_json) {
  if (enricher == nullptr) {
    state.SkipWithError("enricher failed to load");
    return;
  }
  const auto uas = UserAgents();
  const auto& ips = SourceIps();
  size_t i = 0;
  for (auto _ : state) {
    const Enrichment e = enricher->Enrich(ips[i % ips.size()], uas[i % uas.size()]);
    if (to_json) {
      std::string json = EnrichmentToJson(e);
      benchmark::DoNotOptimize(json);
    } else {
      benchmark::DoNotOptimize(e);
    }
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EnrichAllSources(benchmark::State& state) {
  static const auto enricher = MakeEnricher(true, true, true, true);
  RunEnrich(state, enricher.get(), false);
}
BENCHMARK(BM_EnrichAllSources);

void BM_EnrichAllSourcesToJson(benchmark::State& state) {
  static const auto enricher = MakeEnricher(true, true, true, true);
  RunEnrich(state, enricher.get(), true);
}
BENCHMARK(BM_EnrichAllSourcesToJson);

void BM_EnrichDefaultConfig(benchmark::State& state) {  // Tor GeoIP + user agent only
  static const auto enricher = MakeEnricher(false, true, false, false);
  RunEnrich(state, enricher.get(), false);
}
BENCHMARK(BM_EnrichDefaultConfig);

void BM_EnrichNothingConfigured(benchmark::State& state) {  // user agent only
  static const auto enricher = MakeEnricher(false, false, false, false);
  RunEnrich(state, enricher.get(), false);
}
BENCHMARK(BM_EnrichNothingConfigured);

void BM_ClassifyUserAgent(benchmark::State& state) {
  const auto uas = UserAgents();
  size_t i = 0;
  for (auto _ : state) {
    ToolInfo t = ClassifyUserAgent(uas[i++ % uas.size()]);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClassifyUserAgent);

void BM_MmdbLookup(benchmark::State& state) {
  static const auto enricher = MakeEnricher(true, false, false, false);
  const auto& ips = SourceIps();
  size_t i = 0;
  for (auto _ : state) {
    Enrichment e = enricher->Enrich(ips[i++ % ips.size()], "");
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(BM_MmdbLookup);

void BM_LoadTorGeoIpFiles(benchmark::State& state) {  // start-up / reload cost
  for (auto _ : state) {
    auto geo = TorGeoIp::Open({std::string(kDebianTorGeoIpV4), std::string(kDebianTorGeoIpV6)});
    benchmark::DoNotOptimize(geo);
  }
}
BENCHMARK(BM_LoadTorGeoIpFiles)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace spacecrab::enrich

BENCHMARK_MAIN();
