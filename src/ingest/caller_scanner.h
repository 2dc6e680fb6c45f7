// CallerScanner: the pre-filter that lets ingest skip parsing records that
// cannot be a use of any key in the index.
//
// A record can only match (see core/key_matcher.h) if its text contains one of
// our key ids, or one of our user names as a "userName" value or at the end of
// an ":user/" ARN. The scanner finds exactly those spots with SIMD byte
// comparisons over raw (decompressed) text, then confirms each candidate with
// a hash lookup in the index. Only records containing a hit are parsed.
//
// Correctness: a superset test. Every real use contains such a spot, because
// CloudTrail writes key ids and IAM user names (charset [\w+=,.@-]) without
// JSON escapes; an ARN written with an escaped slash (":user\/name", as some
// re-serialising forwarders do) is recognised too. False hits (our key named
// in requestParameters, a same-named user in another account) cost one record
// parse and are rejected by the matcher.
//
// Not thread-safe (holds scratch state); cheap to construct per file.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/key_matcher.h"

namespace spacecrab::ingest {

class CallerScanner {
 public:
  // Bytes after a candidate's start the scanner may need to confirm it.
  static constexpr size_t kLookahead = 256;

  explicit CallerScanner(const KeyIndex& index) : index_(index) {}

  // Appends to `hits` the offsets of confirmed candidates starting in
  // [from, to). Reads text[from, min(to + kLookahead, text.size())).
  // Offsets come out ascending when ranges are scanned in order.
  void Scan(std::string_view text, size_t from, size_t to, std::vector<size_t>& hits) const;

 private:
  bool ConfirmKey(std::string_view text, size_t at) const;
  bool ConfirmUserNameField(std::string_view text, size_t at) const;
  bool ConfirmUserArn(std::string_view text, size_t at) const;

  const KeyIndex& index_;
};

}  // namespace spacecrab::ingest
