#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A real local receiver of levee serve's alerts, for tests: an HTTP server
(webhook and group-robot posts) and a syslog listener (UDP and TCP), on
loopback ports chosen by the system.

usage: alert_receiver.py DIR

Writes DIR/ports ("http=N udp=N tcp=N") once listening, then appends each
POST to DIR/http.jsonl ({"path","headers","body"}) and each syslog
message to DIR/syslog.txt (one line each). A POST to a path starting
/flaky answers 500 to the first two posts of that path, then 200; a path
starting /refuse always answers 400. Runs until killed."""
import http.server
import json
import os
import socket
import socketserver
import sys
import threading
import time

out = sys.argv[1]
lock = threading.Lock()
seen = {}


def append(name, line):
    with lock:
        with open(os.path.join(out, name), "a", encoding="utf-8") as f:
            f.write(line + "\n")


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        with lock:
            seen[self.path] = seen.get(self.path, 0) + 1
            count = seen[self.path]
        status = 200
        if self.path.startswith("/flaky") and count <= 2:
            status = 500
        if self.path.startswith("/refuse"):
            status = 400
        if self.path.startswith("/hang"):
            time.sleep(20)
        append("http.jsonl", json.dumps({"path": self.path, "status": status,
                                         "headers": dict(self.headers),
                                         "body": body}, ensure_ascii=False))
        reply = b'{"errcode":0,"errmsg":"ok"}' if status == 200 else b'{"errcode":1}'
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the sender gave up waiting (a sink that hangs)

    def log_message(self, *args):
        pass


class TCPSyslog(socketserver.StreamRequestHandler):
    def handle(self):
        # RFC 6587 octet counting: "LEN SP MSG"
        data = b""
        while True:
            chunk = self.request.recv(65536)
            if not chunk:
                break
            data += chunk
            while True:
                sp = data.find(b" ")
                if sp <= 0 or not data[:sp].isdigit():
                    break
                n = int(data[:sp])
                if len(data) < sp + 1 + n:
                    break
                msg = data[sp + 1:sp + 1 + n]
                data = data[sp + 1 + n:]
                append("syslog.txt", "tcp " + msg.decode("utf-8", "replace").replace("\n", " "))


class ThreadingHTTP(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


class ThreadingTCP(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


httpd = ThreadingHTTP(("127.0.0.1", 0), Hook)
tcpd = ThreadingTCP(("127.0.0.1", 0), TCPSyslog)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))


def serve_udp():
    while True:
        msg, _ = udp.recvfrom(65536)
        append("syslog.txt", "udp " + msg.decode("utf-8", "replace").replace("\n", " "))


threading.Thread(target=httpd.serve_forever, daemon=True).start()
threading.Thread(target=tcpd.serve_forever, daemon=True).start()
threading.Thread(target=serve_udp, daemon=True).start()
with open(os.path.join(out, "ports.tmp"), "w") as f:
    f.write("http=%d udp=%d tcp=%d\n" % (httpd.server_address[1], udp.getsockname()[1],
                                        tcpd.server_address[1]))
os.rename(os.path.join(out, "ports.tmp"), os.path.join(out, "ports"))
threading.Event().wait()
