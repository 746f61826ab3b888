"""Rewriting a community table: every row replaced in one transaction.

The rebuilt tables (interactions, ties, defences, candidate advocates, question experts) are
derived data: each run deletes the old rows and inserts the new ones with one prepared
statement (``executemany``), which on 100,000 mentions is several times faster than a
row-by-row upsert.
"""

from __future__ import annotations

import sqlite_utils

from groundswell.store.transaction import transaction


def replace_rows(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    """Replace every row of ``table`` (made by ``ensure_db_shape``) with ``rows``."""
    columns = list(db[table].columns_dict)
    marks = ", ".join("?" * len(columns))
    names = ", ".join(f"[{c}]" for c in columns)
    with transaction(db):
        db.execute(f"delete from [{table}]")
        db.conn.executemany(
            f"insert or replace into [{table}] ({names}) values ({marks})",
            ([row.get(c) for c in columns] for row in rows),
        )
