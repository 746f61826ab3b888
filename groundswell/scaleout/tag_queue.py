"""The two tagging streams and what their entries hold.

``groundswell:to-tag``: one entry per stored mention waiting for its tags, holding what the
stages read of it (``TAG_INPUT_COLUMNS``, as ``groundswell tag`` reads them from SQLite), so
a tag worker never needs the database. ``groundswell:tags``: one entry per tagged mention,
the rows ``save_tags`` writes, with the ``content_hash`` the worker read: the writer drops a
result whose mention has been edited since (its new text is queued again).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from groundswell.scaleout.keys import TAG_QUEUE_KEY, TAGGER_GROUP, TAGS_KEY
from groundswell.tagging.tagger import MentionTags, mentions_to_tag

QUEUE_CHUNK = 500


def tag_entry(mention: dict) -> dict:
    return {"mention": json.dumps(mention, ensure_ascii=False)}


def queue_mentions(pipe, mentions: list[dict]) -> None:
    """Queue ``mentions`` (``mentions_to_tag`` rows) on ``pipe`` for the tag workers."""
    for mention in mentions:
        pipe.xadd(TAG_QUEUE_KEY, tag_entry(mention))


def read_tag_entry(fields: dict) -> dict:
    return json.loads(fields[b"mention"])


def result_fields(tags: MentionTags, content_hash: str | None) -> tuple[str, bytes]:
    """One tagged mention as a result entry's two fields: its rows as JSON, and its
    embedding (float16 bytes as ``mention_vectors`` stores it; empty when there is none)."""
    from groundswell.community.vectors import pack

    space, vector = tags.vector if tags.vector is not None else (None, None)
    rows = {"id": tags.mention_id, "content_hash": content_hash, "columns": tags.columns,
            "topics": tags.topics, "keyphrases": tags.keyphrases, "monitors": tags.monitors,
            "space": space}  # fmt: skip
    return json.dumps(rows, ensure_ascii=False), pack(vector) if vector is not None else b""


@dataclass
class TagResult:
    tags: MentionTags
    content_hash: str | None


def read_result(fields: dict) -> TagResult:
    from groundswell.community.vectors import unpack

    rows = json.loads(fields[b"tags"])
    vector = fields.get(b"vector") or b""
    tags = MentionTags(rows["id"], rows["columns"], topics=rows["topics"],
                       keyphrases=rows["keyphrases"], monitors=rows["monitors"],
                       vector=(rows["space"], unpack(vector)) if vector else None)  # fmt: skip
    return TagResult(tags, rows["content_hash"])


def queued_mention_ids(client) -> set[str]:
    """Mentions on either tagging stream: waiting, being tagged, or tagged but not stored.
    The queue is read before the results, so a mention moving from one to the other while
    they are read (one Lua step, entries appended at the results' end) is still seen."""
    ids = {json.loads(fields[b"mention"])["id"] for fields in stream_fields(client, TAG_QUEUE_KEY)}
    return ids | {json.loads(fields[b"tags"])["id"] for fields in stream_fields(client, TAGS_KEY)}


def stream_fields(client, stream: str, page: int = 1000):
    """Every entry's fields, a page at a time (a backlog may be large)."""
    start = "-"
    while entries := client.xrange(stream, start, "+", count=page):
        yield from (fields for _, fields in entries if fields)
        last = entries[-1][0].decode()
        start = f"({last}"


def queue_untagged(client, db) -> tuple[int, int]:
    """Queue every untagged mention of ``db`` that is on neither stream (stored before the
    writer queued tagging, or lost with Redis' data); returns (queued, already queued).

    A mention the writer stores meanwhile may be queued twice: tagged twice, stored the same."""
    untagged = [row[0] for row in db.execute("select id from mentions where tagged_at is null")]
    queued = queued_mention_ids(client)
    missing = [mention_id for mention_id in untagged if mention_id not in queued]
    for start in range(0, len(missing), QUEUE_CHUNK):
        with client.pipeline(transaction=False) as pipe:
            queue_mentions(pipe, mentions_to_tag(db, missing[start : start + QUEUE_CHUNK]))
            pipe.execute()
    return len(missing), len(untagged) - len(missing)


def listening_tag_workers(client, within: float = 30.0) -> int:
    """Tag workers that read the queue in the last ``within`` seconds (a live one asks every
    second, even with nothing to do)."""
    from redis.exceptions import ResponseError

    try:
        consumers = client.xinfo_consumers(TAG_QUEUE_KEY, TAGGER_GROUP)
    except ResponseError:  # no queue or no group yet: no worker has ever read
        return 0
    return sum(1 for consumer in consumers if consumer["idle"] < within * 1000)
