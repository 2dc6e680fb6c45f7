#include "service/token_service.h"

#include <gtest/gtest.h>

#include <set>

#include "core/access_key.h"
#include "service/service_test_util.h"

namespace spacecrab {
namespace {

using testing::ServiceWorld;

class TokenServiceTest : public ::testing::Test {
 protected:
  TokenServiceTest() : service_({w_.store.get(), {w_.flaky.get()}, &w_.clock, &w_.random, 1000}) {}

  IssuedToken CreateOne(const std::string& location = "laptop-0042:~/Downloads") {
    TokenSpec spec;
    spec.location = location;
    spec.owner = "m.garcia";
    auto issued = service_.Create(spec, 1, actor_);
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued->front();
  }

  std::vector<AuditEntry> Audit() {
    auto entries = w_.store->ListAudit(1000, 0);
    EXPECT_TRUE(entries.ok());
    return *entries;
  }

  ServiceWorld w_;
  TokenService service_;
  Actor actor_{"apikey:key_test", "127.0.0.1"};
};

TEST_F(TokenServiceTest, CreateIssuesCountTokensWithSealedSecretsOnly) {
  TokenSpec spec;
  spec.location = "ci:repo-x";
  spec.tags = {{"team", "payments"}};
  auto issued = service_.Create(spec, 25, actor_);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  ASSERT_EQ(issued->size(), 25u);
  std::set<std::string> ids;
  for (const IssuedToken& t : *issued) {
    ids.insert(t.token.id);
    auto stored = w_.store->GetToken(t.token.id);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->status, TokenStatus::kActive);
    EXPECT_EQ(stored->location, "ci:repo-x");
    EXPECT_EQ(stored->tags.at("team"), "payments");
    EXPECT_EQ(AccountIdFromAccessKeyId(stored->access_key_id), "123456789012");
    EXPECT_EQ(stored->sealed_secret.find(t.credentials.secret_access_key), std::string::npos);
    auto opened = w_.box.Open(stored->sealed_secret, stored->access_key_id);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(*opened, t.credentials.secret_access_key);
  }
  EXPECT_EQ(ids.size(), 25u);
  auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "token.create");
  EXPECT_EQ(audit[0].actor, "apikey:key_test");
  EXPECT_EQ(audit[0].source_ip, "127.0.0.1");
  for (const IssuedToken& t : *issued) {
    EXPECT_NE(audit[0].detail_json.find(t.token.id), std::string::npos);
    EXPECT_EQ(audit[0].detail_json.find(t.credentials.secret_access_key), std::string::npos);
  }
}

