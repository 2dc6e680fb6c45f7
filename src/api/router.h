// Router: finds the route for a method and path.
//
// Patterns are literal segments and "{name}" segments that capture one
// non-empty path segment ("/api/v1/tokens/{id}/rotate"). Literal segments win
// over captures, so "/tokens/export" and "/tokens/{id}" may coexist. Matching
// is by segments, never by regular expression, so it costs O(segments) and
// can not be tricked into backtracking.
//
// Thread-safety: Add() before serving; Match() is const and safe concurrently.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/route.h"

namespace spacecrab {

struct RouteMatch {
  enum Kind { kFound, kNoSuchPath, kMethodNotAllowed } kind = kNoSuchPath;
  const Route* route = nullptr;               // kFound
  std::map<std::string, std::string> params;  // kFound
  std::vector<std::string> allowed_methods;   // kMethodNotAllowed
};

class Router {
 public:
  // InvalidArgument for a malformed pattern or a duplicate (method, pattern).
  Status Add(Route route);
  RouteMatch Match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  static std::vector<std::string_view> Split(std::string_view path);
  // Returns true and fills params when `pattern` matches `segments`; `score`
  // counts literal segments (higher is more specific).
  static bool MatchPattern(const std::string& pattern,
                           const std::vector<std::string_view>& segments,
                           std::map<std::string, std::string>& params, int& score);

  std::vector<Route> routes_;
};

}  // namespace spacecrab
