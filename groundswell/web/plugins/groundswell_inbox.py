"""Datasette ``register_routes`` hook: the inbox and its actions.

- ``/-/groundswell/inbox``: mentions that need a response (``groundswell.alerts.inbox``), most
  urgent first; ``?monitor=``, ``?assigned=``, ``?snoozed=1``, ``?days=`` (default 28),
  ``?page=``. An empty page counts what waits beyond its window and offers to show it.
- ``POST /-/groundswell/inbox/act``: assign, acknowledge, snooze, unsnooze, responded, correct,
  or ``link`` (a response link that works once, for someone without a login). Logged-in people
  only (anonymous visitors read); Datasette's CSRF token guards every form, and each form's
  nonce makes a double click one action.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from groundswell.alerts.inbox import (
    DEFAULT_DAYS,
    MAX_DAYS,
    SNOOZES,
    InboxError,
    act,
    needs_response,
)
from groundswell.web.access import (
    DATABASE,
    TOKEN_TTL_HOURS,
    acting_person,
    check_can_view,
    make_response_token,
)

PAGE_SIZE = 25


def int_arg(request, name: str, default: int) -> int:
    try:
        return max(1, int(request.args.get(name, default)))
    except ValueError:
        return default


async def people(db) -> list[str]:
    """Who an item can be assigned to: the advocates of the config."""
    if not await db.table_exists("advocates"):
        return []
    return [row[0] for row in (await db.execute("select name from advocates order by name")).rows]


async def older_items(db, filters: dict) -> dict | None:
    """For an empty page: how many items wait beyond its window, and the window that shows
    them all (recorded or replayed pages are often older than four weeks)."""
    if filters["days"] >= MAX_DAYS:
        return None
    wider = {**filters, "days": MAX_DAYS}
    items, total = await db.execute_fn(lambda conn: needs_response(
        conn, **wider, limit=1, order="newest"))  # fmt: skip
    if not total:
        return None
    newest = items[0]["published_at"] or ""
    return {
        "total": total,
        "newest": newest[:10],
        "query": urlencode(
            {k: v for k, v in {**filters, "days": MAX_DAYS}.items() if v not in ("", False)}
        ),
    }


async def inbox(datasette, request):
    await check_can_view(datasette, request)
    db = datasette.get_database(DATABASE)
    page = int_arg(request, "page", 1)
    filters = {"monitor": request.args.get("monitor", ""),
               "assigned": request.args.get("assigned", ""),
               "snoozed": request.args.get("snoozed") == "1",
               "days": min(int_arg(request, "days", DEFAULT_DAYS), MAX_DAYS)}  # fmt: skip
    items, total = await db.execute_fn(lambda conn: needs_response(
        conn, **filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE))  # fmt: skip
    args = {k: request.args.get(k) for k in request.args if k != "page"}
    context = {
        "items": items, "total": total, "page": page, "filters": filters,
        "older": await older_items(db, filters) if not total else None,
        "next_url": f"?{urlencode({**args, 'page': page + 1})}"
        if page * PAGE_SIZE < total else None,
        "people": await people(db), "me": acting_person(request), "snoozes": list(SNOOZES),
        "action_url": datasette.urls.path("/-/groundswell/inbox/act"),
    }  # fmt: skip
    html = await datasette.render_template("groundswell_inbox.html", context, request=request)
    return Response.html(html)


def safe_next(datasette, value: str | None) -> str:
    """Back to where the form was, on this site only."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return datasette.urls.path("/-/groundswell/inbox")


async def inbox_action(datasette, request):
    await check_can_view(datasette, request)
    if request.method != "POST":
        return Response.text("POST only", status=405)
    who = acting_person(request)
    form = await request.post_vars()
    back = safe_next(datasette, form.get("next"))
    if who is None:
        datasette.add_message(request, "Log in to act on mentions (/-/login)", datasette.ERROR)
        return Response.redirect(back)
    mention_id = form.get("mention_id", "")
    if form.get("action") == "link":
        return response_link(datasette, request, mention_id, who, back)
    db = datasette.get_database(DATABASE)
    try:
        result = await db.execute_write_fn(lambda conn: run_action(conn, mention_id, form, who))
    except InboxError as error:
        datasette.add_message(request, str(error), datasette.ERROR)
        return Response.redirect(back)
    datasette.add_message(request, result.message, datasette.INFO if result.done
                          else datasette.WARNING)  # fmt: skip
    return Response.redirect(back)


def run_action(conn, mention_id: str, form: dict, who: str):
    import sqlite_utils

    value = form.get("value")
    if "topics" in form:  # the topics box: a comma-separated list
        value = f"topics={form['topics']}"
    return act(sqlite_utils.Database(conn), mention_id, form.get("action", ""), who,
               value=value, nonce=form.get("nonce"))  # fmt: skip


def response_link(datasette, request, mention_id: str, who: str, back: str):
    token = make_response_token(datasette, mention_id, who)
    query = urlencode({"token": token})
    path = datasette.urls.path(f"/-/groundswell/respond/{tilde_encode(mention_id)}?{query}")
    link = datasette.absolute_url(request, path)
    datasette.add_message(request, f"Response link (works once, for {TOKEN_TTL_HOURS} hours): "
                                   f"{link}")  # fmt: skip
    return Response.redirect(back)


@hookimpl
def prepare_jinja2_environment(env):
    env.globals["gs_nonce"] = lambda: secrets.token_urlsafe(12)


@hookimpl
def register_routes():
    return [
        (r"^/-/groundswell/inbox$", inbox),
        (r"^/-/groundswell/inbox/act$", inbox_action),
    ]
