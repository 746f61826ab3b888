"""A local HTTP server on 127.0.0.1 serving a folder of recorded pages.

``/a/b?x=1`` is answered from a file literally named ``a/b?x=1`` when there is one, else from
``a/b`` (then ``a/b/index.html``, ``a/b.json``, ``a/b.html``). Content types come from the file
extension; the charset a page declares (``<meta charset>``, an XML declaration) is kept.
Bytes are served exactly as recorded.
"""

from __future__ import annotations

import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from groundswell.ports import port_problem

CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".json": "application/json",
    ".xml": "application/xml", ".rss": "application/rss+xml", ".atom": "application/atom+xml",
    ".txt": "text/plain", ".csv": "text/csv", ".png": "image/png", ".css": "text/css",
    ".js": "text/javascript", ".response": "text/html",
}  # fmt: skip
DECLARED_CHARSET = re.compile(
    rb"""(?:<meta[^>]+charset=["']?|encoding=["'])([A-Za-z0-9_-]+)""", re.I
)
SUFFIX_FALLBACKS = ("", "/index.html", ".json", ".html", ".xml")


def declared_charset(head: bytes) -> str | None:
    match = DECLARED_CHARSET.search(head[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def content_type_for(path: Path, head: bytes) -> str:
    kind = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
    if kind.startswith(("text/", "application/xml", "application/rss", "application/atom")):
        charset = declared_charset(head) or "utf-8"
        return f"{kind}; charset={charset}"
    if kind == "application/json":
        return "application/json; charset=utf-8"
    return kind


def resolve_recorded_file(root: Path, raw_path: str) -> Path | None:
    """The file under ``root`` that answers ``raw_path`` (path plus optional query), if any."""
    parts = urlsplit(raw_path)
    path = unquote(parts.path).lstrip("/")
    candidates = []
    if parts.query:
        candidates += [f"{path}?{parts.query}", f"{path}?{unquote(parts.query)}"]
    candidates += [path + suffix for suffix in SUFFIX_FALLBACKS]
    root = root.resolve()
    for candidate in candidates:
        file = (root / candidate).resolve()
        if file.is_file() and file.is_relative_to(root):
            return file
    return None


class ReplayHandler(SimpleHTTPRequestHandler):
    root: Path = Path(".")
    server_version = "groundswell-replay/0.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        file = resolve_recorded_file(self.root, self.path)
        if file is None:
            self.send_error(404, "not recorded")
            return
        body = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", content_type_for(file, body))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def log_message(self, format: str, *args) -> None:  # quiet unless asked
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)


def make_replay_server(
    root: str | Path, port: int = 0, verbose: bool = False, option: str = "--port"
) -> ThreadingHTTPServer:
    """A server bound to 127.0.0.1 (``port`` 0 picks a free one); call ``serve_forever``.

    A port that cannot be bound raises ``PortError`` with a one-line reason."""
    handler = type("BoundReplayHandler", (ReplayHandler,), {"root": Path(root)})
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as error:
        raise port_problem(error, "127.0.0.1", port, option) from None
    server.daemon_threads = True
    server.verbose = verbose
    return server


def server_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def start_replay_server(
    root: str | Path, port: int = 0, option: str = "--port"
) -> ThreadingHTTPServer:
    """Start a replay server in a daemon thread; ``server.shutdown()`` stops it."""
    server = make_replay_server(root, port, option=option)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
