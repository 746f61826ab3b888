"""Which mentions the vendor wrote: ``mentions.by_vendor``.

A reply from the vendor's own support account ("Hi @sreyes, thanks for the clear write-up") is
a mention like any other to the crawler. For a marketer it is not customer voice: the digest
leaves it out of its counts, the intent stage calls it ``other``, and the Datasette pages show
it marked, with ``by_vendor = 1`` to filter on. The accounts are the configured
``vendor_accounts`` (of the sources and of ``[community]``), compared trimmed and lower-case,
so the column follows the config: an account added later marks its old posts on the next pass.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from groundswell.config import account_names
from groundswell.store.transaction import transaction


def mark_vendor_posts(db: sqlite_utils.Database, vendors: Iterable[str]) -> int:
    """Set ``by_vendor`` (1 for a vendor account's mention, 0 for the rest) where it changed;
    the number of mentions by vendor accounts."""
    names = sorted(account_names(vendors))
    by_vendor = "0"
    if names:
        by_vendor = f"coalesce(lower(trim(author)) in ({', '.join('?' * len(names))}), 0)"
    with transaction(db):
        db.execute(
            f"update mentions set by_vendor = {by_vendor} "
            f"where by_vendor is null or by_vendor != {by_vendor}",
            names * 2,
        )
    return db.execute("select count(*) from mentions where by_vendor = 1").fetchone()[0]
