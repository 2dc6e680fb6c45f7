// The events table's column list and row reader, shared by SqliteStore (events)
// and SqliteAlertStore (the backlog of events without an incident), so both
// read an Event the same way.
#pragma once

#include "core/event.h"
#include "store/sqlite_db.h"

namespace spacecrab {

// Column 16 is `seq` (the received order), read separately by pagers.
inline constexpr const char* kSqliteEventColumns =
    "id, token_id, access_key_id, event_time, event_source, event_name, aws_region, "
    "source_ip, user_agent, error_code, request_id, incident_id, origin, enrichment_json, "
    "raw_json, received_at, seq";

// Reads the current row of a statement selecting kSqliteEventColumns.
Event ReadSqliteEvent(const Statement& s);

}  // namespace spacecrab
