"""What a crawl may request: its source's host and port, and the hosts the source lists.

- A request goes to the source URL's own host and port (the scheme's default port when none
  is written), or to a host the source lists in ``allowed_hosts`` (``"host"``: its scheme's
  default port; ``"host:port"``: that port).
- Never a private, loopback or link-local address (``127.0.0.1``, ``10.x``, ``192.168.x``,
  ``::1``, ``localhost``...) unless the source's own URL is one: then that host and port
  only, as for any source. A listed host given by name is resolved (once per process) and
  refused when any of its addresses is private: a name cannot smuggle a request into the
  local network.
- ``data:``, ``blob:`` and ``about:`` URLs (a rendered page's own content) are not requests.

``groundswell/crawl/middlewares/reach.py`` applies the rule to every request Scrapy sends
(links, redirects, retries); rendered pages (``render = true``) apply it to every request the
page's JavaScript makes, through Playwright's request interception (``abort_unreachable``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
NOT_REQUESTS = ("data:", "blob:", "about:")


def host_port(url: str) -> tuple[str, int] | None:
    """(host, port) of an absolute http(s) URL, else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.hostname.lower().rstrip("."), port or DEFAULT_PORTS[parts.scheme]


def address_of(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address ``host`` is written as, or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_private(host: str) -> bool:
    """A loopback, private, link-local or unspecified address (or ``localhost``)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = address_of(host)
    if address is None:
        return False
    return (address.is_private or address.is_loopback or address.is_link_local
            or address.is_unspecified or address.is_reserved)  # fmt: skip


@lru_cache(maxsize=1024)
def resolves_private(host: str) -> bool:
    """True when the name ``host`` resolves to any private, loopback or link-local address.

    A name that does not resolve is not private: the request then fails on its DNS lookup.
    """
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    return any(is_private(info[4][0].split("%")[0]) for info in infos)


@dataclass(frozen=True)
class Reach:
    origin: tuple[str, int]
    listed: frozenset[tuple[str, int | None]] = frozenset()

    @classmethod
    def for_source(cls, url: str, allowed_hosts: Iterable[str] = ()) -> Reach:
        origin = host_port(url)
        if origin is None:
            raise ValueError(f"not an absolute http(s) URL: {url}")
        return cls(origin, frozenset(parse_listed(entry) for entry in allowed_hosts))

    def allows(self, url: str) -> bool:
        target = host_port(url)
        if target is None:
            return False
        if target == self.origin:
            return True
        if is_private(target[0]):  # never, but for a private source's own host and port
            return False
        host, port = target
        listed = (host, port) in self.listed or (
            (host, None) in self.listed and port in DEFAULT_PORTS.values()
        )
        return listed and (address_of(host) is not None or not resolves_private(host))

    def refusal(self, url: str) -> str:
        host, port = self.origin
        return (f"{url} is outside the source's reach ({host}:{port} and the source's "
                "allowed_hosts); not requested")  # fmt: skip


def parse_listed(entry: str) -> tuple[str, int | None]:
    """``"host"`` or ``"host:port"`` of ``allowed_hosts``; port None: the scheme's default."""
    host, _, port = entry.strip().lower().partition(":")
    return host.rstrip("."), int(port) if port else None


def abort_unreachable(reach: Reach):
    """A Playwright ``abort_request`` predicate: True for a request outside ``reach``."""

    def should_abort(request) -> bool:
        url = request.url
        return not url.startswith(NOT_REQUESTS) and not reach.allows(url)

    return should_abort
