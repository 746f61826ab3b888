"""The advocates' "mark responded" action: ``/-/groundswell/respond/<mention_id>``.

GET shows the mention and a form; POST sets ``mentions.vendor_responded = 1`` and closes the
mention's open alerts (``groundswell.alerts.outbox.mark_responded``: status ``responded``). Off unless
``GROUNDSWELL_ADVOCATE_TOKEN`` is set in the server's environment. Every POST must carry that
token, in the form's ``token`` field or as ``Authorization: Bearer TOKEN``; it is never kept in
a cookie, so another site cannot make a browser send it, and Datasette's CSRF check guards the
form besides. Everything else in Datasette stays read-only.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import sqlite3

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response
from markupsafe import Markup

TOKEN_ENV = "GROUNDSWELL_ADVOCATE_TOKEN"
DATABASE = "groundswell"
FAILED_TOKEN_DELAY_S = 0.5  # slows guessing


def configured_token() -> str:
    return os.environ.get(TOKEN_ENV, "").strip()


def token_matches(given: str) -> bool:
    expected = configured_token()
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def bearer_token(request) -> str:
    header = request.headers.get("authorization", "")
    return header[len("Bearer ") :].strip() if header.startswith("Bearer ") else ""


def respond_path(datasette, mention_id: str) -> str:
    return datasette.urls.path(f"/-/groundswell/respond/{tilde_encode(mention_id)}")


async def find_mention(db, mention_id: str) -> dict | None:
    sql = """select id, source, kind, author, title, body, published_at, url, vendor_responded
             from mentions where id = ?"""
    rows = (await db.execute(sql, [mention_id])).rows
    return dict(rows[0]) if rows else None


async def open_alerts(db, mention_id: str) -> int:
    sql = """select count(*) from alerts where mention_id = ?
             and status not in ('responded', 'acknowledged', 'escalated')"""
    return (await db.execute(sql, [mention_id])).rows[0][0]


def write_responded(conn: sqlite3.Connection, mention_id: str) -> int:
    """Mark the mention responded and close its alerts; return how many alerts closed."""
    import sqlite_utils

    from groundswell.alerts.outbox import mark_responded

    db = sqlite_utils.Database(conn)
    with conn:
        conn.execute("update mentions set vendor_responded = 1 where id = ?", [mention_id])
    return mark_responded(db)


async def render_form(datasette, request, mention: dict, status: int = 200, error: str = ""):
    db = datasette.get_database(DATABASE)
    context = {
        "mention": mention,
        "open_alerts": await open_alerts(db, mention["id"]),
        "enabled": bool(configured_token()),
        "error": error,
        "token_env": TOKEN_ENV,
        "action": respond_path(datasette, mention["id"]),
        "row_url": datasette.urls.row(DATABASE, "mentions", tilde_encode(mention["id"])),
    }
    html = await datasette.render_template("groundswell_respond.html", context, request=request)
    return Response.html(html, status=status)


async def respond(datasette, request):
    mention_id = request.url_vars["mention_id"]
    db = datasette.get_database(DATABASE)
    mention = await find_mention(db, mention_id)
    if mention is None:
        return Response.text(f"No mention has the id {mention_id!r}", status=404)
    if request.method != "POST":
        return await render_form(datasette, request, mention)
    if not configured_token():
        return await render_form(datasette, request, mention, 403, f"{TOKEN_ENV} is not set")
    form = await request.post_vars()
    if not token_matches(bearer_token(request) or form.get("token", "")):
        await asyncio.sleep(FAILED_TOKEN_DELAY_S)
        return await render_form(datasette, request, mention, 403, "Wrong advocate token")
    closed = await db.execute_write_fn(lambda conn: write_responded(conn, mention_id))
    if request.headers.get("authorization"):
        return Response.json({"mention_id": mention_id, "vendor_responded": 1, "alerts": closed})
    datasette.add_message(request, f"Marked responded; {closed} open alert(s) closed")
    return Response.redirect(datasette.urls.row(DATABASE, "mentions", tilde_encode(mention_id)))


@hookimpl
def register_routes():
    return [(r"^/-/groundswell/respond/(?P<mention_id>[^/]+)$", respond)]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """``vendor_responded`` of an unanswered mention links to the form (when it is enabled)."""
    if database != DATABASE or table != "mentions" or column != "vendor_responded":
        return None
    if value or not configured_token() or "id" not in row.keys():
        return None
    link = respond_path(datasette, row["id"])
    return Markup('{} <a class="gs-respond-link" href="{}">mark responded</a>').format(
        value if value is not None else "", link
    )
