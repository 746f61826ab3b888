"""Listening ports: bind before any work, so a busy port fails at once with one line.

Servers the user points at (``serve --port``, ``replay --port``, ``demo --port``) bind their
socket first and announce their URL only once it is bound; internal servers (the demo site,
test replays) ask for port 0 and take whatever free port the system gives.
"""

from __future__ import annotations

import errno
import socket

from groundswell.errors import GroundswellError


class PortError(GroundswellError, OSError):
    """A port that cannot be listened on (in use, not permitted, no such address)."""


def port_problem(error: OSError, host: str, port: int, option: str = "--port") -> PortError:
    """The one-line message for a failed bind of ``host:port``."""
    if error.errno == errno.EADDRINUSE:
        return PortError(
            f"port {port} on {host} is already in use by another program: stop that program "
            f"or choose another port with {option}"
        )
    if error.errno == errno.EACCES:
        return PortError(
            f"port {port} on {host} needs privileges to listen on: choose a port above 1023 "
            f"with {option}"
        )
    reason = error.strerror or str(error)
    return PortError(f"cannot listen on {host}:{port}: {reason} (check --host and {option})")


def listening_socket(host: str, port: int, option: str = "--port") -> socket.socket:
    """A TCP socket bound to ``host:port`` and listening (``port`` 0: any free port).

    Raises ``PortError`` naming the port and what to do when it cannot be bound."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as error:
        raise PortError(f"cannot listen on {host}:{port}: unknown host ({error})") from None
    sock = socket.socket(family, socket.SOCK_STREAM)
    # like uvicorn and http.server: a port left in TIME_WAIT can be reused; a listening one not
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise port_problem(error, host, port, option) from None
    return sock


def check_port_free(host: str, port: int, option: str = "--port") -> None:
    """Raise ``PortError`` now if ``host:port`` cannot be listened on (for a server that a
    child process starts a moment later)."""
    listening_socket(host, port, option).close()


def bound_port(sock: socket.socket) -> int:
    return sock.getsockname()[1]
