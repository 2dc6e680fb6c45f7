#include "decoy/aws_ids.h"

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace spacecrab::decoy {

std::string AwsIdGenerator::Uuid() {
  std::vector<uint8_t> b = RandomBytes(random_, 16);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = HexEncode(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string AwsIdGenerator::S3RequestId() {
  std::string hex = HexEncode(RandomBytes(random_, 8));
  for (char& c : hex)
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  return hex;
}

std::string AwsIdGenerator::S3HostId() { return Base64Encode(RandomBytes(random_, 57)); }

std::string AwsIdGenerator::DynamoDbRequestId() {
  return RandomChars(random_, 52, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
}

std::string IamUserId(std::string_view account_id, std::string_view user_name) {
  static constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string material(account_id);
  material.push_back(':');
  material.append(user_name);
  const Sha256Digest digest = Sha256(material);
  std::string out = "AIDA";
  // 17 characters x 5 bits = 85 bits from the digest.
  uint32_t buffer = 0;
  int bits = 0;
  size_t byte = 0;
  while (out.size() < 21) {
    if (bits < 5) {
      buffer = (buffer << 8) | digest[byte++];
      bits += 8;
    }
    out.push_back(kBase32[(buffer >> (bits - 5)) & 31]);
    bits -= 5;
  }
  return out;
}

}  // namespace spacecrab::decoy
