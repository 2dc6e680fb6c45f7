#include "ingest/record_parser.h"

#include <simdjson.h>

#include <string>

#include "ingest/record_splitter.h"

namespace spacecrab::ingest {
namespace od = simdjson::ondemand;

namespace {

static_assert(PaddedBuffer::kPadding >= simdjson::SIMDJSON_PADDING);

// True when the document has content left after its top-level value.
bool HasTrailingContent(od::document& doc) {
  const char* at = nullptr;
  return doc.current_location().get(at) == simdjson::SUCCESS;
}

Status JsonError(std::string_view what, simdjson::error_code e) {
  if (e == simdjson::DEPTH_ERROR) return ResourceExhausted(std::string(what) + ": JSON nested too deeply");
  if (e == simdjson::CAPACITY) return ResourceExhausted(std::string(what) + ": document too large");
  return DataLoss(std::string(what) + ": " + simdjson::error_message(e));
}

// A string value, or empty for null and other types (skipped unread).
simdjson::error_code ReadString(od::value v, std::string_view& out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  if (type == od::json_type::string) return v.get_string().get(out);
  out = {};
  return simdjson::SUCCESS;
}

simdjson::error_code ReadUserIdentity(od::value v, CloudTrailUserIdentity& who) {
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  if (type != od::json_type::object) return simdjson::SUCCESS;
  od::object obj;
  if (auto e = v.get_object().get(obj)) return e;
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    std::string_view* slot = nullptr;
    if (key == "type") slot = &who.type;
    else if (key == "accessKeyId") slot = &who.access_key_id;
    else if (key == "arn") slot = &who.arn;
    else if (key == "userName") slot = &who.user_name;
    else if (key == "accountId") slot = &who.account_id;
    else if (key == "principalId") slot = &who.principal_id;
    if (slot == nullptr) continue;  // not read: On-Demand skips it
    if (auto e = ReadString(field.value(), *slot)) return e;
  }
  return simdjson::SUCCESS;
}

std::string_view* RecordSlot(CloudTrailRecord& r, std::string_view key) {
  if (key.size() < 5) return nullptr;
  switch (key[0]) {
    case 'e':
      if (key == "eventID") return &r.event_id;
      if (key == "eventTime") return &r.event_time;
      if (key == "eventSource") return &r.event_source;
      if (key == "eventName") return &r.event_name;
      if (key == "errorCode") return &r.error_code;
      return nullptr;
    case 'a': return key == "awsRegion" ? &r.aws_region : nullptr;
    case 's': return key == "sourceIPAddress" ? &r.source_ip : nullptr;
    case 'u': return key == "userAgent" ? &r.user_agent : nullptr;
    case 'r':
      if (key == "requestID") return &r.request_id;
      if (key == "recipientAccountId") return &r.recipient_account_id;
      return nullptr;
    default: return nullptr;
  }
}

}  // namespace

struct RecordParser::Impl {
  explicit Impl(const IngestLimits& l) : limits(l), file_parser(l.max_file_bytes), record_parser(l.max_record_bytes) {
    // Reserve small up front; iterate() grows capacity as needed but keeps max_depth.
    // Failure here only means allocation happens (and fails) at first use.
    if (file_parser.allocate(64 * 1024, l.max_depth) != simdjson::SUCCESS) file_parser = od::parser(l.max_file_bytes);
    if (record_parser.allocate(64 * 1024, l.max_depth) != simdjson::SUCCESS) record_parser = od::parser(l.max_record_bytes);
  }
  IngestLimits limits;
  od::parser file_parser;    // walks whole files
  od::parser record_parser;  // parses the selected records
};

RecordParser::RecordParser(const IngestLimits& limits) : impl_(std::make_unique<Impl>(limits)) {}
RecordParser::~RecordParser() = default;

Status RecordParser::ParseRecord(std::string_view json, CloudTrailRecord& out) {
  out = CloudTrailRecord{};
  if (json.size() > impl_->limits.max_record_bytes)
    return ResourceExhausted("record of " + std::to_string(json.size()) +
                             " bytes exceeds the limit of " +
                             std::to_string(impl_->limits.max_record_bytes));
  if (JsonDepthExceeds(json, impl_->limits.max_depth))
    return ResourceExhausted("record nests deeper than " + std::to_string(impl_->limits.max_depth) + " levels");
  od::document doc;
  if (auto e = impl_->record_parser
                   .iterate(simdjson::padded_string_view(json.data(), json.size(),
                                                         json.size() + PaddedBuffer::kPadding))
                   .get(doc))
    return JsonError("record", e);
  od::object obj;
  if (auto e = doc.get_object().get(obj)) return JsonError("record", e);
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return JsonError("record", e);
    if (key == "userIdentity") {
      if (auto e = ReadUserIdentity(field.value(), out.user_identity)) return JsonError("record userIdentity", e);
      continue;
    }
    std::string_view* slot = RecordSlot(out, key);
    if (slot == nullptr) continue;
    if (auto e = ReadString(field.value(), *slot)) return JsonError("record field", e);
  }
  if (HasTrailingContent(doc)) return DataLoss("record: trailing content after the object");
  return Status::Ok();
}

Status RecordParser::ForEachRecord(const PaddedBuffer& buf, std::span<const size_t> hits,
                                   bool select_all, const OnRecord& on_record,
                                   RecordCounts& counts) {
  return ForEach(buf, nullptr, hits, select_all, on_record, counts);
}

Status RecordParser::ForEachRecord(const PaddedBuffer& buf, std::span<const RecordSpan> records,
                                   std::span<const size_t> hits, bool select_all,
                                   const OnRecord& on_record, RecordCounts& counts) {
  return ForEach(buf, &records, hits, select_all, on_record, counts);
}

