"""Datasette over the groundswell database, published as ``/groundswell`` whatever the file name.

Besides the database and ``metadata.json`` it loads the project's own Datasette pieces, which
ship in the wheel beside this module: ``plugins/`` (cell rendering, facets, the advocates'
"mark responded" action), ``static/`` (served at ``/static/``: the stylesheet and script that
tidy the pages) and ``templates/`` (template overrides).
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from groundswell.errors import GroundswellError

DATABASE_NAME = "groundswell"
WEB_DIR = Path(__file__).resolve().parent
METADATA_FILE = WEB_DIR / "metadata.json"
PLUGINS_DIR = WEB_DIR / "plugins"
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
SETTINGS = {
    "default_page_size": 50,
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 1000,
    "allow_download": False,
    # Suggesting facets costs one query per column on every table page: 0.7 s at 20k rows.
    "suggest_facets": False,
    # Long bodies are cut in tables and query results; the row page shows the full text.
    "truncate_cells_html": 280,
}


def load_metadata(path: Path = METADATA_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def existing_dir(path: Path) -> str | None:
    return str(path) if path.is_dir() else None


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
PASSWORD_HASH_ENV = "GROUNDSWELL_PASSWORD_HASH"
LOGIN_USER = "analyst"


class LoginRequiredError(GroundswellError, RuntimeError):
    """Datasette bound beyond 127.0.0.1 without a password configured."""


def with_login(metadata: dict, password_hash_env: str = PASSWORD_HASH_ENV) -> dict:
    """Metadata that lets only logged-in actors in (datasette-auth-passwords, /-/login)."""
    plugins = dict(metadata.get("plugins", {}))
    plugins["datasette-auth-passwords"] = {
        f"{LOGIN_USER}_password_hash": {"$env": password_hash_env}
    }
    return {**metadata, "allow": {"id": "*"}, "plugins": plugins}


def check_login_configured(host: str) -> bool:
    """True when a login is required (host beyond loopback); raises if none is configured."""
    if host in LOOPBACK_HOSTS:
        return False
    if not os.environ.get(PASSWORD_HASH_ENV):
        raise LoginRequiredError(
            f"serving on {host} makes the data reachable beyond this machine: set "
            f"{PASSWORD_HASH_ENV} (make one with `datasette hash-password`) to require a login"
        )
    return True


def make_datasette(db_path: str | Path, metadata_path: Path = METADATA_FILE,
                   require_login: bool = False):  # fmt: skip
    """A Datasette instance serving ``db_path`` read-only to visitors as ``/groundswell``;
    with ``require_login`` only the logged-in ``analyst`` gets in."""
    from datasette.app import Datasette
    from datasette.database import Database

    metadata = load_metadata(metadata_path)
    ds = Datasette(
        [],
        metadata=with_login(metadata) if require_login else metadata,
        settings=SETTINGS,
        # signs login cookies (datasette-auth-passwords): fixed, so sessions survive a restart
        secret=os.environ.get("DATASETTE_SECRET") or None,
        plugins_dir=existing_dir(PLUGINS_DIR),
        template_dir=existing_dir(TEMPLATES_DIR),
        static_mounts=[("static", str(STATIC_DIR))] if STATIC_DIR.is_dir() else None,
    )
    ds.add_database(Database(ds, path=str(db_path), is_mutable=True), name=DATABASE_NAME)
    return ds


def serve_datasette(db_path: str | Path, sock: socket.socket, host: str = "127.0.0.1") -> None:
    """Run Datasette on the listening ``sock`` (see ``groundswell.ports.listening_socket``:
    bound before any work, so a busy port fails at once) until interrupted; a login is
    required when ``host`` is beyond 127.0.0.1."""
    import uvicorn

    app = make_datasette(db_path, require_login=check_login_configured(host)).app()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])


def datasette_url(host: str, sock: socket.socket) -> str:
    """The address a browser opens for ``sock``'s Datasette (IPv6 hosts in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{sock.getsockname()[1]}/{DATABASE_NAME}"
