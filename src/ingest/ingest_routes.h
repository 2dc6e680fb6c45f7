// IngestRoutes: mounts the push endpoints (push_handlers.h) on the ApiServer.
//
//   POST /api/v1/ingest/eventbridge | /cloudwatch | /cloudtrail
//
// eventbridge and cloudtrail need scope deploy, checked by the ApiServer
// (Authorization: Bearer). cloudwatch declares no server-side scope: Firehose
// sends its key in X-Amz-Firehose-Access-Key, not Authorization, and must get
// its own response shape on failure, so the handler checks that key through
// ApiKeyPushAuthenticator (scope deploy or admin). (The ApiServer strips
// Authorization before handlers run, so Bearer keys do not reach the
// cloudwatch handler.)
// Bodies up to 64 MiB (Firehose's largest buffer), any content type.
//
// Thread-safety: as PushHandlers. Ownership: the handlers and the key
// service must outlive the routes.
#pragma once

#include <vector>

#include "api/route.h"
#include "ingest/push_handlers.h"
#include "service/api_key_service.h"

namespace spacecrab::ingest {

class ApiKeyPushAuthenticator final : public PushAuthenticator {
 public:
  explicit ApiKeyPushAuthenticator(ApiKeyService& keys) : keys_(keys) {}
  Status Authenticate(std::string_view secret) override;

 private:
  ApiKeyService& keys_;
};

class IngestRoutes final : public RouteGroup {
 public:
  explicit IngestRoutes(PushHandlers& handlers) : handlers_(handlers) {}
  std::vector<Route> Routes() override;

 private:
  PushHandlers& handlers_;
};

}  // namespace spacecrab::ingest
