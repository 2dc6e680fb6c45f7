// What chat cards (Slack, Teams) show, in one place so both channels say the
// same thing: a headline per message kind and a list of labelled facts.
//
// Values are raw text; each chat sink escapes them for its own markup, which
// matters because the user agent, event name and source come from whoever
// used the key (e.g. a user agent of "<!channel>" must not ping a channel).
//
// Pure functions; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "alert/sink.h"

namespace spacecrab::alert {

struct ChatFact {
  std::string label;
  std::string value;
};

// "Page", "Update", "Resolved" prefix + AlertSummary.
std::string ChatHeadline(const AlertMessage& message);
// Non-empty facts in reading order: severity, location, owner, token, source,
// country, network, tool, user agent, action, error, incident, count, actions.
std::vector<ChatFact> ChatFacts(const Alert& alert);
// Cuts to at most `max` bytes on a UTF-8 boundary, adding "…" when cut.
std::string Clip(std::string_view s, size_t max);

}  // namespace spacecrab::alert
