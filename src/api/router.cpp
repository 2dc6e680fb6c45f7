#include "api/router.h"

#include <algorithm>

namespace spacecrab {

std::vector<std::string_view> Router::Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    const size_t end = std::min(path.find('/', pos), path.size());
    out.push_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

bool Router::MatchPattern(const std::string& pattern, const std::vector<std::string_view>& segments,
                          std::map<std::string, std::string>& params, int& score) {
  const auto parts = Split(pattern);
  if (parts.size() != segments.size()) return false;
  score = 0;
  std::map<std::string, std::string> captured;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      captured.emplace(std::string(part.substr(1, part.size() - 2)), std::string(segments[i]));
    } else if (part == segments[i]) {
      ++score;
    } else {
      return false;
    }
  }
  params = std::move(captured);
  return true;
}

Status Router::Add(Route route) {
  if (route.pattern.empty() || route.pattern.front() != '/' ||
      (route.pattern.size() > 1 && route.pattern.back() == '/'))
    return InvalidArgument("route pattern must start with '/' and not end with one: " +
                           route.pattern);
  if (!route.handler) return InvalidArgument("route has no handler: " + route.pattern);
  for (const Route& r : routes_)
    if (r.method == route.method && r.pattern == route.pattern)
      return InvalidArgument("duplicate route " + route.method + " " + route.pattern);
  routes_.push_back(std::move(route));
  return Status::Ok();
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  // A trailing slash is a different resource; so is "//" in the middle.
  if (path.empty() || path.front() != '/' || (path.size() > 1 && path.back() == '/') ||
      path.find("//") != std::string_view::npos)
    return result;
  const auto segments = Split(path);
  int best = -1;
  for (const Route& r : routes_) {
    std::map<std::string, std::string> params;
    int score = 0;
    if (!MatchPattern(r.pattern, segments, params, score)) continue;
    if (r.method != method) {
      // Every pattern matching the path contributes its method to Allow.
      if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(), r.method) ==
          result.allowed_methods.end())
        result.allowed_methods.push_back(r.method);
      continue;
    }
    if (score > best) {
      best = score;
      result.kind = RouteMatch::kFound;
      result.route = &r;
      result.params = std::move(params);
    }
  }
  if (result.kind != RouteMatch::kFound && !result.allowed_methods.empty())
    result.kind = RouteMatch::kMethodNotAllowed;
  return result;
}

}  // namespace spacecrab
