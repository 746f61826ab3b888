"""Datasette ``register_routes`` hook: ``/`` is the brand dashboard (``groundswell_home.html``).

The figures come from ``groundswell.web.dashboard``: its independent parts (figures and trend,
topics, what needs a response) run at once on Datasette's read connections. Datasette's list of databases is one click away, at ``/groundswell``.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from datasette import hookimpl
from datasette.utils.asgi import Response

from groundswell.web.access import DATABASE, check_can_view
from groundswell.web.charts import svg_chart
from groundswell.web.dashboard import PARTS, start_dashboard


async def home(datasette, request):
    await check_can_view(datasette, request)
    requested, now = request.args.get("monitor"), datetime.now(timezone.utc)
    db = datasette.get_database(DATABASE)
    board = await db.execute_fn(lambda conn: start_dashboard(conn, requested, now))
    await asyncio.gather(*(db.execute_fn(lambda conn, part=part: part(conn, board, now))
                           for part in PARTS))  # fmt: skip
    context = {
        "board": board,
        "trend_svg": svg_chart(board.trend, width=1100, height=330) if board.trend else "",
        "topics_svg": svg_chart(board.topics, width=640, height=260) if board.topics else "",
        "voice_svg": svg_chart(board.voice, width=640, height=200) if board.voice else "",
    }
    html = await datasette.render_template("groundswell_home.html", context, request=request)
    return Response.html(html)


@hookimpl
def register_routes():
    return [(r"^/$", home)]