TEST_F(TokenServiceTest, DecoyKeyIdThatRepeatsAStoredOneIsMintedAgain) {
  const IssuedToken first = CreateOne("host-a");
  // The next two mints return the stored key again (a 40-bit clash, twice).
  w_.flaky->repeat_last_mint = 2;
  const IssuedToken second = CreateOne("host-b");
  EXPECT_EQ(w_.flaky->repeat_last_mint, 0);
  EXPECT_NE(second.token.access_key_id, first.token.access_key_id);
  auto stored = w_.store->GetTokenByAccessKeyId(second.token.access_key_id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->location, "host-b");
  EXPECT_EQ(Audit().size(), 2u);  // one entry per handout, none for the clashes

  // Three clashes in a row: the store's refusal reaches the caller.
  w_.flaky->repeat_last_mint = 3;
  TokenSpec spec;
  spec.location = "host-c";
  auto refused = service_.Create(spec, 1, actor_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(TokenServiceTest, CreateRejectsBadInputNamingTheField) {
  struct Case {
    std::function<void(TokenSpec&)> mutate;
    std::string field;
  } cases[] = {
      {[](TokenSpec& s) { s.location.clear(); }, "location"},
      {[](TokenSpec& s) { s.location = std::string(257, 'x'); }, "location"},
      {[](TokenSpec& s) { s.location = "a\x1b[31mred"; }, "location"},
      {[](TokenSpec& s) { s.owner = std::string(257, 'o'); }, "owner"},
      {[](TokenSpec& s) { s.notes = std::string(2049, 'n'); }, "notes"},
      {[](TokenSpec& s) {
         s.tags = {{"bad key", "v"}};
       },
       "tags"},
      {[](TokenSpec& s) {
         s.tags = {{"k", "line\nbreak"}};
       },
       "tags.k"},
      {[](TokenSpec& s) { s.expires_at = FromUnixMillis(0); }, "expires_at"},
      {[](TokenSpec& s) { s.user_name = "no spaces allowed"; }, "user_name"},
  };
  for (const Case& c : cases) {
    TokenSpec spec;
    spec.location = "here";
    c.mutate(spec);
    auto issued = service_.Create(spec, 1, actor_);
    ASSERT_FALSE(issued.ok()) << c.field;
    EXPECT_EQ(issued.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(issued.status().message().rfind(c.field + ":", 0), 0u) << issued.status().message();
  }
  TokenSpec spec;
  spec.location = "here";
  EXPECT_FALSE(service_.Create(spec, 0, actor_).ok());
  EXPECT_FALSE(service_.Create(spec, 1001, actor_).ok());
  std::map<std::string, std::string> many;
  for (int i = 0; i < 33; ++i) many["k" + std::to_string(i)] = "v";
  spec.tags = many;
  EXPECT_FALSE(service_.Create(spec, 1, actor_).ok());
  EXPECT_TRUE(Audit().empty());
}

TEST_F(TokenServiceTest, NotesMayHoldNewlinesButNotEscapes) {
  TokenSpec spec;
  spec.location = "here";
  spec.notes = "line one\nline two\ttabbed";
  EXPECT_TRUE(service_.Create(spec, 1, actor_).ok());
  spec.notes = "bell\x07";
  EXPECT_FALSE(service_.Create(spec, 1, actor_).ok());
}

TEST_F(TokenServiceTest, UpdateChangesOnlyGivenFieldsAndClearsTimes) {
  IssuedToken t = CreateOne();
  TokenPatch patch;
  patch.notes = "moved to vault";
  patch.planted_at = std::optional<Timestamp>(w_.clock.Now());
  auto updated = service_.Update(t.token.id, patch, actor_);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->notes, "moved to vault");
  EXPECT_EQ(updated->location, "laptop-0042:~/Downloads");
  EXPECT_EQ(updated->owner, "m.garcia");
  ASSERT_TRUE(updated->planted_at);

  TokenPatch clear;
  clear.planted_at = std::optional<Timestamp>();
  updated = service_.Update(t.token.id, clear, actor_);
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated->planted_at);
  EXPECT_EQ(updated->notes, "moved to vault");
  EXPECT_FALSE(w_.store->GetToken(t.token.id)->planted_at);

  TokenPatch bad;
  bad.location = "";
  EXPECT_EQ(service_.Update(t.token.id, bad, actor_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.Update("tok_01JZZZZZZZZZZZZZZZZZZZZZZZ", patch, actor_).status().code(),
            StatusCode::kNotFound);
  auto audit = Audit();
  ASSERT_EQ(audit.size(), 3u);  // create + two updates
  EXPECT_EQ(audit[0].action, "token.update");
}

TEST_F(TokenServiceTest, DeleteKeepsATombstoneAndIsIdempotent) {
  IssuedToken t = CreateOne();
  auto deleted = service_.Delete(t.token.id, actor_);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->status, TokenStatus::kDeleted);
  EXPECT_TRUE(deleted->retired_at);
  auto stored = w_.store->GetTokenByAccessKeyId(t.token.access_key_id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status, TokenStatus::kDeleted);
  EXPECT_TRUE(service_.Delete(t.token.id, actor_).ok());
  EXPECT_EQ(w_.flaky->deletes, 1);
  TokenPatch patch;
  patch.notes = "x";
  EXPECT_EQ(service_.Update(t.token.id, patch, actor_).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(service_.Revoke(t.token.id, actor_).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(TokenServiceTest, RevokeFailsCleanlyWhenTheProviderFails) {
  IssuedToken t = CreateOne();
  w_.flaky->fail = true;
  auto revoked = service_.Revoke(t.token.id, actor_);
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(w_.store->GetToken(t.token.id)->status, TokenStatus::kActive);
  w_.flaky->fail = false;
  revoked = service_.Revoke(t.token.id, actor_);
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->status, TokenStatus::kRevoked);
  EXPECT_TRUE(service_.Revoke(t.token.id, actor_).ok());  // idempotent
  EXPECT_EQ(w_.flaky->revokes, 2);
}

TEST_F(TokenServiceTest, RotateIssuesANewKeyForThePlacementAndRevokesTheOld) {
  TokenSpec spec;
  spec.location = "vault:vendor-y";
  spec.owner = "secops";
  spec.tags = {{"env", "prod"}};
  spec.expires_in = std::chrono::hours(24 * 90);
  auto created = service_.Create(spec, 1, actor_);
  ASSERT_TRUE(created.ok());
  const HoneyToken old = created->front().token;
  w_.clock.Advance(std::chrono::hours(24));

  auto rotated = service_.Rotate(old.id, actor_);
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  const HoneyToken& fresh = rotated->token;
  EXPECT_NE(fresh.id, old.id);
  EXPECT_NE(fresh.access_key_id, old.access_key_id);
  EXPECT_NE(rotated->credentials.secret_access_key, created->front().credentials.secret_access_key);
  EXPECT_EQ(fresh.user_name, old.user_name);
  EXPECT_EQ(fresh.location, "vault:vendor-y");
  EXPECT_EQ(fresh.tags, spec.tags);
  EXPECT_EQ(fresh.rotated_from, old.id);
  EXPECT_EQ(*fresh.expires_at, w_.clock.Now() + std::chrono::hours(24 * 90));

  auto stored_old = w_.store->GetToken(old.id);
  ASSERT_TRUE(stored_old.ok());
  EXPECT_EQ(stored_old->status, TokenStatus::kRevoked);
  EXPECT_EQ(stored_old->replaced_by, fresh.id);
  EXPECT_EQ(w_.store->GetToken(fresh.id)->status, TokenStatus::kActive);

  EXPECT_EQ(service_.Rotate(old.id, actor_).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(service_.Delete(fresh.id, actor_).ok());
  EXPECT_EQ(service_.Rotate(fresh.id, actor_).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Audit()[1].action, "token.rotate");
}

TEST_F(TokenServiceTest, ExpireDueExpiresOnlyTokensPastTheirTime) {
  TokenSpec spec;
  spec.location = "short";
  spec.expires_in = std::chrono::hours(1);
  auto short_lived = service_.Create(spec, 3, actor_);
  spec.location = "long";
  spec.expires_in = std::chrono::hours(48);
  auto long_lived = service_.Create(spec, 2, actor_);
  IssuedToken forever = CreateOne();
  ASSERT_TRUE(short_lived.ok() && long_lived.ok());

  auto n = service_.ExpireDue(w_.clock.Now());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  w_.clock.Advance(std::chrono::hours(2));
  n = service_.ExpireDue(w_.clock.Now());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3);
  for (const IssuedToken& t : *short_lived)
    EXPECT_EQ(w_.store->GetToken(t.token.id)->status, TokenStatus::kExpired);
  for (const IssuedToken& t : *long_lived)
    EXPECT_EQ(w_.store->GetToken(t.token.id)->status, TokenStatus::kActive);
  EXPECT_EQ(w_.store->GetToken(forever.token.id)->status, TokenStatus::kActive);
  EXPECT_EQ(w_.flaky->revokes, 3);
  EXPECT_EQ(Audit()[0].actor, "system:expiry");
  n = service_.ExpireDue(w_.clock.Now());
  EXPECT_EQ(*n, 0);
}

TEST_F(TokenServiceTest, ExpiryRetriesWhenTheProviderFails) {
  TokenSpec spec;
  spec.location = "short";
  spec.expires_in = std::chrono::minutes(1);
  ASSERT_TRUE(service_.Create(spec, 1, actor_).ok());
  w_.clock.Advance(std::chrono::minutes(2));
  w_.flaky->fail = true;
  EXPECT_EQ(*service_.ExpireDue(w_.clock.Now()), 0);
  w_.flaky->fail = false;
  EXPECT_EQ(*service_.ExpireDue(w_.clock.Now()), 1);
}

TEST_F(TokenServiceTest, ListPagesThroughEveryTokenOnce) {
  TokenSpec spec;
  spec.location = "fleet";
  ASSERT_TRUE(service_.Create(spec, 250, actor_).ok());
  TokenFilter filter;
  filter.limit = 100;
  std::set<std::string> seen;
  int pages = 0;
  for (;;) {
    auto page = service_.List(filter);
    ASSERT_TRUE(page.ok());
    ++pages;
    for (const HoneyToken& t : page->items) EXPECT_TRUE(seen.insert(t.id).second);
    if (page->next_cursor.empty()) break;
    filter.after_id = page->next_cursor;
  }
  EXPECT_EQ(seen.size(), 250u);
  EXPECT_EQ(pages, 3);
  filter = {};
  filter.limit = 0;
  EXPECT_FALSE(service_.List(filter).ok());
}

}  // namespace
}  // namespace spacecrab

namespace spacecrab {
namespace {

TEST_F(TokenServiceTest, ExpiryFindsTokensOtherProcessesWroteOnTheFullScan) {
  // The first call is a full scan; tokens written straight to the store (as
  // another node would) are found then, or on the next full scan.
  EXPECT_EQ(*service_.ExpireDue(w_.clock.Now()), 0);
  IssuedToken t = CreateOne();
  HoneyToken foreign = t.token;
  foreign.expires_at = w_.clock.Now() - std::chrono::minutes(1);
  ASSERT_TRUE(w_.store->UpdateToken(foreign).ok());
  EXPECT_EQ(*service_.ExpireDue(w_.clock.Now()), 0);  // nothing this service knows is due
  w_.clock.Advance(std::chrono::minutes(5));
  EXPECT_EQ(*service_.ExpireDue(w_.clock.Now()), 1);
  EXPECT_EQ(w_.store->GetToken(t.token.id)->status, TokenStatus::kExpired);
}

TEST_F(TokenServiceTest, ExpiryOfAnUpdatedTokenIsNoticedWithoutAFullScan) {
  EXPECT_EQ(*service_.ExpireDue(w_.clock.Now()), 0);
  IssuedToken t = CreateOne();
  TokenPatch patch;
  patch.expires_at = std::optional<Timestamp>(w_.clock.Now() + std::chrono::seconds(10));
  ASSERT_TRUE(service_.Update(t.token.id, patch, actor_).ok());
  w_.clock.Advance(std::chrono::seconds(11));
  EXPECT_EQ(*service_.ExpireDue(w_.clock.Now()), 1);
}

}  // namespace
}  // namespace spacecrab
