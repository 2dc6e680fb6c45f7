#!/usr/bin/env python3
"""Syslog listener on 127.0.0.1: UDP (one message per datagram, RFC 5426) and
TCP (octet counting, RFC 6587) on the same port number.

    syslog_receiver.py --log FILE [--port N]

Each message is parsed as RFC 5424 (PRI, version, timestamp, host, app,
procid, msgid, structured data, msg) and logged with its transport; a frame
that is not valid octet counting or RFC 5424 is logged as {"invalid": ...}.
"""
import argparse
import re
import socket
import threading

from receiver_common import Log, announce, exit_when_stdin_closes

RFC5424 = re.compile(
    r"^<(?P<pri>\d{1,3})>1 (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+) "
    r"(?P<sd>-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (?P<msg>.*))?$", re.S)
SD_PARAM = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse(line, transport):
    m = RFC5424.match(line)
    if not m:
        return {"invalid": line, "transport": transport}
    pri = int(m.group("pri"))
    params = {k: re.sub(r"\\(.)", r"\1", v) for k, v in SD_PARAM.findall(m.group("sd"))}
    return {"transport": transport, "facility": pri // 8, "severity": pri % 8,
            "timestamp": m.group("ts"), "host": m.group("host"), "app": m.group("app"),
            "msgid": m.group("msgid"), "sd": params, "msg": m.group("msg") or ""}


def serve_udp(sock, log):
    while True:
        data, _ = sock.recvfrom(65535)
        log.add(parse(data.decode("utf-8", "replace"), "udp"))


def serve_tcp_conn(conn, log):
    buf = b""
    with conn:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return
            buf += chunk
            while True:
                sp = buf.find(b" ")
                if sp <= 0:
                    break
                if not buf[:sp].isdigit():
                    log.add({"invalid": buf[:200].decode("utf-8", "replace"), "transport": "tcp"})
                    return
                n = int(buf[:sp])
                if len(buf) < sp + 1 + n:
                    break
                log.add(parse(buf[sp + 1:sp + 1 + n].decode("utf-8", "replace"), "tcp"))
                buf = buf[sp + 1 + n:]


def serve_tcp(sock, log):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve_tcp_conn, args=(conn, log), daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", default="")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    log = Log(args.log)
    # Find a port free for both UDP and TCP.
    for _ in range(50):
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(("127.0.0.1", args.port))
        port = tcp.getsockname()[1]
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind(("127.0.0.1", port))
            break
        except OSError:
            tcp.close()
            udp.close()
            if args.port:
                raise
    tcp.listen(16)
    exit_when_stdin_closes()
    threading.Thread(target=serve_udp, args=(udp, log), daemon=True).start()
    announce(port=port)
    serve_tcp(tcp, log)


if __name__ == "__main__":
    main()
