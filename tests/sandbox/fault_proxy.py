"""A fault-injecting proxy to put in front of the sandbox's endpoint.

spacecrab -> FaultProxy -> sandbox endpoint (recorder) -> moto. Requests are
forwarded byte for byte (the Host header too, so SigV4 signatures made for
this proxy's address still verify at moto). Rules, matched on the Query API
action (`Action=` in the form body or query string), inject what IAM does
on a bad day:

    fp = FaultProxy(sb.endpoint).start()
    fp.add("CreateUser", "throttle", times=2)   # 400 <Code>Throttling</Code>
    fp.add("PutUserPolicy", "5xx", times=1)     # 500 InternalFailure
    fp.add("CreateAccessKey", "kill_before", on_fire=lambda: os.kill(pid, SIGKILL))
    fp.add("CreateAccessKey", "kill_after", on_fire=...)  # IAM did it; the caller never hears
    fp.calls                                    # every action seen, in order

"kill_*" rules run `on_fire` (e.g. SIGKILL the server) and close the
connection without an answer: a crash at exactly that step. Each rule fires
`times` times (None = forever). Only the standard library.
"""

import http.client
import http.server
import threading
import urllib.parse

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "expect",
               "te", "trailer", "upgrade", "content-length"}

_ERROR_XML = ('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
              '<Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>'
              '<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>')


class _Rule:
    def __init__(self, action, mode, times, on_fire):
        self.action, self.mode, self.left, self.on_fire = action, mode, times, on_fire
        self.fired = 0


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, status, body, content_type="text/xml"):
        data = body.encode()
        self.send_response_only(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self):
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = urllib.parse.urlsplit(self.path).query
        params = urllib.parse.parse_qs(query)
        ctype = self.headers.get("Content-Type", "")
        if "x-www-form-urlencoded" in ctype:
            params.update(urllib.parse.parse_qs(body.decode("utf-8", "replace")))
        action = (params.get("Action") or [""])[0]
        rule = server.take_rule(action)

        if rule and rule.mode == "throttle":
            self._answer(400, _ERROR_XML.format(kind="Sender", code="Throttling", message="Rate exceeded"))
            return
        if rule and rule.mode == "5xx":
            self._answer(500, _ERROR_XML.format(kind="Receiver", code="InternalFailure",
                                                message="We encountered an internal error"))
            return
        if rule and rule.mode == "kill_before":
            rule.on_fire()
            self.close_connection = True
            return

        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP]
        conn = http.client.HTTPConnection(server.upstream_host, server.upstream_port, timeout=120)
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in headers:
                conn.putheader(k, v)
            if body or self.command in ("POST", "PUT"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body if body else None)
            resp = conn.getresponse()
            resp_body = resp.read()
            status, resp_headers = resp.status, resp.getheaders()
        except OSError as e:
            self._answer(502, f"upstream: {e}", "text/plain")
            return
        finally:
            conn.close()
        if rule and rule.mode == "kill_after":
            rule.on_fire()
            self.close_connection = True
            return
        self.send_response_only(status)
        for k, v in resp_headers:
            if k.lower() not in _HOP_BY_HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(resp_body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp_body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


class FaultProxy(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream_endpoint, port=0):
        super().__init__(("127.0.0.1", port), _Handler)
        u = urllib.parse.urlsplit(upstream_endpoint)
        self.upstream_host, self.upstream_port = u.hostname, u.port
        self._lock = threading.Lock()
        self._rules = []
        self.calls = []
        self._thread = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def add(self, action, mode, times=1, on_fire=None):
        assert mode in ("throttle", "5xx", "kill_before", "kill_after"), mode
        rule = _Rule(action, mode, times, on_fire or (lambda: None))
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self):
        with self._lock:
            self._rules = []

    def take_rule(self, action):
        with self._lock:
            self.calls.append(action)
            for rule in self._rules:
                if rule.action == action and (rule.left is None or rule.left > 0):
                    if rule.left is not None:
                        rule.left -= 1
                    rule.fired += 1
                    return rule
        return None

    def start(self):
        self._thread = threading.Thread(target=self.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()
