#include "ingest/test_support.h"

#include <fmt/format.h>
#include <zlib.h>

#include <stdexcept>

#include "store/store_factory.h"

namespace spacecrab::ingest::testing {

std::string RecordJson(const RecordSpec& s) {
  std::string key = s.access_key_id.empty() ? "" : fmt::format(R"("accessKeyId":"{}",)", s.access_key_id);
  std::string arn = s.type == "IAMUser"
                        ? fmt::format("arn:aws:iam::{}:user/{}", s.account_id, s.user_name)
                        : fmt::format("arn:aws:sts::{}:assumed-role/r/{}", s.account_id, s.user_name);
  std::string user = s.type == "IAMUser" ? fmt::format(R"(,"userName":"{}")", s.user_name) : "";
  return fmt::format(
      R"({{"eventVersion":"1.08","userIdentity":{{"type":"{}","principalId":"AIDAX",)"
      R"("arn":"{}","accountId":"{}",{}"sessionContext":null{}}},)"
      R"("eventTime":"2024-05-01T12:00:00Z","eventSource":"{}","eventName":"{}",)"
      R"("awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2.15.0",)"
      R"("requestID":"req-1","eventID":"{}","readOnly":true,"eventType":"AwsApiCall",)"
      R"("recipientAccountId":"{}"{}{}}})",
      s.type, arn, s.account_id, key, user, s.event_source, s.event_name, s.event_id, s.account_id,
      s.extra.empty() ? "" : ",", s.extra);
}

std::string LogFileJson(const std::vector<std::string>& records) {
  std::string out = R"({"Records":[)";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) out += ',';
    out += records[i];
  }
  return out + "]}";
}

std::string GzipBytes(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&z, uLong(data.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = uInt(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::unique_ptr<Store> MemoryStoreWith(const std::vector<HoneyToken>& tokens) {
  auto store = OpenStore("sqlite::memory:");
  if (!store.ok()) throw std::runtime_error(store.status().ToString());
  if (!tokens.empty()) {
    Status s = (*store)->InsertTokens(tokens);
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }
  return std::move(store).value();
}

HoneyToken Token(std::string id, std::string key, std::string account, std::string user,
                 TokenStatus status) {
  HoneyToken t;
  t.id = std::move(id);
  t.kind = TokenKind::kAws;
  t.status = status;
  t.access_key_id = std::move(key);
  t.account_id = std::move(account);
  t.user_name = std::move(user);
  t.arn = "arn:aws:iam::" + t.account_id + ":user/" + t.user_name;
  t.location = "test";
  t.owner = "tests";
  t.created_at = t.issued_at = FromUnixMillis(1'700'000'000'000);
  return t;
}

std::vector<IndexedKey> IndexedKeys(const std::vector<HoneyToken>& tokens) {
  std::vector<IndexedKey> keys;
  for (const auto& t : tokens)
    keys.push_back({t.access_key_id, t.id, t.account_id, t.user_name, t.kind, t.status});
  return keys;
}

}  // namespace spacecrab::ingest::testing
