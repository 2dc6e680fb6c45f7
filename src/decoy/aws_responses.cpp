#include "decoy/aws_responses.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

namespace spacecrab::decoy {
namespace {

constexpr char kInvalidToken[] = "The security token included in the request is invalid.";
constexpr char kSignatureMismatchQuery[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
constexpr char kSignatureMismatchS3[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "key and signing method.";
constexpr char kEc2AuthFailure[] = "AWS was not able to validate the provided access credentials";

std::string QueryNamespace(const AwsOperation& op) {
  if (op.service == "sts") return "https://sts.amazonaws.com/doc/2011-06-15/";
  if (op.service == "iam") return "https://iam.amazonaws.com/doc/2010-05-08/";
  if (op.api_version.empty()) return "";
  return "http://" + op.service + ".amazonaws.com/doc/" + op.api_version + "/";
}

std::optional<std::string> RequestParam(const AwsOperation& op, std::string_view name) {
  for (const auto& [n, v] : op.request_parameters)
    if (n == name) return v;
  return std::nullopt;
}

// The resource an IAM/STS AccessDenied message names; empty when AWS would
// not name one (then the message has no "on resource:" clause).
std::string DeniedResource(const AwsOperation& op, const Caller& caller) {
  const std::string base = "arn:aws:iam::" + caller.account_id + ":";
  if (op.service == "iam") {
    if (const auto p = RequestParam(op, "userName")) return base + "user/" + *p;
    if (const auto p = RequestParam(op, "roleName")) return base + "role/" + *p;
    if (const auto p = RequestParam(op, "groupName")) return base + "group/" + *p;
    if (const auto p = RequestParam(op, "policyArn")) return *p;
    const std::string& n = op.event_name;
    if (n.find("InstanceProfile") != std::string::npos) return base + "instance-profile/";
    if (n.find("Role") != std::string::npos) return base + "role/";
    if (n.find("Group") != std::string::npos) return base + "group/";
    if (n.find("Polic") != std::string::npos) return base + "policy/";
    if (n == "ListUsers") return base + "user/";
    return caller.arn;  // GetUser, ListAccessKeys, ... act on the caller
  }
  if (op.service == "sts") {
    if (const auto p = RequestParam(op, "roleArn")) return *p;
    return caller.arn;
  }
  return "";
}

std::string DeniedMessage(const AwsOperation& op, const Caller& caller) {
  const std::string action = op.IamAction();
  std::string message = "User: " + caller.arn + " is not authorized to perform: " + action;
  const std::string resource = DeniedResource(op, caller);
  if (!resource.empty()) message += " on resource: " + resource;
  message += " because no identity-based policy allows the " + action + " action";
  return message;
}

DecoyResponse Base(int status, std::string request_id, std::string code, std::string message) {
  DecoyResponse r;
  r.status = status;
  r.request_id = std::move(request_id);
  r.error_code = std::move(code);
  r.error_message = std::move(message);
  return r;
}

DecoyResponse QueryError(const AwsOperation& op, int status, std::string code, std::string message,
                         AwsIdGenerator& ids, Timestamp now) {
  DecoyResponse r = Base(status, ids.Uuid(), std::move(code), std::move(message));
  const std::string ns = QueryNamespace(op);
  r.body = ns.empty() ? "<ErrorResponse>\n" : "<ErrorResponse xmlns=\"" + ns + "\">\n";
  r.body += "  <Error>\n    <Type>Sender</Type>\n    <Code>" + XmlEscape(r.error_code) +
            "</Code>\n    <Message>" + XmlEscape(r.error_message) + "</Message>\n  </Error>\n" +
            "  <RequestId>" + r.request_id + "</RequestId>\n</ErrorResponse>\n";
  r.content_type = "text/xml";
  r.headers = {{"x-amzn-RequestId", r.request_id}, {"Date", HttpDate(now)}};
  return r;
}

DecoyResponse Ec2Error(int status, std::string code, std::string message, AwsIdGenerator& ids,
                       Timestamp now) {
  DecoyResponse r = Base(status, ids.Uuid(), std::move(code), std::move(message));
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" +
           XmlEscape(r.error_code) + "</Code><Message>" + XmlEscape(r.error_message) +
           "</Message></Error></Errors><RequestID>" + r.request_id + "</RequestID></Response>";
  r.content_type = "text/xml;charset=UTF-8";
  r.headers = {{"x-amzn-RequestId", r.request_id},
               {"Cache-Control", "no-cache, no-store"},
               {"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
               {"Vary", "accept-encoding"},
               {"Date", HttpDate(now)},
               {"Server", "AmazonEC2"}};
  return r;
}

DecoyResponse JsonError(const AwsOperation& op, int status, std::string code, std::string message,
                        bool capital_message, AwsIdGenerator& ids, Timestamp now) {
  const bool dynamo = op.service == "dynamodb";
  DecoyResponse r = Base(status, dynamo ? ids.DynamoDbRequestId() : ids.Uuid(), std::move(code),
                         std::move(message));
  nlohmann::json body;
  body["__type"] = dynamo ? "com.amazon.coral.service#" + r.error_code : r.error_code;
  body[capital_message ? "Message" : "message"] = r.error_message;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.content_type =
      op.json_content_type.empty() ? "application/x-amz-json-1.1" : op.json_content_type;
  r.headers = {{"x-amzn-RequestId", r.request_id}, {"Date", HttpDate(now)}};
  if (dynamo) r.headers.emplace_back("Server", "Server");
  return r;
}

DecoyResponse RestJsonError(int status, std::string code, std::string message, bool capital_message,
                            AwsIdGenerator& ids, Timestamp now) {
  DecoyResponse r = Base(status, ids.Uuid(), std::move(code), std::move(message));
  nlohmann::json body;
  body[capital_message ? "Message" : "message"] = r.error_message;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.content_type = "application/json";
  r.headers = {{"x-amzn-RequestId", r.request_id},
               {"x-amzn-ErrorType", r.error_code},
               {"Date", HttpDate(now)}};
  return r;
}

std::string SpacedHexBytes(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (!out.empty()) out.push_back(' ');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

DecoyResponse S3Error(int status, std::string code, std::string message, std::string extra_xml,
                      AwsIdGenerator& ids, Timestamp now) {
  DecoyResponse r = Base(status, ids.S3RequestId(), std::move(code), std::move(message));
  const std::string host_id = ids.S3HostId();
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + XmlEscape(r.error_code) +
           "</Code><Message>" + XmlEscape(r.error_message) + "</Message>" + extra_xml +
           "<RequestId>" + r.request_id + "</RequestId><HostId>" + host_id + "</HostId></Error>";
  r.content_type = "application/xml";
  r.headers = {{"x-amz-request-id", r.request_id},
               {"x-amz-id-2", host_id},
               {"Date", HttpDate(now)},
               {"Server", "AmazonS3"}};
  return r;
}

std::string Element(std::string_view name, std::string_view value) {
  return "<" + std::string(name) + ">" + XmlEscape(value) + "</" + std::string(name) + ">";
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 cannot carry most control characters at all.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += "&#xFFFD;";
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

std::string HttpDate(Timestamp t) {
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const weekday wd{day};
  const hh_mm_ss hms{secs - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", kDays[wd.c_encoding()],
                unsigned(ymd.day()), kMonths[unsigned(ymd.month()) - 1], int(ymd.year()),
                int(hms.hours().count()), int(hms.minutes().count()), int(hms.seconds().count()));
  return buf;
}

DecoyResponse CallerIdentityResponse(const AwsOperation& op, const Caller& caller,
                                     AwsIdGenerator& ids, Timestamp now) {
  DecoyResponse r;
  r.status = 200;
  if (op.protocol == ApiProtocol::kJson) {
    r.request_id = ids.Uuid();
    nlohmann::json body = {
        {"Account", caller.account_id}, {"Arn", caller.arn}, {"UserId", caller.user_id}};
    r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    r.content_type = op.json_content_type;
  } else {
    r.request_id = ids.Uuid();
    r.body =
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
        "  <GetCallerIdentityResult>\n"
        "    <Arn>" +
        XmlEscape(caller.arn) +
        "</Arn>\n"
        "    <UserId>" +
        XmlEscape(caller.user_id) +
        "</UserId>\n"
        "    <Account>" +
        XmlEscape(caller.account_id) +
        "</Account>\n"
        "  </GetCallerIdentityResult>\n"
        "  <ResponseMetadata>\n"
        "    <RequestId>" +
        r.request_id +
        "</RequestId>\n"
        "  </ResponseMetadata>\n"
        "</GetCallerIdentityResponse>\n";
    r.content_type = "text/xml";
  }
  r.headers = {{"x-amzn-RequestId", r.request_id}, {"Date", HttpDate(now)}};
  return r;
}

DecoyResponse AccessDeniedResponse(const AwsOperation& op, const Caller& caller,
                                   AwsIdGenerator& ids, Timestamp now) {
  switch (op.protocol) {
    case ApiProtocol::kQuery:
      return QueryError(op, 403, "AccessDenied", DeniedMessage(op, caller), ids, now);
    case ApiProtocol::kEc2:
      return Ec2Error(403, "UnauthorizedOperation",
                      "You are not authorized to perform this operation. User: " + caller.arn +
                          " is not authorized to perform: " + op.IamAction() +
                          " because no identity-based policy allows the " + op.IamAction() +
                          " action",
                      ids, now);
    case ApiProtocol::kJson:
      return JsonError(op, 400, "AccessDeniedException", DeniedMessage(op, caller), true, ids, now);
    case ApiProtocol::kRestJson:
      return RestJsonError(403, "AccessDeniedException",
                           "User: " + caller.arn + " is not authorized to access this resource",
                           true, ids, now);
    case ApiProtocol::kS3:
      return S3Error(403, "AccessDenied", "Access Denied", "", ids, now);
  }
  return S3Error(403, "AccessDenied", "Access Denied", "", ids, now);
}

DecoyResponse AuthFailureResponse(const AwsOperation& op, AuthFailure failure,
                                  const AuthFailureDetails& d, AwsIdGenerator& ids, Timestamp now) {
  switch (op.protocol) {
    case ApiProtocol::kQuery:
      switch (failure) {
        case AuthFailure::kUnknownKey:
          return QueryError(op, 403, "InvalidClientTokenId", kInvalidToken, ids, now);
        case AuthFailure::kSignatureMismatch:
          return QueryError(op, 403, "SignatureDoesNotMatch", kSignatureMismatchQuery, ids, now);
        case AuthFailure::kMissingAuth:
          return QueryError(op, 403, "MissingAuthenticationToken",
                            "Request is missing Authentication Token", ids, now);
        case AuthFailure::kMalformedAuth:
          return QueryError(op, 400, "IncompleteSignature",
                            "Request must contain a signature that conforms to AWS standards", ids,
                            now);
        case AuthFailure::kExpired:
          return QueryError(op, 403, "SignatureDoesNotMatch",
                            "Signature expired: " + aws::FormatAmzDate(d.expired_at) +
                                " is now earlier than " + aws::FormatAmzDate(now) + ".",
                            ids, now);
      }
      break;
    case ApiProtocol::kEc2:
      return Ec2Error(401, "AuthFailure", kEc2AuthFailure, ids, now);
    case ApiProtocol::kJson:
    case ApiProtocol::kRestJson: {
      const bool rest = op.protocol == ApiProtocol::kRestJson;
      const int status = rest ? 403 : 400;
      std::string code, message;
      switch (failure) {
        case AuthFailure::kUnknownKey:
          code = "UnrecognizedClientException";
          message = kInvalidToken;
          break;
        case AuthFailure::kSignatureMismatch:
        case AuthFailure::kExpired:
          code = "InvalidSignatureException";
          message = kSignatureMismatchQuery;
          break;
        case AuthFailure::kMissingAuth:
          code = "MissingAuthenticationTokenException";
          message = "Missing Authentication Token";
          break;
        case AuthFailure::kMalformedAuth:
          code = "IncompleteSignatureException";
          message = "Request must contain a signature that conforms to AWS standards";
          break;
      }
      return rest ? RestJsonError(status, code, message, false, ids, now)
                  : JsonError(op, status, code, message, false, ids, now);
    }
    case ApiProtocol::kS3:
      switch (failure) {
        case AuthFailure::kUnknownKey:
          return S3Error(403, "InvalidAccessKeyId",
                         "The AWS Access Key Id you provided does not exist in our records.",
                         Element("AWSAccessKeyId", d.access_key_id), ids, now);
        case AuthFailure::kSignatureMismatch:
          return S3Error(
              403, "SignatureDoesNotMatch", kSignatureMismatchS3,
              Element("AWSAccessKeyId", d.access_key_id) +
                  Element("StringToSign", d.string_to_sign) +
                  Element("SignatureProvided", d.signature_provided) +
                  Element("StringToSignBytes", SpacedHexBytes(d.string_to_sign)) +
                  (d.canonical_request.empty()  // SigV2 has none
                       ? std::string()
                       : Element("CanonicalRequest", d.canonical_request) +
                             Element("CanonicalRequestBytes", SpacedHexBytes(d.canonical_request))),
              ids, now);
        case AuthFailure::kMissingAuth:
          return S3Error(403, "AccessDenied", "Access Denied", "", ids, now);
        case AuthFailure::kMalformedAuth:
          if (d.presigned) {
            return S3Error(400, "AuthorizationQueryParametersError",
                           "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                           "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
                           "and X-Amz-Expires parameters.",
                           "", ids, now);
          }
          return S3Error(400, "AuthorizationHeaderMalformed",
                         "The authorization header is malformed; the authorization header "
                         "requires three components: Credential, SignedHeaders, and Signature.",
                         "", ids, now);
        case AuthFailure::kExpired:
          return S3Error(
              403, "AccessDenied", "Request has expired",
              (d.expires_seconds > 0 ? Element("X-Amz-Expires", std::to_string(d.expires_seconds))
                                     : std::string()) +
                  Element("Expires", FormatRfc3339(d.expired_at)) +
                  Element("ServerTime", FormatRfc3339(now)),
              ids, now);
      }
      break;
  }
  return S3Error(403, "AccessDenied", "Access Denied", "", ids, now);
}

}  // namespace spacecrab::decoy
