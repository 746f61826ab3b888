"""Datasette over the groundswell database, published as ``/groundswell`` whatever the file name.

Besides the database and ``metadata.json`` it loads the project's own Datasette pieces, which
ship in the wheel beside this module: ``plugins/`` (cell rendering, facets, the advocates'
"mark responded" action), ``static/`` (served at ``/static/``: the stylesheet and script that
tidy the pages) and ``templates/`` (template overrides).
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Mapping
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
PASSWORD_HASH_ENV = "GROUNDSWELL_PASSWORD_HASH"  # the login "analyst"
LOGIN_USER = "analyst"
SECRET_ENV = "DATASETTE_SECRET"
MIN_SECRET_CHARS = 32
HASH_PATTERN = re.compile(r"^pbkdf2_sha256\$(\d+)\$([^$\s]+)\$([A-Za-z0-9+/]{43}=)$")


class LoginRequiredError(GroundswellError, RuntimeError):
    """Datasette bound beyond 127.0.0.1 without a login configured, or a login's secret is
    malformed or missing."""


def login_accounts(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Login name → the environment variable holding its password hash:
    ``GROUNDSWELL_PASSWORD_HASH`` is ``analyst``; ``GROUNDSWELL_PASSWORD_HASH_DANA`` is ``dana``."""
    environ = os.environ if environ is None else environ
    accounts = {}
    for name in sorted(environ):
        if name == PASSWORD_HASH_ENV:
            accounts[LOGIN_USER] = name
        elif name.startswith(PASSWORD_HASH_ENV + "_") and len(name) > len(PASSWORD_HASH_ENV) + 1:
            accounts[name[len(PASSWORD_HASH_ENV) + 1 :].lower()] = name
    return accounts


def check_password_hash(variable: str, value: str) -> None:
    """Raise unless ``value`` is a hash that ``datasette hash-password`` makes."""
    if not value.strip():
        raise LoginRequiredError(f"{variable} is set but empty: nobody could log in; put the "
                                 "output of `datasette hash-password` in it, or unset it")  # fmt: skip
    found = HASH_PATTERN.match(value.strip())
    if not found or int(found.group(1)) < 1:
        raise LoginRequiredError(f"{variable} is not a password hash (expected "
                                 "pbkdf2_sha256$ITERATIONS$SALT$HASH, as `datasette "
                                 "hash-password` prints): nobody could log in")  # fmt: skip


def check_login_configured(host: str, environ: Mapping[str, str] | None = None) -> bool:
    """True when a login is required (host beyond loopback). Raises, with a one-line reason,
    when a password hash is malformed or empty, when a login is required and none is
    configured, or when it is required and ``DATASETTE_SECRET`` is missing or short."""
    environ = os.environ if environ is None else environ
    accounts = login_accounts(environ)
    for variable in accounts.values():
        check_password_hash(variable, environ[variable])
    if host in LOOPBACK_HOSTS:
        return False
    if not accounts:
        raise LoginRequiredError(
            f"serving on {host} makes the data reachable beyond this machine: set "
            f"{PASSWORD_HASH_ENV} (make one with `datasette hash-password`) to require a login"
        )
    if len(environ.get(SECRET_ENV, "").strip()) < MIN_SECRET_CHARS:
        raise LoginRequiredError(
            f"serving on {host} with a login needs {SECRET_ENV} (at least {MIN_SECRET_CHARS} "
            "random characters) to sign sessions and response links; e.g. "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return True


def with_login(metadata: dict, require_login: bool,
               environ: Mapping[str, str] | None = None) -> dict:  # fmt: skip
    """Metadata with the configured logins (datasette-auth-passwords, /-/login); with
    ``require_login`` only logged-in people get in."""
    accounts = login_accounts(environ)
    if not accounts:
        return metadata
    plugins = dict(metadata.get("plugins", {}))
    plugins["datasette-auth-passwords"] = {
        f"{name}_password_hash": {"$env": variable} for name, variable in accounts.items()
    }
    login = {**metadata, "plugins": plugins}
    return {**login, "allow": {"id": "*"}} if require_login else login


def make_datasette(db_path: str | Path, metadata_path: Path = METADATA_FILE,
                   require_login: bool = False):  # fmt: skip
    """A Datasette instance serving ``db_path`` as ``/groundswell``, read-only to anonymous
    visitors; with ``require_login`` only logged-in people get in."""
    from datasette.app import Datasette
    from datasette.database import Database

    metadata = load_metadata(metadata_path)
    ds = Datasette(
        [],
        metadata=with_login(metadata, require_login),
        settings=SETTINGS,
        # signs login cookies (datasette-auth-passwords): fixed, so sessions survive a restart
        secret=os.environ.get("DATASETTE_SECRET") or None,
        plugins_dir=existing_dir(PLUGINS_DIR),
        template_dir=existing_dir(TEMPLATES_DIR),
        static_mounts=[("static", str(STATIC_DIR))] if STATIC_DIR.is_dir() else None,
    )
    ds.add_database(Database(ds, path=str(db_path), is_mutable=True), name=DATABASE_NAME)
    ds.remove_database("_memory")  # Datasette adds it when given no files: nothing to see there
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
