#include "core/honey_token.h"

namespace spacecrab {

std::string_view ToString(TokenKind k) { return k == TokenKind::kAws ? "aws" : "decoy"; }

std::string_view ToString(TokenStatus s) {
  switch (s) {
    case TokenStatus::kActive: return "active";
    case TokenStatus::kRevoked: return "revoked";
    case TokenStatus::kExpired: return "expired";
    case TokenStatus::kDeleted: return "deleted";
  }
  return "active";
}

std::optional<TokenKind> ParseTokenKind(std::string_view s) {
  if (s == "aws") return TokenKind::kAws;
  if (s == "decoy") return TokenKind::kDecoy;
  return std::nullopt;
}

std::optional<TokenStatus> ParseTokenStatus(std::string_view s) {
  if (s == "active") return TokenStatus::kActive;
  if (s == "revoked") return TokenStatus::kRevoked;
  if (s == "expired") return TokenStatus::kExpired;
  if (s == "deleted") return TokenStatus::kDeleted;
  return std::nullopt;
}

}  // namespace spacecrab
