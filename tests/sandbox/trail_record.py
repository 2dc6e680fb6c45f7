"""Builds the CloudTrail record AWS would write for one API call.

Pure functions (no I/O): given what crossed the wire — method, path, headers,
body, the caller's address, the response — and who owns the signing key,
return the record a real trail would deliver, or None when AWS would log
nothing (unsigned calls, unknown keys, SimpleDB, S3 data events on a
management-events trail).

Field names and shapes follow real records (see /work/shared/corpus/):
userIdentity {type IAMUser, principalId, arn, accountId, accessKeyId,
userName}, eventSource "<service>.amazonaws.com", eventName from the Query
Action, the X-Amz-Target or the REST route, errorCode/errorMessage as the
service answered (EC2's with its "Client." prefix), requestID, eventID,
readOnly, eventType AwsApiCall, managementEvent, eventCategory.
"""

import datetime
import json
import re
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

# Services whose endpoints are global: their events land in us-east-1.
GLOBAL_SERVICES = {"iam", "sts", "cloudfront", "route53", "organizations"}
# CloudTrail does not log SimpleDB at all (the trick Pacu's detector relies on).
UNLOGGED_SERVICES = {"sdb"}
# Errors that mean AWS could not attribute the call to a principal of the
# account: nothing reaches that account's trail.
UNATTRIBUTABLE_ERRORS = {"InvalidClientTokenId", "InvalidAccessKeyId", "AuthFailure",
                         "UnrecognizedClientException", "InvalidToken"}
# S3 operations a management-events trail does not log (data events).
S3_DATA_EVENTS = {"GetObject", "PutObject", "DeleteObject", "DeleteObjects", "HeadObject",
                  "ListObjects", "ListObjectsV2", "ListObjectVersions", "CopyObject",
                  "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload",
                  "AbortMultipartUpload", "ListParts", "GetObjectAcl", "PutObjectAcl",
                  "GetObjectTagging", "PutObjectTagging", "RestoreObject", "SelectObjectContent"}
# CloudTrail names some S3 calls differently from the SDK.
S3_EVENT_ALIASES = {"ListObjectsV2": "ListObjects", "HeadBucket": "HeadBucket"}
READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Search", "Scan", "Query",
                      "BatchGet", "Check", "Select", "Preview")

_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")


class SignedCall:
    """Who signed a request: key id, credential-scope region and service."""

    def __init__(self, access_key_id, region, service):
        self.access_key_id = access_key_id
        self.region = region
        self.service = service


def parse_signature(headers, query):
    """SignedCall from the Authorization header or a presigned query, or None."""
    auth = headers.get("Authorization", "")
    m = _CREDENTIAL_RE.search(auth)
    if not m and "X-Amz-Credential" in query:
        m = _CREDENTIAL_RE.search("Credential=" + query["X-Amz-Credential"][0])
    if not m:
        return None
    return SignedCall(m.group(1), m.group(3), m.group(4))


def lower_camel(name):
    """"UserName" -> "userName", "DryRun" -> "dryRun", "MaxItems" -> "maxItems"."""
    return name[:1].lower() + name[1:] if name else name


def form_params(headers, body, query):
    """Query-protocol parameters from the form body (POST) or the query string."""
    params = {k: v[0] for k, v in query.items()}
    ctype = headers.get("Content-Type", "")
    if body and "x-www-form-urlencoded" in ctype:
        for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
            params[k] = v[0]
    return params


_model_cache = {}


def _service_model(service):
    if service not in _model_cache:
        try:
            import botocore.session
            _model_cache[service] = botocore.session.get_session().get_service_model(service)
        except Exception:  # unknown service: the route stays unnamed
            _model_cache[service] = None
    return _model_cache[service]


def _rest_operation(service, method, path, query):
    """(operation name, uri params) of a REST call, matched on the botocore model."""
    model = _service_model(service)
    if model is None:
        return None, {}
    best = None
    for name in model.operation_names:
        http = model.operation_model(name).http
        if http.get("method") != method:
            continue
        uri, _, required_query = http.get("requestUri", "/").partition("?")
        pattern = "^" + re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)",
                               re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(uri))) + "$"
        m = re.match(pattern, path)
        if not m:
            continue
        required = [q.split("=", 1) for q in required_query.split("&") if q]
        if not all(kv[0] in query and (len(kv) == 1 or query[kv[0]][0] == kv[1]) for kv in required):
            continue
        # Prefer the most specific route: more required query keys, longer literal URI.
        score = (len(required), len(re.sub(r"\{[^}]+\}", "", uri)))
        if best is None or score > best[0]:
            best = (score, name, m.groupdict())
    return (best[1], best[2]) if best else (None, {})


def _error_from_response(service, status, headers, body):
    """(errorCode, errorMessage, requestId) from a failed response."""
    code = message = request_id = None
    text = body.decode("utf-8", "replace") if body else ""
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
            code = (doc.get("__type") or doc.get("code") or "").split("#")[-1] or None
            message = doc.get("message") or doc.get("Message")
        except ValueError:
            pass
    elif text.lstrip().startswith("<"):
        try:
            root = ET.fromstring(text)
            for el in root.iter():
                tag = el.tag.split("}")[-1]
                if tag == "Code" and code is None:
                    code = (el.text or "").strip()
                elif tag == "Message" and message is None:
                    message = (el.text or "").strip()
                elif tag in ("RequestId", "RequestID") and request_id is None:
                    request_id = (el.text or "").strip()
        except ET.ParseError:
            pass
    if not code:
        code = "AccessDenied" if status == 403 else ("InternalError" if status >= 500 else "BadRequest")
    if service == "ec2" and code == "AccessDenied":  # moto's word; EC2 says this
        code = "UnauthorizedOperation"
    if service == "ec2" and not code.startswith(("Client.", "Server.")):
        code = ("Server." if status >= 500 else "Client.") + code
    return code, message, request_id


