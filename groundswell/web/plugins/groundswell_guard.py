"""Datasette ``asgi_wrapper`` hook: password guessing at ``/-/login`` is rate-limited.

datasette-auth-passwords answers a wrong password with the login form again (200) and a right
one with a redirect (302). Each wrong answer counts against the client and against everyone
(``groundswell.web.access.GuessLimiter``); past the limit, logins answer 429 with
``Retry-After`` before any password is checked.
"""

from __future__ import annotations

from functools import wraps

from datasette import hookimpl

from groundswell.web.access import client_of, limiter_of

LIMITS = {"per_client": 10, "overall": 100, "window_s": 600}
LOGIN_PATH = "/-/login"


async def too_many(send, retry_after: int) -> None:
    body = b"Too many failed logins: try again in 10 minutes"
    await send({"type": "http.response.start", "status": 429,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"retry-after", str(retry_after).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


@hookimpl
def asgi_wrapper(datasette):
    logins = limiter_of(datasette, "logins", **LIMITS)

    def wrap(app):
        @wraps(app)
        async def limit_logins(scope, receive, send):
            if (
                scope["type"] != "http"
                or scope.get("method") != "POST"
                or (scope.get("path") != LOGIN_PATH)
            ):
                return await app(scope, receive, send)
            client = client_of(scope)
            if logins.blocked(client):
                return await too_many(send, logins.retry_after())

            async def counting_send(message):
                if message["type"] == "http.response.start" and message["status"] == 200:
                    logins.failed(client)  # the form again: a wrong password
                await send(message)

            await app(scope, receive, counting_send)

        return limit_logins

    return wrap
