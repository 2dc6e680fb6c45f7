// IamMaintenance: keeps IAM and the store in agreement while `serve` runs.
//
// A background thread reconciles (provider/iam/iam_reconciler.h) once at
// start and then every `interval`:
//  - the first run finishes or rolls back every intent opened before this
//    object was made — work a crashed or killed earlier process left half
//    done (no orphan user, no key without its token);
//  - later runs only touch intents older than `min_intent_age`, so a mint or
//    rotation in flight in this process (or another) is never undone; they
//    also close the intents of tokens stored since, put back deny policies
//    removed by hand and report drift.
// Findings are logged (repairs at info, drift and errors at warn); the last
// report is kept for callers that want to show it.
//
// Thread-safety: Start/Stop from the owning thread; LastReport from any.
// Ownership: everything in the options is borrowed and must outlive the
// object; the destructor stops the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/aws_iam.h"
#include "core/clock.h"
#include "provider/iam/iam_intent_log.h"
#include "provider/iam/iam_reconciler.h"
#include "provider/key_pool_store.h"
#include "store/store.h"

namespace spacecrab {

struct IamReconcileRun {
  AwsIam* aws = nullptr;            // REQUIRED
  IamIntentLog* intents = nullptr;  // REQUIRED
  Store* store = nullptr;           // REQUIRED
  const Clock* clock = nullptr;     // REQUIRED
  KeyPoolStore* pool = nullptr;     // warm pools' keys count as tracked (optional)
  std::chrono::milliseconds min_intent_age{std::chrono::minutes(10)};
  std::optional<Timestamp> opened_before;  // see IamReconcileOptions
  bool repair = true;
  bool delete_untracked_users = false;
};

// One reconcile of the AWS tokens in `store` against IAM in aws->account_id.
Expected<IamReconcileReport> RunIamReconcile(const IamReconcileRun& run);

struct IamMaintenanceOptions {
  IamReconcileRun run;  // the first run takes intents opened before construction
  std::chrono::milliseconds interval{std::chrono::minutes(15)};
};

class IamMaintenance final {
 public:
  explicit IamMaintenance(IamMaintenanceOptions options);
  ~IamMaintenance();
  IamMaintenance(const IamMaintenance&) = delete;
  IamMaintenance& operator=(const IamMaintenance&) = delete;

  void Start();
  // Wakes the thread and joins it; a reconcile in progress finishes first.
  void Stop();

  std::optional<IamReconcileReport> LastReport() const;
  int runs() const;

 private:
  void Loop();
  void RunOnce(const IamReconcileRun& run);

  IamMaintenanceOptions options_;
  Timestamp created_at_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  int runs_ = 0;
  std::optional<IamReconcileReport> last_;
  std::thread thread_;
};

}  // namespace spacecrab
