// Micro-benchmark of ingest's per-byte stages on one CloudTrail log file held
// in memory: gunzip (by output piece size), the caller pre-filter, the
// structure check, and the three together as `Detector::Decode` runs them;
// beside them libdeflate's whole-buffer gunzip, the decoder behind the
// benchmark's floor (`libdeflate-gunzip`).
// Figures are bytes of JSON per second. Reading the file from disk, parsing
// the few selected records and recording detections are not in it; see
// bench/ingest/run_bench.py for the whole command.
//   cmake --build BUILD --target ingest_bench && BUILD/src/ingest/ingest_bench
// The file is generated (1.6 MB of JSON like the bench corpus: IAM users,
// assumed roles, AWS services; gzip level 6, as CloudTrail's), or taken from
// SPACECRAB_BENCH_FILE (a .json.gz).
#include <benchmark/benchmark.h>
#include <libdeflate.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/key_matcher.h"
#include "ingest/caller_scanner.h"
#include "ingest/gzip_decoder.h"
#include "ingest/limits.h"
#include "ingest/padded_buffer.h"
#include "ingest/structure_scanner.h"
#include "ingest/test_support.h"

namespace spacecrab::ingest {
namespace {

constexpr size_t kReadChunk = 1 << 20;  // as Detector reads files

uint64_t Next(uint64_t& s) {  // splitmix64
  uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string Base32(uint64_t& s, size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kAlphabet[Next(s) % 32];
  return out;
}

std::string Hex(uint64_t& s, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kDigits[Next(s) % 16];
  return out;
}

std::string GeneratedTrail() {
  uint64_t s = 42;
  std::string text = "{\"Records\":[";
  for (int i = 0; text.size() < 1'600'000; ++i) {
    if (i > 0) text += ',';
    const std::string tail = "\"eventTime\":\"2024-05-03T02:43:49Z\",\"eventSource\":\"sts.amazonaws.com\","
                             "\"eventName\":\"AssumeRole\",\"awsRegion\":\"eu-west-1\",\"sourceIPAddress\":\"145.101." +
                             std::to_string(Next(s) % 256) + "." + std::to_string(Next(s) % 256) +
                             "\",\"userAgent\":\"aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1\","
                             "\"requestParameters\":{\"bucketName\":\"data-" + std::to_string(Next(s) % 400) +
                             "\",\"key\":\"path/" + Hex(s, 32) + ".parquet\",\"maxResults\":917},"
                             "\"responseElements\":null,\"requestID\":\"" + Hex(s, 32) + "\",\"eventID\":\"" +
                             Hex(s, 32) + "\",\"readOnly\":false,\"eventType\":\"AwsApiCall\","
                             "\"managementEvent\":true,\"recipientAccountId\":\"999988887777\","
                             "\"eventCategory\":\"Management\",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\","
                             "\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":"
                             "\"sts.eu-west-1.amazonaws.com\"}}";
    switch (Next(s) % 3) {
      case 0: {
        const std::string user = "user-" + std::to_string(Next(s) % 50);
        text += "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDA" +
                Base32(s, 16) + "\",\"arn\":\"arn:aws:iam::999988887777:user/" + user +
                "\",\"accountId\":\"999988887777\",\"userName\":\"" + user + "\",\"accessKeyId\":\"AKIA" +
                Base32(s, 16) + "\"}," + tail;
        break;
      }
      case 1:
        text += "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"AWSService\",\"invokedBy\":"
                "\"lambda.amazonaws.com\"}," + tail;
        break;
      default:
        text += "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":"
                "\"AROAEXAMPLE:svc\",\"arn\":\"arn:aws:sts::999988887777:assumed-role/app-role/svc\","
                "\"accountId\":\"999988887777\",\"accessKeyId\":\"ASIA" + Base32(s, 16) +
                "\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"userName\":\"app-role\","
                "\"arn\":\"arn:aws:iam::999988887777:role/app-role\",\"accountId\":\"999988887777\"},"
                "\"attributes\":{\"creationDate\":\"2024-05-01T00:00:00Z\",\"mfaAuthenticated\":\"false\"}}}," +
                tail;
    }
  }
  return text + "]}";
}

struct Input {
  std::string gz;
  PaddedBuffer text;
};

const Input& TheInput() {
  static const Input* input = [] {
    auto* in = new Input;
    if (const char* path = std::getenv("SPACECRAB_BENCH_FILE")) {
      std::ifstream f(path, std::ios::binary);
      in->gz.assign(std::istreambuf_iterator<char>(f), {});
    } else {
      in->gz = testing::GzipBytes(GeneratedTrail());
    }
    if (Status s = Gunzip(in->gz, size_t{1} << 30, in->text); !s.ok()) throw std::runtime_error(s.ToString());
    return in;
  }();
  return *input;
}

// 10,000 tokens, none of them in the file: every candidate is rejected, as
// for nearly all of a real trail.
const KeyIndex& TheIndex() {
  static const KeyIndex* index = [] {
    uint64_t s = 7;
    std::vector<IndexedKey> keys;
    for (int i = 0; i < 10'000; ++i)
      keys.push_back(IndexedKey{"AKIA" + Base32(s, 16), "tok_" + std::to_string(i), "111122223333",
                                "svc-" + std::to_string(i), TokenKind::kAws, TokenStatus::kActive});
    return new KeyIndex(keys);
  }();
  return *index;
}

void Feed(GzipDecoder& decoder, const std::string& gz, PaddedBuffer& out, const GzipDecoder::OnOutput& on_output) {
  for (size_t at = 0; at < gz.size(); at += kReadChunk) {
    const size_t n = std::min(kReadChunk, gz.size() - at);
    if (!decoder.Feed(std::span(reinterpret_cast<const uint8_t*>(gz.data() + at), n), out, on_output).ok())
      throw std::runtime_error("inflate");
  }
  if (!decoder.Finish().ok()) throw std::runtime_error("inflate");
}

void BM_Inflate(benchmark::State& state) {
  const Input& in = TheInput();
  GzipDecoder decoder(size_t{1} << 30, size_t(state.range(0)) * 1024);
  PaddedBuffer out;
  out.Reserve(in.text.size());
  for (auto _ : state) {
    decoder.Reset();
    out.Clear();
    Feed(decoder, in.gz, out, {});
  }
  state.SetBytesProcessed(int64_t(state.iterations() * in.text.size()));
}
BENCHMARK(BM_Inflate)->ArgName("piece_kib")->Arg(128)->Arg(512)->Arg(1024)->Arg(4096);

// The floor's decoder on the same bytes, whole buffer in, whole buffer out.
void BM_LibdeflateGunzip(benchmark::State& state) {
  const Input& in = TheInput();
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  std::string out(in.text.size(), '\0');
  for (auto _ : state) {
    size_t n = 0;
    if (libdeflate_gzip_decompress(d, in.gz.data(), in.gz.size(), out.data(), out.size(), &n) != LIBDEFLATE_SUCCESS)
      throw std::runtime_error("libdeflate");
    benchmark::DoNotOptimize(out.data());
  }
  libdeflate_free_decompressor(d);
  state.SetBytesProcessed(int64_t(state.iterations() * in.text.size()));
}
BENCHMARK(BM_LibdeflateGunzip);

void BM_CallerScan(benchmark::State& state) {
  const std::string_view text = TheInput().text.view();
  CallerScanner scanner(TheIndex());
  std::vector<size_t> hits;
  for (auto _ : state) {
    hits.clear();
    scanner.Scan(text, 0, text.size(), hits);
    benchmark::DoNotOptimize(hits.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations() * text.size()));
}
BENCHMARK(BM_CallerScan);

void BM_StructureScan(benchmark::State& state) {
  const std::string_view text = TheInput().text.view();
  StructureScanner scanner{IngestLimits{}};
  for (auto _ : state) {
    scanner.Reset();
    scanner.Scan(text);
    if (!scanner.Finish(text)) throw std::runtime_error("structure");
  }
  state.SetBytesProcessed(int64_t(state.iterations() * text.size()));
}
BENCHMARK(BM_StructureScan);

// Gunzip with both scans on each piece, as Detector::Decode does (its loop,
// restated here because Detector's piece size is fixed and this one varies).
void BM_DecodeAndScan(benchmark::State& state) {
  const Input& in = TheInput();
  GzipDecoder decoder(size_t{1} << 30, size_t(state.range(0)) * 1024);
  StructureScanner structure{IngestLimits{}};
  CallerScanner caller(TheIndex());
  PaddedBuffer out;
  out.Reserve(in.text.size());
  std::vector<size_t> hits;
  for (auto _ : state) {
    decoder.Reset();
    structure.Reset();
    out.Clear();
    hits.clear();
    size_t scanned = 0;
    Feed(decoder, in.gz, out, [&](const PaddedBuffer& buf) {
      structure.Scan(buf.view());
      if (buf.size() > CallerScanner::kLookahead + scanned) {
        const size_t upto = buf.size() - CallerScanner::kLookahead;
        caller.Scan(buf.view(), scanned, upto, hits);
        scanned = upto;
      }
    });
    caller.Scan(out.view(), scanned, out.size(), hits);
    if (!structure.Finish(out.view())) throw std::runtime_error("structure");
  }
  state.SetBytesProcessed(int64_t(state.iterations() * in.text.size()));
}
BENCHMARK(BM_DecodeAndScan)->ArgName("piece_kib")->Arg(128)->Arg(512)->Arg(1024)->Arg(4096);

}  // namespace
}  // namespace spacecrab::ingest

BENCHMARK_MAIN();
