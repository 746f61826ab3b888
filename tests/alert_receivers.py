"""Receivers for the alert tests and benches, on 127.0.0.1 only: a real SMTP server (aiosmtpd)
and a webhook endpoint (http.server). Each keeps every arrival, duplicates included, so tests can
count both what came over the wire and what a receiver that dedupes by key would keep."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ReceivedMail:
    recipients: list[str]
    message: EmailMessage
    arrived: float

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else ""


@dataclass
class SmtpSink:
    """``SmtpSink().start()``: an SMTP server on a free 127.0.0.1 port that keeps every mail."""

    mails: list[ReceivedMail] = field(default_factory=list)
    refuse_next: int = 0
    port: int = 0
    controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd hook)
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 try again later"
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.mails.append(ReceivedMail(list(envelope.rcpt_tos), message, time.monotonic()))
        return "250 OK"

    def start(self) -> SmtpSink:
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    def clear(self) -> None:
        self.mails.clear()

    def distinct_ids(self) -> set[tuple[str, str]]:
        return {(m.message_id, ",".join(m.recipients)) for m in self.mails}

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while len(self.mails) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return len(self.mails) >= count


@dataclass
class ReceivedHook:
    path: str
    headers: dict[str, str]
    payload: dict


class WebhookSink:
    """An HTTP endpoint on a free 127.0.0.1 port that keeps every POST (JSON body)."""

    def __init__(self) -> None:
        self.hooks: list[ReceivedHook] = []
        self.fail_next = 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if sink.fail_next > 0:
                    sink.fail_next -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                try:
                    payload = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    payload = {"raw": raw.decode("utf-8", "replace")}
                sink.hooks.append(ReceivedHook(self.path, dict(self.headers.items()), payload))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def apprise_url(self, path: str = "/hook") -> str:
        host, port = self.server.server_address[:2]
        return f"json://{host}:{port}{path}"

    def start(self) -> WebhookSink:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def clear(self) -> None:
        self.hooks.clear()

    def keys(self) -> list[str]:
        return [h.headers.get("Idempotency-Key", "") for h in self.hooks]
