"""Denormalised columns, kept in step by triggers, so pages and trends read one table.

- ``mentions.week`` (ISO week of ``published_at``), ``mentions.topics`` and
  ``mentions.monitors`` (sorted JSON lists of the mention's ``mention_topics`` and
  ``mention_monitors`` rows): what the ``mentions_enriched`` view shows and facets on, without
  a subquery or a date computation per row.
- On every ``mention_topics`` and ``mention_monitors`` row, copies of its mention's
  ``published_at``, ``week``, ``source``, ``kind``, ``rating``, ``duplicate_of`` and
  ``sentiment`` (as ``mention_sentiment``): the weekly trend queries group tag rows from an
  index without joining a million mentions. A ``mention_monitors`` row's ``mention_sentiment``
  is the sentiment toward that monitor: negative where the mention passed it over ("we moved
  from Zenlytics"), positive where it preferred it over another (its ``stance``,
  ``groundswell.tagging.stance``), else the mention's.

Triggers keep them right whoever writes: tagging (``save_tags`` replaces a mention's tag rows),
monitor matching, dedupe pointing a copy at its original, a re-crawl that changes a date,
retention. ``ensure_denormalised(db)`` adds the columns and, when the triggers are missing or
differ from this version's, fills every row (the migration) and (re)creates the triggers in one
transaction; otherwise it changes nothing.
"""

from __future__ import annotations

import sqlite_utils

from groundswell.store.transaction import transaction
from groundswell.store.views import iso_week_sql
from groundswell.tagging.stance import STANCE_SENTIMENT

MENTION_COLUMNS = {"week": str, "topics": str, "monitors": str}
TAG_COPY_COLUMNS = {
    "published_at": str, "week": str, "source": str, "kind": str, "rating": float,
    "duplicate_of": str, "mention_sentiment": str,
}  # fmt: skip
# tag table → the column that names the tag (what mentions.<list> lists)
TAG_TABLES = {"mention_topics": "topic", "mention_monitors": "monitor"}
LIST_COLUMN = {"mention_topics": "topics", "mention_monitors": "monitors"}
WATCHED = ("published_at", "duplicate_of", "sentiment", "source", "kind", "rating")
# a tag row's own columns that its copies depend on, besides mention_id
REKEY_COLUMNS = {"mention_topics": ("topic",), "mention_monitors": ("monitor", "stance")}


def copied_values(mention: str, table: str) -> dict[str, str]:
    """Each copied column's SQL for a ``table`` row, read from the mention row aliased
    ``mention``."""
    return {
        "published_at": f"{mention}.published_at",
        "week": iso_week_sql(f"{mention}.published_at"),
        "source": f"{mention}.source",
        "kind": f"{mention}.kind",
        "rating": f"{mention}.rating",
        "duplicate_of": f"{mention}.duplicate_of",
        "mention_sentiment": sentiment_sql(mention, table),
    }


def sentiment_sql(mention: str, table: str) -> str:
    """The mention's sentiment; toward a monitor, what its stance says where it has one."""
    if table != "mention_monitors":
        return f"{mention}.sentiment"
    cases = " ".join(
        f"when '{stance}' then '{label}'" for stance, label in STANCE_SENTIMENT.items()
    )
    return f"case {table}.stance {cases} else {mention}.sentiment end"


def copy_from_mention_sql(table: str, where: str) -> str:
    """UPDATE ``table`` rows matching ``where`` with their mention's copied columns."""
    values = copied_values("m", table)
    return (
        f"update {table} set ({', '.join(values)}) = (select {', '.join(values.values())} "
        f"from mentions m where m.id = {table}.mention_id) where {where}"
    )


def tag_list_sql(table: str, mention_id: str) -> str:
    """The sorted JSON list of a mention's tags in ``table`` (``[]`` when it has none)."""
    name = TAG_TABLES[table]
    return (
        f"(select json_group_array({name}) from (select {name} from {table} "
        f"where mention_id = {mention_id} order by {name}))"
    )


