#!/usr/bin/python3
"""SMTP server on 127.0.0.1 built on aiosmtpd (Debian's python3-aiosmtpd, so
run it with /usr/bin/python3).

    smtp_receiver.py --log FILE [--port N] [--tls-cert C --tls-key K]
                     [--require-starttls] [--auth USER:PASSWORD] [--fail-first N]

Every accepted message is parsed and logged: envelope sender/recipients,
headers (Subject decoded), the MIME structure, the text and HTML bodies, and
whether the session used STARTTLS and which user authenticated. --fail-first
answers the first N DATA commands with 451 (temporary failure) so retries can
be tested.
"""
import argparse
import email
import email.policy
import socket
import ssl
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from receiver_common import Log, announce, exit_when_stdin_closes


class Handler:
    def __init__(self, log, fail_first):
        self.log = log
        self.fail_left = fail_first
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.fail_left > 0:
                self.fail_left -= 1
                self.log.add({"rejected": 451, "at": time.time()})
                return "451 4.3.0 try again later"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = html = None
        types = []
        for part in msg.walk():
            types.append(part.get_content_type())
            if part.get_content_type() == "text/plain" and text is None:
                text = part.get_content()
            elif part.get_content_type() == "text/html" and html is None:
                html = part.get_content()
        login = getattr(session, "auth_data", None)
        self.log.add({
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg["Subject"]),
            "raw_subject": envelope.content.split(b"\r\nSubject: ", 1)[-1].split(b"\r\n", 1)[0].decode(),
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "message_id": str(msg["Message-ID"]),
            "in_reply_to": str(msg["In-Reply-To"]) if msg["In-Reply-To"] else None,
            "dedup_key": str(msg["X-Dedup-Key"]),
            "content_types": types,
            "text": text,
            "html": html,
            "tls": session.ssl is not None,
            "user": login.login.decode() if isinstance(login, LoginPassword) else None,
            "at": time.time(),
        })
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", default="")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--require-starttls", action="store_true")
    ap.add_argument("--auth", default="")
    ap.add_argument("--fail-first", type=int, default=0)
    args = ap.parse_args()
    log = Log(args.log)
    params = {}
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        params["tls_context"] = ctx
        params["require_starttls"] = args.require_starttls
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            if not ok:
                log.add({"auth_failed": True, "at": time.time()})
            return AuthResult(success=ok, auth_data=auth_data if ok else None)

        params["authenticator"] = authenticator
        params["auth_required"] = True
        params["auth_require_tls"] = bool(args.tls_cert)
    port = args.port or free_port()
    controller = Controller(Handler(log, args.fail_first), hostname="127.0.0.1", port=port,
                            server_hostname="localhost", **params)
    controller.start()
    exit_when_stdin_closes()
    announce(port=port)
    threading.Event().wait()


if __name__ == "__main__":
    main()
