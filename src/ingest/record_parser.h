// RecordParser: finds CloudTrail records in JSON text and reads the fields
// detection needs (simdjson On-Demand: only what is asked for is parsed).
//
// Accepts any key order, unknown and forwarder-added fields, nulls and
// unicode, and (see record_splitter.h) a Records array whose records lack
// separating commas. A log file is walked once to cut it into records (each record's
// text span, checked against the record size limit); only the records chosen
// by the caller (those containing a pre-filter hit, or all) are then parsed
// field by field.
//
// Failure: kDataLoss for malformed/truncated JSON or a file that is not a
// CloudTrail document; kResourceExhausted for an oversized record or nesting
// deeper than the limit. On failure, records already delivered stay delivered.
//
// Inputs must be PaddedBuffer-backed (kPadding readable bytes after the end).
// Not thread-safe; one per worker. string_views handed to callbacks are valid
// only during the callback.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "core/cloudtrail_record.h"
#include "core/status.h"
#include "ingest/limits.h"
#include "ingest/padded_buffer.h"
#include "ingest/structure_scanner.h"

namespace spacecrab::ingest {

struct RecordCounts {
  size_t records = 0;  // records in the document
  size_t parsed = 0;   // records parsed field by field
  bool repaired = false;  // separators between records were missing (see record_splitter.h)
};

class RecordParser {
 public:
  using OnRecord = std::function<Status(const CloudTrailRecord& record, std::string_view raw)>;

  explicit RecordParser(const IngestLimits& limits);
  ~RecordParser();
  RecordParser(const RecordParser&) = delete;
  RecordParser& operator=(const RecordParser&) = delete;

  // Walks a `{"Records":[...]}` document. Records whose text contains one of
  // `hits` (ascending offsets into `doc`), or every record when `select_all`,
  // are parsed and passed to `on_record`; its error stops the walk.
  Status ForEachRecord(const PaddedBuffer& doc, std::span<const size_t> hits, bool select_all,
                       const OnRecord& on_record, RecordCounts& counts);
  // The same, for a document StructureScanner has already checked and cut
  // into `records` (its Finish() returned true): the records are taken from
  // the list instead of a second pass over the text, with the same outcome.
  Status ForEachRecord(const PaddedBuffer& doc, std::span<const RecordSpan> records,
                       std::span<const size_t> hits, bool select_all, const OnRecord& on_record,
                       RecordCounts& counts);

  // Parses one record object. `json` must lie inside a buffer with at least
  // PaddedBuffer::kPadding readable bytes after it.
  Status ParseRecord(std::string_view json, CloudTrailRecord& out);

  // The text of the member `name` of the top-level object in `doc` (which
  // must be an object), e.g. an EventBridge envelope's "detail"; kNotFound if
  // absent. The view points into `doc`.
  Expected<std::string_view> MemberText(const PaddedBuffer& doc, std::string_view name);

 private:
  Status ForEach(const PaddedBuffer& doc, const std::span<const RecordSpan>* records,
                 std::span<const size_t> hits, bool select_all, const OnRecord& on_record,
                 RecordCounts& counts);
  Status WalkStrict(const PaddedBuffer& doc, std::span<const size_t> hits, bool select_all,
                    const OnRecord& on_record, RecordCounts& counts);
  Status WalkListed(const PaddedBuffer& doc, std::span<const RecordSpan> records,
                    std::span<const size_t> hits, bool select_all, const OnRecord& on_record,
                    RecordCounts& counts);
  // One record of the strict walk: counted, size-checked, parsed and handed
  // on when selected. `next_hit` advances through `hits`.
  Status VisitRecord(std::string_view raw, size_t begin, std::span<const size_t> hits, size_t& next_hit,
                     bool select_all, const OnRecord& on_record, RecordCounts& counts);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spacecrab::ingest
