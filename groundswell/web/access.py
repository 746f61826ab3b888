"""Who may see and do what on groundswell's own pages.

- ``check_can_view``: the pages the project adds (home, inbox, digests, saved searches, the
  respond page) ask Datasette's permissions as its own pages do, so when a login is required
  (``serve --host`` beyond 127.0.0.1) anonymous visitors get 403 everywhere.
- ``acting_person``: actions need a logged-in person (datasette-auth-passwords); anonymous
  visitors on 127.0.0.1 read only.
- Response links: ``make_response_token`` signs (mention, nonce, expiry, who made it) with the
  server's secret; ``read_response_token`` checks signature, mention and expiry. A token works
  once: its nonce becomes the action's nonce in ``inbox_actions`` (unique).
- ``GuessLimiter``: failed guesses (tokens, logins) per client and in all, in a sliding
  window; past the limit the answer is 429 with ``Retry-After``, whatever the guess.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass, field

from datasette.utils.asgi import Forbidden

DATABASE = "groundswell"
TOKEN_NAMESPACE = "groundswell-respond"
TOKEN_TTL_HOURS = 72


async def check_can_view(datasette, request) -> None:
    """Raise Forbidden (403) unless the visitor may see the groundswell database."""
    allowed = await datasette.permission_allowed(
        request.actor, "view-instance", default=True
    ) and await datasette.permission_allowed(
        request.actor, "view-database", resource=DATABASE, default=True
    )
    if not allowed:
        raise Forbidden("Log in to see this page (/-/login)")


def acting_person(request) -> str | None:
    """The logged-in person's id, or None for anonymous visitors."""
    actor = request.actor or {}
    return str(actor["id"]) if actor.get("id") else None


# --- response links -------------------------------------------------------------------------


class TokenError(ValueError):
    """A response token that is forged, for another mention, or expired."""


def make_response_token(datasette, mention_id: str, made_by: str,
                        ttl_hours: float = TOKEN_TTL_HOURS, now: float | None = None) -> str:  # fmt: skip
    now = time.time() if now is None else now
    payload = {"m": mention_id, "n": secrets.token_urlsafe(12),
               "e": int(now + ttl_hours * 3600), "b": made_by}  # fmt: skip
    return datasette.sign(payload, namespace=TOKEN_NAMESPACE)


def read_response_token(datasette, token: str, mention_id: str,
                        now: float | None = None) -> dict:  # fmt: skip
    """The token's payload; raises TokenError when it does not hold for this mention now."""
    from itsdangerous import BadSignature

    try:
        payload = datasette.unsign(token, namespace=TOKEN_NAMESPACE)
    except BadSignature:
        raise TokenError("This link is not valid") from None
    if not isinstance(payload, dict) or payload.get("m") != mention_id:
        raise TokenError("This link is for another mention")
    if (time.time() if now is None else now) > payload.get("e", 0):
        raise TokenError("This link has expired: ask for a new one")
    return payload


# --- guessing ------------------------------------------------------------------------------


@dataclass
class GuessLimiter:
    """At most ``per_client`` failures per client and ``overall`` in all per ``window_s``."""

    per_client: int = 10
    overall: int = 60
    window_s: float = 600.0
    failures: dict[str, deque] = field(default_factory=dict)
    all_failures: deque = field(default_factory=deque)

    def forget_old(self, now: float) -> None:
        horizon = now - self.window_s
        while self.all_failures and self.all_failures[0] < horizon:
            self.all_failures.popleft()
        for client in list(self.failures):
            times = self.failures[client]
            while times and times[0] < horizon:
                times.popleft()
            if not times:
                del self.failures[client]

    def blocked(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.forget_old(now)
        mine = len(self.failures.get(client, ()))
        return mine >= self.per_client or len(self.all_failures) >= self.overall

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self.failures.setdefault(client, deque()).append(now)
        self.all_failures.append(now)

    def retry_after(self) -> int:
        return int(self.window_s)


def client_of(scope_or_request) -> str:
    scope = getattr(scope_or_request, "scope", scope_or_request)
    client = scope.get("client") or ("?", 0)
    return str(client[0])


def limiter_of(datasette, name: str, **limits) -> GuessLimiter:
    """The server's own limiter called ``name`` (one per Datasette instance)."""
    limiters = datasette.__dict__.setdefault("_groundswell_limiters", {})
    if name not in limiters:
        limiters[name] = GuessLimiter(**limits)
    return limiters[name]
