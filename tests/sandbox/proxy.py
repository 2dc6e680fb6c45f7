"""A reverse proxy in front of moto that does what CloudTrail does.

Every request is forwarded byte for byte (the Host header too, so SigV4
signatures made for the proxy's address verify at moto); for every signed
call by a principal of the account, a CloudTrail record is built from what
crossed the wire (trail_record.build_record) and handed to the trail
delivery. The signing key's owner is looked up in moto's IAM *before* the
call runs, so a call that deletes its own user is still attributed.

Threading: one thread per connection (ThreadingHTTPServer); the identity
directory and the delivery are thread-safe.
"""

import http.client
import http.server
import threading
import urllib.parse
import xml.etree.ElementTree as ET

import trail_record
from sig_repair import SignatureRepair

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "expect",
               "te", "trailer", "upgrade"}


class IdentityDirectory:
    """Access key id -> the IAM user owning it, from moto's IAM (admin creds)."""

    def __init__(self, iam_client):
        self._iam = iam_client
        self._lock = threading.Lock()
        self._cache = {}

    def lookup(self, access_key_id):
        with self._lock:
            if access_key_id in self._cache:
                return self._cache[access_key_id]
            try:
                user_name = self._iam.get_access_key_last_used(AccessKeyId=access_key_id)["UserName"]
                user = self._iam.get_user(UserName=user_name)["User"]
            except Exception:  # unknown key: AWS would log nothing for the account
                return None
            identity = {"user_name": user["UserName"], "user_id": user["UserId"], "arn": user["Arn"]}
            self._cache[access_key_id] = identity
            return identity


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: tests read records, not access logs
        pass

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _proxy(self):
        server = self.server
        body = self._read_body()
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        headers = {}
        for k, v in self.headers.items():
            headers[k] = v
        signed = trail_record.parse_signature(headers, query)
        identity = server.directory.lookup(signed.access_key_id) if signed else None

        out_headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP
                       and k.lower() != "content-length"]
        try:
            new_auth = server.repair.authorization_for_moto(self.command, self.path, headers, body, signed)
        except Exception as e:  # never let the workaround break a request
            server.errors.append(f"signature repair: {e!r}")
            new_auth = None
        if new_auth:
            out_headers = [(k, new_auth if k.lower() == "authorization" else v) for k, v in out_headers]
        if body or self.command in ("POST", "PUT", "PATCH"):
            out_headers.append(("Content-Length", str(len(body))))
        conn = http.client.HTTPConnection("127.0.0.1", server.upstream_port, timeout=120)
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in out_headers:
                conn.putheader(k, v)
            conn.endheaders(body if body else None)
            resp = conn.getresponse()
            resp_body = resp.read()
            status, resp_headers = resp.status, resp.getheaders()
        except OSError as e:
            self.send_error(502, f"upstream: {e}")
            return
        finally:
            conn.close()

        self.send_response_only(status)
        sent_length = False
        for k, v in resp_headers:
            if k.lower() in _HOP_BY_HOP:
                continue
            if k.lower() == "content-length":
                if self.command != "HEAD":
                    continue
                sent_length = True
            self.send_header(k, v)
        if not sent_length:
            self.send_header("Content-Length", str(len(resp_body) if self.command != "HEAD" else 0))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp_body)

        if status == 200 and b"<CreateAccessKeyResponse" in resp_body:
            self._learn_secret(resp_body)
        try:
            record = trail_record.build_record(
                method=self.command, path=parsed.path, query=query, headers=headers, body=body,
                source_ip=server.source_ip or self.client_address[0], status=status,
                response_headers=dict(resp_headers), response_body=resp_body,
                identity=identity, account_id=server.account_id,
                record_data_events=server.record_data_events)
        except Exception as e:  # a recorder bug must not break the caller's request
            server.errors.append(f"{self.command} {self.path}: {e!r}")
            return
        if record is not None:
            server.on_record(record)

    def _learn_secret(self, body):
        try:
            root = ET.fromstring(body)
            values = {el.tag.split("}")[-1]: el.text for el in root.iter()}
            self.server.repair.learn(values["AccessKeyId"], values["SecretAccessKey"])
        except (ET.ParseError, KeyError):
            pass

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _proxy


class RecordingProxy(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream_port, directory, on_record, account_id, port=0,
                 source_ip=None, record_data_events=False):
        super().__init__(("127.0.0.1", port), _Handler)
        self.upstream_port = upstream_port
        self.directory = directory
        self.on_record = on_record
        self.account_id = account_id
        self.source_ip = source_ip
        self.record_data_events = record_data_events
        self.errors = []
        self.repair = SignatureRepair()
        self._thread = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self):
        self._thread = threading.Thread(target=self.serve_forever, name="trail-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()
