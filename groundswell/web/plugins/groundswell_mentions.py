"""Datasette hooks for the mentions pages: what they read besides their rows, and when they
count facets.

- ``gs_mention_card(id)``: the row page's card (``groundswell.web.card``), drawn by
  ``templates/row-groundswell-mentions.html``.
- ``gs_why_empty()``: why a mentions list came out empty (``groundswell.web.empty``), shown
  by ``templates/_table-groundswell-mentions.html`` instead of "0 records".
- ``gs_can_act``: whether the visitor is logged in (the card's and the inbox's buttons).
- ``gs_sources()``: the configured sources, for the list's quick filters.

``asgi_wrapper``: the mentions list counts its facets (source, sentiment) once it is narrowed
(a search, a filter); unnarrowed, the facets would count every mention (two passes over a
million rows, 200 ms), so the list shows quick filters instead (``_nofacet=1``; the dashboard
has the overview).
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

from groundswell.web.access import DATABASE, acting_person
from groundswell.web.card import mention_card
from groundswell.web.empty import explain_no_mentions


@hookimpl
def extra_template_vars(datasette, request, database):
    if database != DATABASE or request is None:
        return {}
    db = datasette.get_database(DATABASE)

    async def card(mention_id: str):
        return await db.execute_fn(lambda conn: mention_card(conn, mention_id))

    async def why_empty() -> list[str]:
        args = {key: request.args.get(key) for key in request.args}
        return await db.execute_fn(lambda conn: explain_no_mentions(conn, args))

    async def sources() -> list[str]:
        return [row[0] for row in (await db.execute("select name from sources order by name")).rows]

    return {"gs_mention_card": card, "gs_why_empty": why_empty, "gs_sources": sources,
            "gs_can_act": acting_person(request) is not None}  # fmt: skip


MENTIONS_LIST = f"/{DATABASE}/mentions"
NOT_NARROWING = {"_sort", "_sort_desc", "_next", "_view", "_size", "_nofacet"}


def facets_only_when_narrowed(query_string: bytes) -> bytes:
    """The list's query string with ``_nofacet=1`` when nothing narrows it, without when
    something does (Datasette carries ``_nofacet`` into its search form)."""
    pairs = [(k, v) for k, v in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
             if k != "_nofacet"]  # fmt: skip
    narrowed = any(k not in NOT_NARROWING and (v or not k.startswith("_")) for k, v in pairs)
    if not narrowed:
        pairs.append(("_nofacet", "1"))
    return urlencode(pairs).encode("latin-1")


@hookimpl
def asgi_wrapper():
    def wrap(app):
        @wraps(app)
        async def mentions_list(scope, receive, send):
            if scope["type"] == "http" and scope.get("path") == MENTIONS_LIST:
                query = facets_only_when_narrowed(scope.get("query_string", b""))
                scope = {**scope, "query_string": query}
            await app(scope, receive, send)

        return mentions_list

    return wrap
