#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <vector>

#include "store/store_test_util.h"

namespace spacecrab {
namespace {

using std::chrono::minutes;
using testing::MakeEvent;
using testing::MakeToken;
using testing::T0;
using testing::TempDir;

class EventStore : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenTestStore(dir_);
    ASSERT_TRUE(store_->InsertTokens(std::vector<HoneyToken>{a_, b_}).ok());
  }
  std::vector<bool> Record(const std::vector<Event>& events) {
    auto fresh = store_->RecordEvents(events);
    EXPECT_TRUE(fresh.ok()) << fresh.status().ToString();
    return fresh.ok() ? *fresh : std::vector<bool>{};
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  HoneyToken a_ = MakeToken(1);
  HoneyToken b_ = MakeToken(2);
};

TEST_F(EventStore, RecordEventsDedupsByIdAndCountsEachUseOnce) {
  // The same event twice in one batch (duplicated CloudTrail records)...
  EXPECT_EQ(Record({MakeEvent(a_, "e1", 10), MakeEvent(a_, "e1", 10), MakeEvent(a_, "e2", 20)}),
            (std::vector<bool>{true, false, true}));
  // ...and again in a later batch (the same file read twice).
  EXPECT_EQ(Record({MakeEvent(a_, "e2", 20), MakeEvent(a_, "e3", 30), MakeEvent(b_, "e1", 5)}),
            (std::vector<bool>{false, true, false}));

  const HoneyToken a = store_->GetToken(a_.id).value();
  EXPECT_EQ(a.event_count, 3);
  EXPECT_EQ(a.first_used_at, T0() + minutes(10));
  EXPECT_EQ(a.last_used_at, T0() + minutes(30));
  const HoneyToken b = store_->GetToken(b_.id).value();
  EXPECT_EQ(b.event_count, 0);  // "e1" already belonged to a: not a new use of b
  EXPECT_FALSE(b.first_used_at.has_value());
}

TEST_F(EventStore, FirstAndLastUseAreMinAndMaxWhateverTheArrivalOrder) {
  Record({MakeEvent(a_, "late", 50)});
  Record({MakeEvent(a_, "early", 3), MakeEvent(a_, "middle", 20)});
  const HoneyToken a = store_->GetToken(a_.id).value();
  EXPECT_EQ(a.event_count, 3);
  EXPECT_EQ(a.first_used_at, T0() + minutes(3));
  EXPECT_EQ(a.last_used_at, T0() + minutes(50));
}

TEST_F(EventStore, EventForAnUnknownTokenFailsTheWholeBatch) {
  HoneyToken ghost = MakeToken(99);
  auto fresh =
      store_->RecordEvents(std::vector<Event>{MakeEvent(a_, "ok", 1), MakeEvent(ghost, "bad", 2)});
  ASSERT_FALSE(fresh.ok());
  EXPECT_EQ(fresh.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->GetEvent("ok").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetToken(a_.id)->event_count, 0);
  Event no_id = MakeEvent(a_, "", 1);
  EXPECT_EQ(store_->RecordEvents(std::vector<Event>{no_id}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(EventStore, GetEventRoundTripsEveryField) {
  Event e = MakeEvent(a_, "3f6c1a52-8a8e-4f55-9d3b-0c9d4e3b2a10", 7);
  e.error_code = "AccessDenied";
  e.request_id = "req-1";
  e.enrichment_json = R"({"country":"NL"})";
  e.raw_json = R"({"eventID":"3f6c1a52"})";
  e.event_time = FromUnixMillis(ToUnixMillis(e.event_time) + 123);
  Record({e});
  const Event got = store_->GetEvent(e.id).value();
  EXPECT_EQ(got.id, e.id);
  EXPECT_EQ(got.token_id, e.token_id);
  EXPECT_EQ(got.access_key_id, e.access_key_id);
  EXPECT_EQ(got.event_time, e.event_time);
  EXPECT_EQ(got.event_source, e.event_source);
  EXPECT_EQ(got.event_name, e.event_name);
  EXPECT_EQ(got.aws_region, e.aws_region);
  EXPECT_EQ(got.source_ip, e.source_ip);
  EXPECT_EQ(got.user_agent, e.user_agent);
  EXPECT_EQ(got.error_code, e.error_code);
  EXPECT_EQ(got.request_id, e.request_id);
  EXPECT_EQ(got.incident_id, "");
  EXPECT_EQ(got.origin, e.origin);
  EXPECT_EQ(got.enrichment_json, e.enrichment_json);
  EXPECT_EQ(got.raw_json, e.raw_json);
  EXPECT_EQ(got.received_at, e.received_at);
}

TEST_F(EventStore, ListEventsPagesInReceivedOrderWithFilters) {
  std::vector<Event> batch;
  for (int i = 0; i < 25; ++i) {
    // Event times deliberately not in received order.
    batch.push_back(MakeEvent(i % 2 ? a_ : b_, "ev-" + std::to_string(i), (i * 7) % 25));
  }
  Record(batch);

  EventFilter f;
  f.limit = 10;
  std::vector<std::string> ids;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->ListEvents(f);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (auto& e : page->items) ids.push_back(e.id);
    if (page->next_cursor.empty()) break;
    f.after_id = page->next_cursor;
  }
  ASSERT_EQ(ids.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(ids[i], "ev-" + std::to_string(i));

  // An event id works as a cursor too.
  EventFilter by_id;
  by_id.after_id = "ev-22";
  EXPECT_EQ(store_->ListEvents(by_id)->items.size(), 2u);
  by_id.after_id = "no-such-event";
  EXPECT_EQ(store_->ListEvents(by_id).status().code(), StatusCode::kInvalidArgument);

  EventFilter token;
  token.token_id = a_.id;
  auto a_events = store_->ListEvents(token).value().items;
  EXPECT_EQ(a_events.size(), 12u);
  for (auto& e : a_events) EXPECT_EQ(e.token_id, a_.id);

  EventFilter window;  // since inclusive, until exclusive
  window.since = T0() + minutes(5);
  window.until = T0() + minutes(10);
  auto in_window = store_->ListEvents(window).value().items;
  EXPECT_EQ(in_window.size(), 5u);
  for (auto& e : in_window) {
    EXPECT_GE(e.event_time, *window.since);
    EXPECT_LT(e.event_time, *window.until);
  }
}

TEST(Checkpoints, RoundTripAndOverwrite) {
  TempDir dir;
  auto store = testing::OpenTestStore(dir);
  const std::string source = "s3://trail-bucket/AWSLogs/123456789012/CloudTrail/us-east-1/";
  EXPECT_FALSE(store->GetCheckpoint(source).value().has_value());
  ASSERT_TRUE(store->PutCheckpoint({source, "2026/01/01/a.json.gz", T0()}).ok());
  ASSERT_TRUE(store->PutCheckpoint({"file:/var/log/other", "42", T0()}).ok());
  ASSERT_TRUE(store->PutCheckpoint({source, "2026/01/02/b.json.gz", T0() + minutes(1)}).ok());
  auto cp = store->GetCheckpoint(source).value();
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->source, source);
  EXPECT_EQ(cp->position, "2026/01/02/b.json.gz");
  EXPECT_EQ(cp->updated_at, T0() + minutes(1));
  EXPECT_EQ(store->GetCheckpoint("file:/var/log/other").value()->position, "42");
  EXPECT_EQ(store->PutCheckpoint({"", "x", T0()}).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace spacecrab
