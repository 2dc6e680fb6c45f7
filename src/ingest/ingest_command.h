// `spacecrab ingest [--config CFG] PATH...|s3://bucket/prefix|-`: one-shot
// processing of CloudTrail files straight into the store (backfill,
// retro-hunt). Shows a progress bar when stderr is a terminal and ends with a
// summary (files, records, detections, quarantined, time).
//
// The cli module registers the command and calls RunIngestCommand with the
// loaded Config. Exit code: 0 when every input was read (bad files are
// quarantined and counted, not failures), 1 when a source failed (missing
// path, S3 or store error) or an explicitly configured [enrich] data file is
// missing or corrupt, 2 for unusable arguments. Logs go to stderr, so stdout
// carries only the summary.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace spacecrab::ingest {

struct IngestCommandOptions {
  bool json = false;          // print the summary as JSON on stdout
  bool progress = true;       // progress bar, if stderr is a terminal
  bool resume = false;        // S3 inputs: resume from / save a checkpoint ("ingest:s3://...")
  bool walk_every_file = true;  // false: skip parsing files without a pre-filter hit (faster)
  bool enrich = true;         // enrich detections from [enrich] (false: --no-enrich)
};

int RunIngestCommand(const Config& config, const std::vector<std::string>& inputs,
                     const IngestCommandOptions& options);

}  // namespace spacecrab::ingest
