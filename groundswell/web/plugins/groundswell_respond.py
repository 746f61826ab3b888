"""The "mark responded" page: ``/-/groundswell/respond/<mention_id>``.

GET shows the mention and a form; POST marks it responded (``groundswell.alerts.inbox``:
``mentions.vendor_responded = 1``, its alerts closed by the outbox, who and when recorded).
Like every groundswell page it needs the login when one is configured. Who may POST:

- a logged-in person (Datasette's CSRF token guards the form), or
- the holder of a response link: ``?token=`` signed with the server's secret
  (``groundswell.web.access``), for this mention, unexpired, and unused: its nonce is recorded
  with the action, so a second use answers 409. Scripts may send it as ``Authorization: Bearer
  TOKEN`` and get JSON back.

Wrong tokens count against the client (and against everyone): past the limit every POST answers
429 with ``Retry-After``, right token or not, so guessing in parallel gains nothing.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from groundswell.alerts.inbox import act
from groundswell.web.access import (
    DATABASE,
    TokenError,
    acting_person,
    check_can_view,
    client_of,
    limiter_of,
    read_response_token,
)

LIMITS = {"per_client": 10, "overall": 60, "window_s": 600}


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


async def render_form(datasette, request, mention: dict, token: str = "", status: int = 200,
                      error: str = ""):  # fmt: skip
    db = datasette.get_database(DATABASE)
    context = {
        "mention": mention,
        "open_alerts": await open_alerts(db, mention["id"]),
        "person": acting_person(request),
        "token": token,
        "error": error,
        "action": respond_path(datasette, mention["id"]),
        "row_url": datasette.urls.row(DATABASE, "mentions", tilde_encode(mention["id"])),
    }
    html = await datasette.render_template("groundswell_respond.html", context, request=request)
    return Response.html(html, status=status)


def refusal(request, message: str, status: int, headers: dict | None = None) -> Response:
    if request.headers.get("authorization"):
        return Response.json({"error": message}, status=status, headers=headers)
    return Response.text(message, status=status, headers=headers)


async def respond(datasette, request):
    await check_can_view(datasette, request)
    mention_id = request.url_vars["mention_id"]
    db = datasette.get_database(DATABASE)
    mention = await find_mention(db, mention_id)
    if mention is None:
        return Response.text(f"No mention has the id {mention_id!r}", status=404)
    if request.method != "POST":
        return await render_form(datasette, request, mention, request.args.get("token", ""))
    client, guesses = client_of(request), limiter_of(datasette, "response links", **LIMITS)
    if guesses.blocked(client):
        retry = {"Retry-After": str(guesses.retry_after())}
        return refusal(request, "Too many wrong response links: try again later", 429, retry)
    form = await request.post_vars()
    who, nonce = acting_person(request), form.get("nonce")
    token = bearer_token(request) or form.get("token", "")
    if who is None or token:
        try:
            payload = read_response_token(datasette, token, mention_id)
        except TokenError as error:
            guesses.failed(client)
            if request.headers.get("authorization"):
                return refusal(request, str(error), 403)
            return await render_form(datasette, request, mention, "", 403, str(error))
        who, nonce = f"response link from {payload.get('b', '?')}", f"link:{payload['n']}"
    return await record_response(datasette, request, mention_id, who, nonce)


async def record_response(datasette, request, mention_id: str, who: str, nonce: str | None):
    import sqlite_utils

    db = datasette.get_database(DATABASE)
    result = await db.execute_write_fn(lambda conn: act(
        sqlite_utils.Database(conn), mention_id, "responded", who, nonce=nonce))  # fmt: skip
    if result.repeated and nonce and nonce.startswith("link:"):
        return refusal(request, "This response link was already used", 409)
    if request.headers.get("authorization"):
        return Response.json({"mention_id": mention_id, "vendor_responded": 1,
                              "done": result.done, "message": result.message})  # fmt: skip
    datasette.add_message(request, result.message)
    return Response.redirect(datasette.urls.row(DATABASE, "mentions", tilde_encode(mention_id)))


@hookimpl
def register_routes():
    return [(r"^/-/groundswell/respond/(?P<mention_id>[^/]+)$", respond)]


@hookimpl
def skip_csrf(scope):
    """Scripts with a response link in ``Authorization: Bearer`` send no CSRF token: a bearer
    token is never sent by a browser on its own, so it cannot be forged across sites."""
    headers = dict(scope.get("headers") or [])
    return scope.get("path", "").startswith("/-/groundswell/respond/") and headers.get(
        b"authorization", b""
    ).startswith(b"Bearer ")
