// libcurl handles as RAII types and the one conversion of curl errors into a
// Status (STYLE: one helper per outside library).
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace spacecrab::alert {

struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct CurlMimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;
using CurlMimePtr = std::unique_ptr<curl_mime, CurlMimeDeleter>;

// Transport failures (resolve, connect, timeout, TLS handshake, send/recv,
// server said 4xx/5xx at the SMTP level) are kUnavailable: a later try may
// work. Misuse (bad URL, unsupported protocol, login denied) is final
// (kFailedPrecondition / kInvalidArgument). `what` prefixes the message.
inline Status StatusFromCurl(CURLcode rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_OK:
      return Status::Ok();
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return InvalidArgument(msg);
    case CURLE_LOGIN_DENIED:
    case CURLE_REMOTE_ACCESS_DENIED:
      return FailedPrecondition(msg);
    case CURLE_OUT_OF_MEMORY:
      return Internal(msg);
    default:
      return Unavailable(msg);
  }
}

// Adds a header line to a list that RAII owns (slist append may reallocate).
inline bool AppendHeader(CurlSlistPtr& list, const std::string& line) {
  curl_slist* next = curl_slist_append(list.get(), line.c_str());
  if (!next) return false;
  (void)list.release();
  list.reset(next);
  return true;
}

}  // namespace spacecrab::alert
