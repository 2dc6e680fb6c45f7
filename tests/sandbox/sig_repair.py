"""Works around one moto-server quirk without weakening signature checks.

moto re-derives the canonical request from werkzeug's `request.url`, which
decodes %2F, %3A, %2C, %40 ... in the query string. A correctly signed
`ListObjectsV2 ?prefix=AWSLogs%2F...` (what every CloudTrail reader sends)
therefore fails at moto with SignatureDoesNotMatch, while AWS accepts it.

For keys whose secret the proxy knows (the admin key, and every key it saw
being created through it), the proxy verifies the client's signature over
the URL exactly as sent — the way AWS would — and only if that is valid
re-signs the request over the URL as moto will see it. A bad signature is
passed through untouched, and moto rejects it as AWS would.
"""

import re
import threading
import urllib.parse

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

_SIG_RE = re.compile(r"Signature=([0-9a-f]{64})")


def moto_view(raw_target):
    """The path?query moto will reconstruct from werkzeug for this request target."""
    from werkzeug.sansio.utils import get_current_url
    parts = urllib.parse.urlsplit(raw_target)
    path_info = urllib.parse.unquote_to_bytes(parts.path).decode("latin-1")
    url = get_current_url("http", "h", "", path_info, parts.query.encode("latin-1"))
    view = urllib.parse.urlsplit(url)
    return view.path + ("?" + view.query if view.query else "")


def _signature(method, target, headers, body, key_id, secret, region, service):
    auth_header = headers["Authorization"]
    signed = auth_header.partition("SignedHeaders=")[2].partition(",")[0].split(";")
    hdrs = {k: v for k, v in headers.items() if k.lower() in signed}
    req = AWSRequest(method=method, url=target, data=body, headers=hdrs)
    req.context["timestamp"] = headers.get("X-Amz-Date") or headers.get("x-amz-date")
    cls = S3SigV4Auth if service == "s3" else SigV4Auth
    auth = cls(Credentials(key_id, secret), service, region)
    canonical = auth.canonical_request(req)
    return auth.signature(auth.string_to_sign(req, canonical), req)


class SignatureRepair:
    def __init__(self):
        self._lock = threading.Lock()
        self._secrets = {}
        self.repaired = 0

    def learn(self, access_key_id, secret):
        with self._lock:
            self._secrets[access_key_id] = secret

    def authorization_for_moto(self, method, raw_target, headers, body, signed):
        """A replacement Authorization header, or None to forward as is."""
        if signed is None or "Authorization" not in headers:
            return None
        view = moto_view(raw_target)
        if view == raw_target:
            return None
        with self._lock:
            secret = self._secrets.get(signed.access_key_id)
        if secret is None:
            return None
        args = (headers, body, signed.access_key_id, secret, signed.region, signed.service)
        m = _SIG_RE.search(headers["Authorization"])
        if not m or _signature(method, raw_target, *args) != m.group(1):
            return None  # invalid as sent: let moto reject it, as AWS would
        with self._lock:
            self.repaired += 1
        return headers["Authorization"][:m.start(1)] + _signature(method, view, *args) + \
            headers["Authorization"][m.end(1):]
