"""Saved searches in the browser (``groundswell.store.saved_searches``).

- ``/-/groundswell/searches``: each saved search with a link to its results, its Atom feed
  (the ``saved_search_feed`` canned query as ``.atom``, by datasette-atom) and its daily email.
- ``POST /-/groundswell/searches/save``: save the search a mentions page shows (its search
  words, source, sentiment, kind and monitor) under a name; ``/delete`` removes one. Logged-in
  people only, with Datasette's CSRF token.
"""

from __future__ import annotations

from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

from groundswell.store.saved_searches import (
    SavedSearchError,
    datasette_filters,
    delete_search,
    list_searches,
    save_search,
)
from groundswell.web.access import DATABASE, acting_person, check_can_view

PAGE = "/-/groundswell/searches"


def with_links(datasette, search: dict) -> dict:
    query = urlencode(datasette_filters(search))
    feed = urlencode({"name": search["name"]})
    return {**search,
            "results_url": datasette.urls.table(DATABASE, "mentions") + (f"?{query}" if query else ""),
            "feed_url": datasette.urls.path(f"/{DATABASE}/saved_search_feed.atom?{feed}")}  # fmt: skip


def in_words(search: dict) -> str:
    parts = [f"“{search['query']}”" if search.get("query") else "every mention"]
    for key, label in (("monitor", "about"), ("source", "on"), ("sentiment", "tagged"),
                       ("kind", "kind")):  # fmt: skip
        if search.get(key):
            parts.append(f"{label} {search[key]}")
    return ", ".join(parts)


async def searches_page(datasette, request):
    await check_can_view(datasette, request)
    db = datasette.get_database(DATABASE)
    found = await db.execute_fn(lambda conn: list_searches(sqlite_db(conn)))
    context = {"searches": [{**with_links(datasette, s), "words": in_words(s)} for s in found],
               "me": acting_person(request)}  # fmt: skip
    html = await datasette.render_template("groundswell_searches.html", context, request=request)
    return Response.html(html)


def sqlite_db(conn):
    import sqlite_utils

    return sqlite_utils.Database(conn)


async def write_search(datasette, request, write) -> Response:
    await check_can_view(datasette, request)
    if request.method != "POST":
        return Response.text("POST only", status=405)
    who = acting_person(request)
    if who is None:
        datasette.add_message(request, "Log in to save searches (/-/login)", datasette.ERROR)
        return Response.redirect(datasette.urls.path(PAGE))
    form = await request.post_vars()
    db = datasette.get_database(DATABASE)
    try:
        message = await db.execute_write_fn(lambda conn: write(sqlite_db(conn), form, who))
    except SavedSearchError as error:
        datasette.add_message(request, str(error), datasette.ERROR)
        return Response.redirect(datasette.urls.path(PAGE))
    datasette.add_message(request, message)
    return Response.redirect(datasette.urls.path(PAGE))


def save_from_form(db, form: dict, who: str) -> str:
    saved = save_search(db, form.get("name", ""), who, query=form.get("_search", ""),
                        monitor=form.get("monitors__arraycontains", ""),
                        source=form.get("source", ""), sentiment=form.get("sentiment", ""),
                        kind=form.get("kind", ""), email=form.get("email", ""))  # fmt: skip
    return f"Saved the search “{saved['name']}”"


def delete_from_form(db, form: dict, who: str) -> str:
    name = form.get("name", "")
    return f"Deleted “{name}”" if delete_search(db, name) else f"No saved search “{name}”"


async def save(datasette, request):
    return await write_search(datasette, request, save_from_form)


async def delete(datasette, request):
    return await write_search(datasette, request, delete_from_form)


@hookimpl
def register_routes():
    return [
        (rf"^{PAGE}$", searches_page),
        (rf"^{PAGE}/save$", save),
        (rf"^{PAGE}/delete$", delete),
    ]
