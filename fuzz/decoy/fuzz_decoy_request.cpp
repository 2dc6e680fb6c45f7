// libFuzzer target: one raw HTTP request (request line, header lines, blank
// line, body) through the decoy endpoint's whole request path -- SigV4/SigV2
// parsing, canonicalisation and verification against a known key, operation
// identification, the AWS response and the CloudTrail-shaped record.
//
// Input format (what the seeds look like):
//   METHOD TARGET\n
//   Name: value\n ... \n
//   \n
//   body bytes
// Seeds are requests the AWS CLI / boto3 actually sent for the key below.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decoy/decoy_responder.h"

namespace {

using namespace spacecrab;

class DiscardingSink final : public decoy::DecoyRecordSink {
 public:
  void Deliver(decoy::DecoyRecord record) override {
    // Touch the record so its construction cannot be optimised away.
    volatile size_t n = record.json.size() + record.event.raw_json.size();
    (void)n;
  }
};

struct Fixture {
  Fixture() : random(1) {
    decoy::DecoyKey key;
    key.token_id = "tok_fuzz";
    key.access_key_id = "AKIAQYLPMN5HHHFPZAM2";
    key.account_id = "123456789012";
    key.user_name = "svc-backup-prod";
    key.arn = "arn:aws:iam::123456789012:user/svc-backup-prod";
    key.secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    keys.Add(key);
    decoy::DecoyResponderOptions o;
    o.keys = &keys;
    o.records = &sink;
    o.random = &random;
    o.clock = &clock;
    o.endpoint_hosts = {"storage.example"};
    o.record_unknown_keys = true;
    responder = std::make_unique<decoy::DecoyResponder>(o);
  }
  decoy::InMemoryKeyLookup keys;
  DiscardingSink sink;
  SeededRandom random;
  ManualClock clock{FromUnixMillis(1704449472000)};  // 2024-01-05T10:11:12Z
  std::unique_ptr<decoy::DecoyResponder> responder;
};

std::string_view NextLine(std::string_view& in) {
  const size_t nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  decoy::IncomingRequest req;
  const std::string_view first = NextLine(in);
  const size_t space = first.find(' ');
  req.http.method = std::string(first.substr(0, space));
  const std::string_view target =
      space == std::string_view::npos ? std::string_view() : first.substr(space + 1);
  const size_t q = target.find('?');
  req.http.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) req.http.query = std::string(target.substr(q + 1));
  while (!in.empty()) {
    const std::string_view line = NextLine(in);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.http.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  // Half the time pretend the body was too large to read.
  if (!req.http.method.empty() && (req.http.method[0] & 1)) {
    req.body_bytes = in.size();
  } else {
    req.body = std::string(in);
    req.body_bytes = in.size();
  }
  req.source_ip = "192.0.2.1";
  const decoy::DecoyResponse response = fixture.responder->Handle(req);
  if (response.status < 200 || response.request_id.empty()) __builtin_trap();
  return 0;
}
