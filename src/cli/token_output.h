// Human-readable output for token commands, and the rendering of issued
// credentials in a --format (core/credential_format.h).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace spacecrab::cli {

// The items of a create/rotate response: {"items":[{"token","credentials"}]};
// a bare {"token","credentials"} object counts as one item.
nlohmann::json IssuedItems(const nlohmann::json& response);

// Every item's credentials in `format`. Several items: CSV keeps one header;
// INI profiles and Secret names get "-2", "-3", ... suffixes so the result
// stays one valid file.
Expected<std::string> RenderIssued(const nlohmann::json& items, const std::string& format,
                                   const std::string& profile);

// "tok_...  AKIA...  <location>" plus the credentials, shown once.
void PrintIssued(const nlohmann::json& items);
// One token as "field: value" lines.
void PrintToken(const nlohmann::json& token);
// Tokens as a table (see PrintTable).
void PrintTokenTable(const nlohmann::json& tokens);

}  // namespace spacecrab::cli
