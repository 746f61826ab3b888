"""People's corrections of a tag: "this mention is not negative, it is positive".

``save_correction(db, ...)`` writes one ``corrections`` row (mention, field, old, new, who,
when); a repeated correction (the same new value for the same mention and field as the latest
one) writes nothing, so a double click does one thing. The tagger's labels stay as the model
gave them; corrections are kept beside them to score and retrain the model.
"""

from __future__ import annotations

import json

import sqlite_utils

from groundswell.errors import GroundswellError
from groundswell.store.schema import utc_now
from groundswell.store.transaction import transaction

SENTIMENTS = ("negative", "neutral", "positive")
CORRECTABLE = ("sentiment", "topics")


class CorrectionError(GroundswellError, ValueError):
    """A correction of a field that cannot be corrected, to a value it cannot take."""


def current_value(db: sqlite_utils.Database, mention_id: str, field: str) -> str | None:
    row = db.execute(f"select {field} from mentions where id = ?", [mention_id]).fetchone()
    if row is None:
        raise CorrectionError(f"no mention {mention_id!r}")
    return row[0]


def normalised(field: str, new) -> str:
    """The stored form of a corrected value: a sentiment label, or a JSON list of topics."""
    if field not in CORRECTABLE:
        raise CorrectionError(f"{field!r} cannot be corrected; fields: {', '.join(CORRECTABLE)}")
    if field == "sentiment":
        if new not in SENTIMENTS:
            raise CorrectionError(f"sentiment must be one of {', '.join(SENTIMENTS)} (got {new!r})")
        return new
    topics = json.loads(new) if isinstance(new, str) else list(new)
    if not all(isinstance(t, str) and t for t in topics):
        raise CorrectionError(f"topics must be a list of topic names (got {new!r})")
    return json.dumps(sorted(set(topics)))


def save_correction(db: sqlite_utils.Database, mention_id: str, field: str, new, who: str,
                    note: str | None = None) -> int | None:  # fmt: skip
    """Record that ``who`` corrected ``field`` of a mention to ``new``; returns the row id,
    or None when the latest correction of that field already says ``new``."""
    value = normalised(field, new)
    latest = db.execute(
        "select new from corrections where mention_id = ? and field = ? order by id desc limit 1",
        [mention_id, field],
    ).fetchone()
    if latest is not None and latest[0] == value:
        return None
    row = {"mention_id": mention_id, "field": field, "old": current_value(db, mention_id, field),
           "new": value, "who": who, "at": utc_now(), "note": note}  # fmt: skip
    with transaction(db):
        return db["corrections"].insert(row).last_pk


def corrections_of(db: sqlite_utils.Database, field: str) -> list[dict]:
    """The latest correction of ``field`` for each corrected mention, with the mention's text."""
    sql = """select c.mention_id, c.old, c.new, c.who, c.at, m.title, m.body, m.rating
             from corrections c join mentions m on m.id = c.mention_id
             where c.field = ? and c.id = (select max(id) from corrections
                                           where mention_id = c.mention_id and field = c.field)
             order by c.id"""
    return [dict(row) for row in db.query(sql, [field])]
