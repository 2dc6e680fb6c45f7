// JSON shapes of the API's resources (DESIGN "JSON shapes"), and their
// OpenAPI schemas next to them so the two change together.
//
// A token's sealed_secret and an API key's secret_hash are never serialised.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/json_writer.h"
#include "core/api_key.h"
#include "core/audit.h"
#include "core/honey_token.h"
#include "core/time.h"

namespace spacecrab {

nlohmann::json TimeOrNull(const std::optional<Timestamp>& t);

// Tokens and credentials are written as text first (lists of a thousand are
// the largest answers); the nlohmann forms are parsed from that same text, so
// there is one definition of each shape.
void WriteToken(JsonWriter& w, const HoneyToken& token);
// {access_key_id, secret_access_key, region, endpoint_url?, formatted?}
void WriteCredentials(JsonWriter& w, const Credentials& credentials, const std::string& formatted);
nlohmann::json TokenToJson(const HoneyToken& token);
nlohmann::json CredentialsToJson(const Credentials& credentials, const std::string& formatted);
nlohmann::json ApiKeyToJson(const ApiKey& key);
nlohmann::json AuditEntryToJson(const AuditEntry& entry);

// components/schemas entries: Token, Credentials, IssuedTokenList, TokenList,
// ApiKey, ApiKeyList, CreatedApiKey, AuditEntry, AuditList, Problem.
nlohmann::json ResourceSchemas();

// {"$ref": "#/components/schemas/<name>"}
nlohmann::json SchemaRef(const std::string& name);

}  // namespace spacecrab
