"""One write transaction around several statements: ``with transaction(db): ...``.

sqlite-utils 4 commits every write statement on its own unless a transaction is already open,
and ``with db.conn:`` (Python's sqlite3 context manager) opens none: it only commits at the
end. A batch written that way is many transactions, and a kill in the middle leaves half of
it. ``db.atomic()`` (sqlite-utils 4) opens one with a deferred ``BEGIN``: a block that reads
before it writes then fails with "database is locked" at once when another process wrote in
between (SQLite cannot upgrade a stale read snapshot; ``busy_timeout`` does not wait for that).
So this takes the write lock first, ``BEGIN IMMEDIATE`` (waiting ``busy_timeout`` for another
writer), and leaves nesting to sqlite-utils' savepoints.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Everything written in the block is committed together, or rolled back on any exception
    (Ctrl+C included). Inside an open transaction it is a savepoint of it. A block may roll
    back itself (``db.conn.rollback()``): nothing is committed then."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if conn.in_transaction:
        conn.execute("COMMIT")