def _xml_to_json(el):
    children = list(el)
    if not children:
        return el.text
    if all(c.tag.split("}")[-1] == "member" for c in children):
        return [_xml_to_json(c) for c in children]
    return {lower_camel(c.tag.split("}")[-1]): _xml_to_json(c) for c in children}


def _response_elements(event_name, body):
    """What real trails put in responseElements for a successful mutating Query call."""
    try:
        root = ET.fromstring(body.decode("utf-8", "replace"))
    except ET.ParseError:
        return None
    result = next((c for c in root if c.tag.split("}")[-1] == event_name + "Result"), None)
    if result is None or len(result) == 0:
        return None
    out = _xml_to_json(result)
    if isinstance(out, dict):
        for v in out.values():
            if isinstance(v, dict):
                v.pop("secretAccessKey", None)  # never a secret in a log
                if isinstance(v.get("createDate"), str):
                    v["createDate"] = _iam_date(v["createDate"])
    return out


def _iam_date(iso):
    """IAM's responseElements dates read "Nov 23, 2026 6:02:29 PM"."""
    try:
        t = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return f"{t:%b} {t.day}, {t.year} {(t.hour % 12) or 12}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


def _with_full_arn(message, identity):
    """moto's messages drop the user's path from the ARN; AWS's do not."""
    arn = identity["arn"]
    prefix, _, user_part = arn.partition(":user")
    if not user_part or user_part.count("/") < 2:
        return message
    short = f"{prefix}:user/{identity['user_name']}"
    return re.sub(re.escape(short) + r"(?![\w+=,.@-])", arn, message)


def _request_id(headers, fallback):
    for h in ("x-amzn-RequestId", "x-amz-request-id", "x-amzn-requestid"):
        for k, v in headers.items():
            if k.lower() == h.lower():
                return v
    return fallback


def build_record(*, method, path, query, headers, body, source_ip, status, response_headers,
                 response_body, identity, account_id, event_time=None, record_data_events=False):
    """The record AWS would write for this call, or None if it would write none.

    `identity` is None for a key the account does not know, else a dict with
    user_name, user_id, arn (the IAM user that owns the key).
    """
    signed = parse_signature(headers, query)
    if signed is None or signed.service in UNLOGGED_SERVICES or identity is None:
        return None
    service = signed.service
    error_code = error_message = body_request_id = None
    if status >= 400:
        error_code, error_message, body_request_id = _error_from_response(
            service, status, response_headers, response_body)
        if error_code.split(".")[-1] in UNATTRIBUTABLE_ERRORS or error_code == "SignatureDoesNotMatch":
            return None

    target = headers.get("X-Amz-Target")
    params = form_params(headers, body, query)
    request_parameters = None
    if target:
        event_name = target.split(".")[-1]
        try:
            request_parameters = {lower_camel(k): v for k, v in json.loads(body or b"{}").items()}
        except ValueError:
            request_parameters = None
    elif "Action" in params:
        event_name = params["Action"]
        request_parameters = {lower_camel(k): v for k, v in params.items()
                              if k not in ("Action", "Version")} or None
    else:
        op, uri_params = _rest_operation(service, method, path, query)
        event_name = op or f"{method} {path}"
        if service == "s3":
            if op in S3_DATA_EVENTS and not record_data_events:
                return None
            event_name = S3_EVENT_ALIASES.get(op, event_name)
            request_parameters = {"Host": headers.get("Host", "")}
            if "Bucket" in uri_params:
                request_parameters["bucketName"] = uri_params["Bucket"]
            if "Key" in uri_params:
                request_parameters["key"] = urllib.parse.unquote(uri_params["Key"])
        else:
            request_parameters = {lower_camel(k): urllib.parse.unquote(v) for k, v in uri_params.items()} or None

    region = "us-east-1" if service in GLOBAL_SERVICES else signed.region
    when = event_time or datetime.datetime.now(datetime.timezone.utc)
    read_only = event_name.startswith(READ_ONLY_PREFIXES)
    request_id = body_request_id or _request_id(response_headers, str(uuid.uuid4()))
    response_elements = None
    if status < 400 and not read_only and "Action" in params and response_body:
        response_elements = _response_elements(event_name, response_body)
    data_event = service == "s3" and (event_name in S3_DATA_EVENTS)

    record = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": identity["user_id"],
            "arn": identity["arn"],
            "accountId": account_id,
            "accessKeyId": signed.access_key_id,
            "userName": identity["user_name"],
        },
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": f"{service}.amazonaws.com",
        "eventName": event_name,
        "awsRegion": region,
        "sourceIPAddress": source_ip,
        "userAgent": headers.get("User-Agent", ""),
    }
    if error_code:
        record["errorCode"] = error_code
        record["errorMessage"] = _with_full_arn(error_message or "", identity)
    record.update({
        "requestParameters": request_parameters,
        "responseElements": response_elements,
        "requestID": request_id,
        "eventID": str(uuid.uuid4()),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": not data_event,
        "recipientAccountId": account_id,
        "eventCategory": "Data" if data_event else "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": headers.get("Host", ""),
        },
    })
    return record
