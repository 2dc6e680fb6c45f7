#include "enrich/mmdb_test_writer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "enrich/ip_address.h"

namespace spacecrab::enrich::testing {
namespace {

using nlohmann::json;

// Data section type numbers (spec: "Output Data Section").
enum : int {
  kUtf8 = 2, kDouble = 3, kUint16 = 5, kUint32 = 6, kMap = 7,
  kInt32 = 8, kUint64 = 9, kArray = 11, kBoolean = 14,
};

void PutControl(std::string& out, int type, size_t size) {
  const int type_bits = type <= 7 ? type : 0;
  uint8_t size_bits = 0;
  std::string extra_size;
  if (size < 29) {
    size_bits = static_cast<uint8_t>(size);
  } else if (size < 29 + 256) {
    size_bits = 29;
    extra_size.push_back(static_cast<char>(size - 29));
  } else if (size < 285 + 65536) {
    size_bits = 30;
    const size_t v = size - 285;
    extra_size.push_back(static_cast<char>(v >> 8));
    extra_size.push_back(static_cast<char>(v & 0xff));
  } else {
    size_bits = 31;
    const size_t v = size - 65821;
    extra_size.push_back(static_cast<char>(v >> 16));
    extra_size.push_back(static_cast<char>((v >> 8) & 0xff));
    extra_size.push_back(static_cast<char>(v & 0xff));
  }
  out.push_back(static_cast<char>((type_bits << 5) | size_bits));
  if (type > 7) out.push_back(static_cast<char>(type - 7));  // extended type byte
  out += extra_size;
}

void PutUint(std::string& out, int type, uint64_t v) {
  std::string bytes;
  while (v != 0) {
    bytes.insert(bytes.begin(), static_cast<char>(v & 0xff));
    v >>= 8;
  }
  PutControl(out, type, bytes.size());
  out += bytes;
}

void PutString(std::string& out, const std::string& s) {
  PutControl(out, kUtf8, s.size());
  out += s;
}

void PutValue(std::string& out, const json& v) {
  switch (v.type()) {
    case json::value_t::object:
      PutControl(out, kMap, v.size());
      for (auto it = v.begin(); it != v.end(); ++it) {
        PutString(out, it.key());
        PutValue(out, it.value());
      }
      break;
    case json::value_t::array:
      PutControl(out, kArray, v.size());
      for (const json& item : v) PutValue(out, item);
      break;
    case json::value_t::string:
      PutString(out, v.get<std::string>());
      break;
    case json::value_t::boolean:
      PutControl(out, kBoolean, v.get<bool>() ? 1 : 0);
      break;
    case json::value_t::number_unsigned: {
      const uint64_t n = v.get<uint64_t>();
      PutUint(out, n > 0xffffffffull ? kUint64 : kUint32, n);
      break;
    }
    case json::value_t::number_integer: {
      const int64_t n = v.get<int64_t>();
      if (n >= 0) {
        PutUint(out, kUint32, static_cast<uint64_t>(n));
      } else {
        PutControl(out, kInt32, 4);
        const auto u = static_cast<uint32_t>(static_cast<int32_t>(n));
        for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xff));
      }
      break;
    }
    case json::value_t::number_float: {
      PutControl(out, kDouble, 8);
      const double d = v.get<double>();
      uint64_t bits = 0;
      static_assert(sizeof bits == sizeof d);
      std::memcpy(&bits, &d, sizeof bits);
      for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((bits >> shift) & 0xff));
      break;
    }
    default:
      PutString(out, "");  // null and binary have no MMDB form the readers need
      break;
  }
}

// Bit `i` (0 = most significant) of a 128-bit address.
int BitAt(const Ip128& a, int i) {
  return i < 64 ? static_cast<int>((a.hi >> (63 - i)) & 1) : static_cast<int>((a.lo >> (127 - i)) & 1);
}

// Tree records while building: >= 0 node index, kEmpty, or DataRef(index).
constexpr int64_t kEmpty = -1;
int64_t DataRef(size_t index) { return -2 - static_cast<int64_t>(index); }
bool IsData(int64_t r) { return r <= -2; }
size_t DataIndex(int64_t r) { return static_cast<size_t>(-2 - r); }

void PutRecordPair(std::string& out, uint64_t left, uint64_t right, int record_size) {
  auto put = [&](uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  if (record_size == 24) {
    put(left, 3);
    put(right, 3);
  } else if (record_size == 28) {
    put(left & 0xffffff, 3);
    out.push_back(static_cast<char>((((left >> 24) & 0x0f) << 4) | ((right >> 24) & 0x0f)));
    put(right & 0xffffff, 3);
  } else {
    put(left, 4);
    put(right, 4);
  }
}

}  // namespace

