"""Past digests in the browser, as the page each one is.

- ``/-/groundswell/digests``: every stored digest, newest first, with its headline.
- ``/-/groundswell/digests/<period>``: the digest in a sandboxed frame (``?monitor=`` picks a
  monitor's digest).
- ``/-/groundswell/digests/<period>.html``: the stored page itself, served with
  ``Content-Security-Policy: sandbox`` and no script, network or form access: only its own
  inline styles and its inline (``data:``) images. The frame is ``sandbox``ed too, so even a
  digest holding hostile text cannot run anything or reach Datasette.

In the ``digests`` table the ``html`` column links to the page instead of showing its source.
(datasette-render-html would paste the digest's HTML into Datasette's own page: its styles
would restyle the page and nothing would sandbox it.)
"""

from __future__ import annotations

from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from groundswell.web.access import DATABASE, check_can_view

DIGEST_CSP = ("sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
              "form-action 'none'; frame-ancestors 'self'")  # fmt: skip


def page_url(datasette, period: str, monitor: str, raw: bool = False) -> str:
    query = f"?{urlencode({'monitor': monitor})}" if monitor else ""
    return datasette.urls.path(f"/-/groundswell/digests/{period}{'.html' if raw else ''}{query}")


async def digest_list(datasette, request):
    await check_can_view(datasette, request)
    db = datasette.get_database(DATABASE)
    rows = (await db.execute("select period, monitor, created_at, mentions, headline from digests "
                             "order by period desc, monitor limit 200")).rows  # fmt: skip
    digests = [{**dict(row), "url": page_url(datasette, row["period"], row["monitor"] or "")}
               for row in rows]  # fmt: skip
    html = await datasette.render_template("groundswell_digests.html", {"digests": digests},
                                           request=request)  # fmt: skip
    return Response.html(html)


async def find_digest(datasette, period: str, monitor: str) -> dict:
    db = datasette.get_database(DATABASE)
    sql = ("select period, monitor, created_at, mentions, headline, html from digests "
           "where period = ? and coalesce(monitor, '') = ?")  # fmt: skip
    rows = (await db.execute(sql, [period, monitor])).rows
    if not rows:
        raise NotFound(f"No digest for {period}" + (f" and {monitor}" if monitor else ""))
    return dict(rows[0])


async def digest_page(datasette, request):
    await check_can_view(datasette, request)
    period, monitor = request.url_vars["period"], request.args.get("monitor", "")
    digest = await find_digest(datasette, period, monitor)
    context = {"digest": digest, "frame_url": page_url(datasette, period, monitor, raw=True)}
    html = await datasette.render_template("groundswell_digest.html", context, request=request)
    return Response.html(html)


async def digest_html(datasette, request):
    await check_can_view(datasette, request)
    digest = await find_digest(
        datasette, request.url_vars["period"], request.args.get("monitor", "")
    )
    return Response.html(digest["html"] or "<p>This digest has no HTML.</p>",
                         headers={"Content-Security-Policy": DIGEST_CSP,
                                  "X-Content-Type-Options": "nosniff"})  # fmt: skip


@hookimpl
def register_routes():
    period = r"(?P<period>[0-9]{4}-W[0-9]{2})"
    return [
        (r"^/-/groundswell/digests$", digest_list),
        (rf"^/-/groundswell/digests/{period}$", digest_page),
        (rf"^/-/groundswell/digests/{period}\.html$", digest_html),
    ]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """The ``html`` of a digest links to the page rather than showing its source."""
    if database != DATABASE or table != "digests" or column != "html" or not value:
        return None
    url = page_url(datasette, row["period"], row["monitor"] or "")
    return Markup('<a class="gs-digest-link" href="{}">Read this digest</a>').format(url)
