// Deterministic fuzz smoke test: mutated signed requests and random bytes
// through the whole responder (the libFuzzer target in fuzz/decoy goes
// further; this runs in every build, under the sanitizers when enabled).
#include <gtest/gtest.h>

#include <random>

#include "decoy/decoy_responder.h"
#include "decoy/test_requests.h"

namespace spacecrab::decoy {
namespace {

std::string Mutate(std::string s, std::mt19937& rng) {
  std::uniform_int_distribution<int> op(0, 3), byte(0, 255);
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits; ++i) {
    const size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (op(rng)) {
      case 0:
        s.insert(at, 1, static_cast<char>(byte(rng)));
        break;
      case 1:
        if (at < s.size()) s.erase(at, 1 + rng() % 8);
        break;
      case 2:
        if (at < s.size()) s[at] = static_cast<char>(byte(rng));
        break;
      case 3:
        s.insert(
            at,
            std::string_view("%=&/;,: \r\n.,.-Credential=AKIA").substr(rng() % 20, 1 + rng() % 10));
        break;
    }
  }
  return s;
}

TEST(GarbageInput, MutatedRequestsNeverCrashAndAlwaysGetAnAnswer) {
  InMemoryKeyLookup keys;
  const DecoyKey key = testing::MakeKey(1);
  keys.Add(key);
  testing::CapturingSink sink;
  SeededRandom random(1);
  DecoyResponderOptions o;
  o.keys = &keys;
  o.records = &sink;
  o.random = &random;
  o.record_unknown_keys = true;
  DecoyResponder responder(o);

  const std::vector<IncomingRequest> seeds = {
      testing::SignedQuery(key, testing::kSecret, "sts",
                           "Action=GetCallerIdentity&Version=2011-06-15"),
      testing::SignedJson(key, testing::kSecret, "dynamodb", "DynamoDB_20120810.ListTables",
                          R"({"Limit":1})"),
      testing::SignedS3(key, testing::kSecret, "GET", "/b/k", "list-type=2&prefix=a"),
      testing::PresignedS3(key, testing::kSecret, "/b/k", std::chrono::seconds(60),
                           testing::TestTime()),
  };
  std::mt19937 rng(12345);
  int answered = 0;
  for (int i = 0; i < 20000; ++i) {
    IncomingRequest req = seeds[static_cast<size_t>(i) % seeds.size()];
    switch (rng() % 5) {
      case 0:
        req.http.path = Mutate(req.http.path, rng);
        break;
      case 1:
        req.http.query = Mutate(req.http.query, rng);
        break;
      case 2:
        if (req.body) req.body = Mutate(*req.body, rng);
        break;
      case 3: {
        auto& h = req.http.headers[rng() % req.http.headers.size()];
        h.second = Mutate(h.second, rng);
        break;
      }
      case 4: {
        auto& h = req.http.headers[rng() % req.http.headers.size()];
        h.first = Mutate(h.first, rng);
        break;
      }
    }
    const DecoyResponse r = responder.Handle(req);
    EXPECT_GE(r.status, 200);
    EXPECT_FALSE(r.request_id.empty());
    ++answered;
  }
  EXPECT_EQ(answered, 20000);
  EXPECT_GT(responder.stats().verified, 0u) << "some mutations leave the signature intact";
  EXPECT_GT(responder.stats().key_id_only, 0u);
}

TEST(GarbageInput, RandomBytesEverywhere) {
  InMemoryKeyLookup keys;
  testing::CapturingSink sink;
  DecoyResponderOptions o;
  o.keys = &keys;
  o.records = &sink;
  DecoyResponder responder(o);
  std::mt19937 rng(99);
  auto random_string = [&](size_t max) {
    std::string s(rng() % max, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
  };
  for (int i = 0; i < 5000; ++i) {
    IncomingRequest req;
    req.http.method = random_string(8);
    req.http.path = random_string(300);
    req.http.query = random_string(300);
    for (int h = 0; h < 4; ++h)
      req.http.headers.emplace_back(random_string(20), random_string(200));
    req.http.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 " + random_string(200));
    req.http.headers.emplace_back("X-Amz-Target", random_string(50));
    req.body = random_string(500);
    EXPECT_GE(responder.Handle(req).status, 200);
  }
}

}  // namespace
}  // namespace spacecrab::decoy
