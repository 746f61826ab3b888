"""The writer's half of distributed tagging: store the tag workers' results in SQLite.

Results are read from ``groundswell:tags`` in the writers' consumer group, a batch at a time.
The writer runs the one stage that needs the database, ``dedupe`` (its index of stored
mentions is loaded once, on the first batch, as ``groundswell tag`` loads it), then stores
the batch with the same ``save_tags`` as ``groundswell tag``, and acknowledges it only after
the commit: a writer killed in between stores the batch again on restart, which changes
nothing. A result whose mention was edited since it was queued is dropped (acknowledged,
not stored): the edit cleared the mention's tags and queued its new text.
"""

from __future__ import annotations

from groundswell.scaleout.keys import TAGS_KEY, WRITER_GROUP
from groundswell.scaleout.streams import GroupReader
from groundswell.scaleout.tag_queue import read_result
from groundswell.tagging.tagger import TaggedBatch, mentions_to_tag, save_tags


class TagResultWriter:
    def __init__(self, client, db, consumer: str, batch: int = 500, claim_after: float = 30.0,
                 dedupe: bool = True) -> None:  # fmt: skip
        self.client, self.db, self.dedupe = client, db, dedupe
        self.reader = GroupReader(client, TAGS_KEY, WRITER_GROUP, consumer, batch, claim_after)
        self._deduplicator = None
        self.stored = 0  # results stored
        self.dropped = 0  # results of mentions edited (or deleted) since they were queued

    @property
    def deduplicator(self):
        if self._deduplicator is None:
            from groundswell.tagging.dedupe import Deduplicator

            self._deduplicator = Deduplicator.from_db(self.db)
        return self._deduplicator

    def assign_duplicates(self, mentions: list[dict]) -> dict[str, str | None]:
        """``dedupe`` over ``mentions``; when an original it names is no longer stored (pruned
        or forgotten by another process since the index was loaded), the index is loaded
        again and the batch assigned again: no mention is hidden behind a deleted one."""
        duplicates = self.deduplicator.assign(mentions)
        originals = sorted({original for original in duplicates.values() if original})
        if count_stored(self.db, originals) < len(originals):
            self._deduplicator = None
            duplicates = self.deduplicator.assign(mentions)
        return duplicates

    def store_batch(self, block_ms: int | None = None) -> int:
        """Store one batch of results; returns how many entries it took (0: none waiting)."""
        entries = self.reader.next_entries(block_ms)
        if not entries:
            return 0
        results = {}  # the last result of each mention
        for _, fields in entries:
            result = read_result(fields)
            results[result.tags.mention_id] = result
        current = mentions_to_tag(self.db, list(results), untagged_only=False)
        kept = [row for row in current if row["content_hash"] == results[row["id"]].content_hash]
        if kept:
            duplicates = self.assign_duplicates(kept) if self.dedupe else {}
            tagged = TaggedBatch([results[row["id"]].tags for row in kept], duplicates)
            save_tags(self.db, tagged, self.deduplicator if self.dedupe else None)
        with self.client.pipeline(transaction=True) as pipe:
            self.reader.acknowledge(pipe, [entry_id for entry_id, _ in entries])
            pipe.execute()
        self.stored += len(kept)
        self.dropped += len(results) - len(kept)
        return len(entries)


def count_stored(db, mention_ids: list[str]) -> int:
    marks = ",".join("?" * len(mention_ids))
    return db.execute(
        f"select count(*) from mentions where id in ({marks})", mention_ids
    ).fetchone()[0]
