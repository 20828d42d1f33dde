"""A tiny SMTP server for tests: speaks enough of RFC 5321 for smtplib and keeps every message it accepts.

    with SmtpSink() as sink:            # listens on 127.0.0.1, a free port
        ...  RUSHES_SMTP_HOST=127.0.0.1 RUSHES_SMTP_PORT=sink.port RUSHES_SMTP_SECURITY=none
        sink.messages[0].to, sink.messages[0].body
"""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy


@dataclass
class Received:
    sender: str
    to: list[str]
    raw: bytes

    @property
    def message(self):
        return message_from_bytes(self.raw, policy=policy.default)

    @property
    def body(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()


class _Session(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink
        sender, to = "", []
        self.reply("220 sink ESMTP ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode("ascii", "replace").strip()
            upper = verb.upper()
            if upper.startswith(("EHLO", "HELO")):
                self.reply("250 sink")
            elif upper.startswith("MAIL FROM:"):
                sender, to = verb[10:].strip().strip("<>"), []
                self.reply("250 OK")
            elif upper.startswith("RCPT TO:"):
                to.append(verb[8:].strip().strip("<>"))
                self.reply("250 OK")
            elif upper == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)  # undo dot-stuffing
                with sink.lock:
                    sink.messages.append(Received(sender, list(to), b"".join(lines)))
                self.reply("250 OK queued")
            elif upper in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif upper == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), _Session)
        self.server.sink = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SmtpSink:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