def set_tag_list_sql(table: str, mention_id: str) -> str:
    return (
        f"update mentions set {LIST_COLUMN[table]} = {tag_list_sql(table, mention_id)} "
        f"where id = {mention_id}"
    )


def trigger_definitions() -> dict[str, str]:
    """Each trigger's ``CREATE TRIGGER`` statement, by name."""
    week = iso_week_sql("new.published_at")
    changed = " or ".join(f"new.{c} is not old.{c}" for c in WATCHED)

    def copies(table: str) -> str:
        return ", ".join(f"{col} = {sql}" for col, sql in copied_values("new", table).items())

    triggers = {
        "mentions_week_on_insert": (
            "after insert on mentions begin "
            f"update mentions set week = {week} where rowid = new.rowid; end"
        ),
        "mentions_copies_on_update": (
            f"after update of {', '.join(WATCHED)} on mentions when {changed} begin "
            f"update mentions set week = {week} where rowid = new.rowid; "
            + "".join(f"update {t} set {copies(t)} where mention_id = new.id; " for t in TAG_TABLES)
            + "end"
        ),
    }
    for table in TAG_TABLES:
        rekey = ("mention_id", *REKEY_COLUMNS[table])
        triggers[f"{table}_copies_on_insert"] = (
            f"after insert on {table} begin "
            f"{copy_from_mention_sql(table, 'rowid = new.rowid')}; "
            f"{set_tag_list_sql(table, 'new.mention_id')}; end"
        )
        triggers[f"{table}_list_on_delete"] = (
            f"after delete on {table} begin {set_tag_list_sql(table, 'old.mention_id')}; end"
        )
        triggers[f"{table}_copies_on_rekey"] = (
            f"after update of {', '.join(rekey)} on {table} when "
            + " or ".join(f"new.{c} is not old.{c}" for c in rekey)
            + " begin "
            f"{copy_from_mention_sql(table, 'rowid = new.rowid')}; "
            f"{set_tag_list_sql(table, 'old.mention_id')}; "
            f"{set_tag_list_sql(table, 'new.mention_id')}; end"
        )
    return {name: f"CREATE TRIGGER [{name}] {body}" for name, body in triggers.items()}


def add_columns(db: sqlite_utils.Database) -> None:
    """Add the denormalised columns that are missing (nullable: filled by ``backfill``)."""
    wanted = {"mentions": MENTION_COLUMNS, **dict.fromkeys(TAG_TABLES, TAG_COPY_COLUMNS)}
    for table, columns in wanted.items():
        present = db[table].columns_dict
        for column, kind in columns.items():
            if column not in present:
                db[table].add_column(column, kind)


def backfill(db: sqlite_utils.Database) -> None:
    """Fill every denormalised column from the rows they copy (idempotent)."""
    lists = ", ".join(f"{LIST_COLUMN[t]} = {tag_list_sql(t, 'mentions.id')}" for t in TAG_TABLES)
    db.execute(f"update mentions set week = {iso_week_sql('published_at')}, {lists}")
    for table in TAG_TABLES:
        db.execute(copy_from_mention_sql(table, "1"))


def triggers_up_to_date(db: sqlite_utils.Database, wanted: dict[str, str]) -> bool:
    stored = dict(db.execute("select name, sql from sqlite_master where type = 'trigger'"))
    return all(stored.get(name) == sql for name, sql in wanted.items())


def drop_triggers(db: sqlite_utils.Database) -> None:
    """Drop the triggers (a bulk load runs faster without them; ``ensure_denormalised`` after
    it fills everything and puts them back)."""
    for name in trigger_definitions():
        db.execute(f"drop trigger if exists [{name}]")


def ensure_denormalised(db: sqlite_utils.Database) -> bool:
    """Columns, backfill and triggers; True when it migrated (filled and (re)created)."""
    add_columns(db)
    wanted = trigger_definitions()
    if triggers_up_to_date(db, wanted):
        return False
    with transaction(db):
        drop_triggers(db)
        backfill(db)
        for sql in wanted.values():
            db.execute(sql)
    return True