Status RecordParser::ForEach(const PaddedBuffer& buf, const std::span<const RecordSpan>* records,
                             std::span<const size_t> hits, bool select_all, const OnRecord& on_record,
                             RecordCounts& counts) {
  bool callback_failed = false;
  const OnRecord guarded = [&](const CloudTrailRecord& r, std::string_view raw) {
    Status s = on_record(r, raw);
    callback_failed = !s.ok();
    return s;
  };
  Status strict = records != nullptr ? WalkListed(buf, *records, hits, select_all, guarded, counts)
                                     : WalkStrict(buf, hits, select_all, guarded, counts);
  if (strict.ok() || strict.code() != StatusCode::kDataLoss || callback_failed) return strict;
  // Forgive missing separators between records: re-split by brace matching,
  // skipping the records the strict walk already delivered.
  const size_t delivered = counts.records;
  size_t index = 0, next_hit = 0;
  Status tolerant = SplitRecordsTolerant(buf.view(), impl_->limits.max_record_bytes, [&](std::string_view raw) {
    if (index++ < delivered) return Status::Ok();
    ++counts.records;
    const size_t begin = size_t(raw.data() - buf.data());
    while (next_hit < hits.size() && hits[next_hit] < begin) ++next_hit;
    if (!select_all && !(next_hit < hits.size() && hits[next_hit] < begin + raw.size())) return Status::Ok();
    ++counts.parsed;
    CloudTrailRecord record;
    SC_RETURN_IF_ERROR(ParseRecord(raw, record));
    return on_record(record, raw);
  });
  if (tolerant.ok()) counts.repaired = true;
  return tolerant;
}

Status RecordParser::WalkStrict(const PaddedBuffer& buf, std::span<const size_t> hits,
                                bool select_all, const OnRecord& on_record,
                                RecordCounts& counts) {
  od::document doc;
  if (auto e = impl_->file_parser
                   .iterate(simdjson::padded_string_view(buf.data(), buf.size(),
                                                         buf.capacity() + PaddedBuffer::kPadding))
                   .get(doc))
    return JsonError("log file", e);
  od::object top;
  if (auto e = doc.get_object().get(top)) return JsonError("log file", e);
  bool saw_records = false;
  size_t next_hit = 0;
  for (auto field : top) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return JsonError("log file", e);
    if (key != "Records") continue;
    saw_records = true;
    od::array records;
    if (auto e = field.value().get_array().get(records)) return JsonError("Records", e);
    for (auto element : records) {
      od::object rec;
      if (auto e = element.get_object().get(rec)) return JsonError("Records element", e);
      std::string_view raw;
      if (auto e = rec.raw_json().get(raw)) return JsonError("Records element", e);
      SC_RETURN_IF_ERROR(VisitRecord(raw, size_t(raw.data() - buf.data()), hits, next_hit, select_all,
                                     on_record, counts));
    }
  }
  if (!saw_records) return DataLoss("log file: not a CloudTrail document (no \"Records\" array)");
  if (HasTrailingContent(doc)) return DataLoss("log file: trailing content after the document");
  return Status::Ok();
}

Status RecordParser::WalkListed(const PaddedBuffer& buf, std::span<const RecordSpan> records,
                                std::span<const size_t> hits, bool select_all,
                                const OnRecord& on_record, RecordCounts& counts) {
  size_t next_hit = 0;
  for (const RecordSpan& r : records) {
    const std::string_view raw(buf.data() + r.begin, r.end - r.begin);
    SC_RETURN_IF_ERROR(VisitRecord(raw, r.begin, hits, next_hit, select_all, on_record, counts));
  }
  return Status::Ok();
}

Status RecordParser::VisitRecord(std::string_view raw, size_t begin, std::span<const size_t> hits,
                                 size_t& next_hit, bool select_all, const OnRecord& on_record,
                                 RecordCounts& counts) {
  ++counts.records;
  if (raw.size() > impl_->limits.max_record_bytes)
    return ResourceExhausted("record " + std::to_string(counts.records) + " of " +
                             std::to_string(raw.size()) + " bytes exceeds the limit of " +
                             std::to_string(impl_->limits.max_record_bytes));
  const size_t end = begin + raw.size();
  while (next_hit < hits.size() && hits[next_hit] < begin) ++next_hit;
  const bool selected = select_all || (next_hit < hits.size() && hits[next_hit] < end);
  if (!selected) return Status::Ok();
  ++counts.parsed;
  CloudTrailRecord record;
  SC_RETURN_IF_ERROR(ParseRecord(raw, record));
  return on_record(record, raw);
}

Expected<std::string_view> RecordParser::MemberText(const PaddedBuffer& buf,
                                                    std::string_view name) {
  od::document doc;
  if (auto e = impl_->file_parser
                   .iterate(simdjson::padded_string_view(buf.data(), buf.size(),
                                                         buf.capacity() + PaddedBuffer::kPadding))
                   .get(doc))
    return JsonError("document", e);
  od::object top;
  if (auto e = doc.get_object().get(top)) return JsonError("document", e);
  for (auto field : top) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return JsonError("document", e);
    if (key != name) continue;
    od::object member;
    if (auto e = field.value().get_object().get(member)) return JsonError(name, e);
    std::string_view raw;
    if (auto e = member.raw_json().get(raw)) return JsonError(name, e);
    return raw;
  }
  return NotFound("document has no \"" + std::string(name) + "\" object");
}

}  // namespace spacecrab::ingest