Expected<std::string> BuildTestMmdb(const std::vector<MmdbTestNetwork>& networks, const MmdbTestOptions& options) {
  if (options.record_size != 24 && options.record_size != 28 && options.record_size != 32) {
    return InvalidArgument("mmdb writer: record_size must be 24, 28 or 32");
  }
  if (options.ip_version != 4 && options.ip_version != 6) return InvalidArgument("mmdb writer: ip_version 4 or 6");

  struct Insert {
    Ip128 bits;  // the network, left-aligned in 128 bits for the walk
    int length;
    size_t data;
  };
  std::vector<Insert> inserts;
  for (size_t i = 0; i < networks.size(); ++i) {
    auto prefix = ParsePrefix(networks[i].cidr);
    if (!prefix || prefix->length == 0) return InvalidArgument("mmdb writer: bad network " + networks[i].cidr);
    Insert ins{{}, prefix->length, i};
    if (prefix->first.is_v4) {
      if (options.ip_version == 6) {  // ::a.b.c.d/96+len
        ins.bits = {0, prefix->first.v4};
        ins.length += 96;
      } else {
        ins.bits = {static_cast<uint64_t>(prefix->first.v4) << 32, 0};
      }
    } else {
      if (options.ip_version == 4) return InvalidArgument("mmdb writer: IPv6 network in an IPv4 tree");
      ins.bits = prefix->first.v6;
    }
    inserts.push_back(ins);
  }
  std::stable_sort(inserts.begin(), inserts.end(), [](const Insert& a, const Insert& b) { return a.length < b.length; });

  std::vector<std::array<int64_t, 2>> nodes{{kEmpty, kEmpty}};
  for (const Insert& ins : inserts) {
    size_t node = 0;
    for (int d = 0; d < ins.length; ++d) {
      const int bit = BitAt(ins.bits, d);
      if (d == ins.length - 1) {
        nodes[node][bit] = DataRef(ins.data);
        break;
      }
      const int64_t rec = nodes[node][bit];
      if (rec >= 0) {
        node = static_cast<size_t>(rec);
        continue;
      }
      // Empty, or the data of a shorter network: push it down one level.
      nodes.push_back({rec, rec});
      nodes[node][bit] = static_cast<int64_t>(nodes.size() - 1);
      node = nodes.size() - 1;
    }
  }

  std::string data_section;
  std::vector<size_t> offsets(networks.size());
  for (size_t i = 0; i < networks.size(); ++i) {
    offsets[i] = data_section.size();
    PutValue(data_section, networks[i].data);
  }

  const uint64_t node_count = nodes.size();
  const uint64_t max_record = options.record_size == 32 ? 0xffffffffull : ((1ull << options.record_size) - 1);
  std::string out;
  for (const auto& n : nodes) {
    uint64_t rec[2];
    for (int side = 0; side < 2; ++side) {
      if (n[side] >= 0) {
        rec[side] = static_cast<uint64_t>(n[side]);
      } else if (IsData(n[side])) {
        rec[side] = node_count + 16 + offsets[DataIndex(n[side])];
      } else {
        rec[side] = node_count;  // "no data"
      }
      if (rec[side] > max_record) return InvalidArgument("mmdb writer: database too large for record_size");
    }
    PutRecordPair(out, rec[0], rec[1], options.record_size);
  }
  out.append(16, '\0');  // data section separator
  out += data_section;

  out += std::string("\xAB\xCD\xEF", 3) + "MaxMind.com";
  std::string meta;
  PutControl(meta, kMap, 9);
  PutString(meta, "binary_format_major_version");
  PutUint(meta, kUint16, 2);
  PutString(meta, "binary_format_minor_version");
  PutUint(meta, kUint16, 0);
  PutString(meta, "build_epoch");
  PutUint(meta, kUint64, 1700000000);
  PutString(meta, "database_type");
  PutString(meta, options.database_type);
  PutString(meta, "description");
  PutControl(meta, kMap, 1);
  PutString(meta, "en");
  PutString(meta, "test database");
  PutString(meta, "ip_version");
  PutUint(meta, kUint16, static_cast<uint64_t>(options.ip_version));
  PutString(meta, "languages");
  PutControl(meta, kArray, 1);
  PutString(meta, "en");
  PutString(meta, "node_count");
  PutUint(meta, kUint32, node_count);
  PutString(meta, "record_size");
  PutUint(meta, kUint16, static_cast<uint64_t>(options.record_size));
  out += meta;
  return out;
}

Status WriteTestMmdb(const std::string& path, const std::vector<MmdbTestNetwork>& networks,
                     const MmdbTestOptions& options) {
  SC_ASSIGN_OR_RETURN(std::string bytes, BuildTestMmdb(networks, options));
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) return Internal("mmdb writer: cannot write " + path);
  return Status::Ok();
}

}  // namespace spacecrab::enrich::testing
