"""``groundswell writer``: drain the fleet's stream of mentions into SQLite.

A consumer group (``writers``) delivers each entry to one writer. A batch is stored with the
idempotent ``save_mentions`` upsert in one transaction, and only then acknowledged and deleted
from the stream. A writer killed mid-batch leaves its entries pending: on start it reads its
own pending entries first, and any writer takes over (XAUTOCLAIM) entries another consumer has
left pending longer than ``claim_after`` seconds. Storing an entry twice changes nothing.

With ``tag_results`` (``--tag-workers``), the batch's mentions that need tags (new, or
edited) are queued for the tag workers in the same Redis transaction as the acknowledgement,
and the workers' results are stored between batches (``groundswell.scaleout.tag_results``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from groundswell.scaleout.keys import STREAM_KEY, WRITER_GROUP, IdleClock, fleet_has_nothing
from groundswell.scaleout.streams import GroupReader
from groundswell.scaleout.tag_queue import queue_mentions
from groundswell.store import mark_thread_replies, save_mentions
from groundswell.tagging.tagger import mentions_to_tag

MARK_EVERY_SECONDS = 30.0


@dataclass
class WriterTotals:
    batches: int = 0
    stored: int = 0
    new: int = 0
    claimed: int = 0
    queued_for_tags: int = 0
    tags_stored: int = 0
    sources: set[str] = field(default_factory=set)


class StreamWriter:
    def __init__(self, client, db, consumer: str = "writer", batch: int = 500,
                 claim_after: float = 30.0, vendor_accounts: dict | None = None,
                 tag_results=None) -> None:  # fmt: skip
        self.client, self.db = client, db
        self.reader = GroupReader(client, STREAM_KEY, WRITER_GROUP, consumer, batch, claim_after)
        self.vendor_accounts = vendor_accounts or {}  # source name -> its vendor accounts
        self.tag_results = tag_results  # a TagResultWriter: tagging by tag workers
        self.totals = WriterTotals()
        self.unmarked: set[str] = set()  # sources stored since replies were last marked
        self.marked_at = time.monotonic()

    def write_batch(self, block_ms: int | None = 1000) -> int:
        """Store one batch; returns how many entries it stored (0: nothing waiting)."""
        entries = self.reader.next_entries(block_ms)
        if not entries:
            return 0
        mentions = [json.loads(fields[b"mention"]) for _, fields in entries]
        counts = save_mentions(self.db, mentions)  # committed when this returns
        self.unmarked.update(m["source"] for m in mentions)
        to_tag = self.mentions_to_tag(mentions, counts)
        with self.client.pipeline(transaction=True) as pipe:
            queue_mentions(pipe, to_tag)
            self.reader.acknowledge(pipe, [entry_id for entry_id, _ in entries])
            pipe.execute()
        self.totals.batches += 1
        self.totals.stored += len(entries)
        self.totals.new += counts.new
        self.totals.queued_for_tags += len(to_tag)
        self.totals.sources.update(m["source"] for m in mentions)
        return len(entries)

    def mentions_to_tag(self, mentions: list[dict], counts) -> list[dict]:
        """With tag workers: the batch's new and edited mentions, as the stages read them (one
        stored again unchanged, e.g. from a listing then its thread page, is queued already
        or tagged). A batch read again after a writer died between its commit and its
        acknowledgement stores nothing new: then every untagged mention of it is queued."""
        if self.tag_results is None:
            return []
        ids = [m["id"] for m in mentions]
        if not self.reader.redelivered:
            ids = [i for i in ids if i in counts.new_ids or i in counts.edited_ids]
        return mentions_to_tag(self.db, ids)

    def store_tags(self) -> int:
        """Store one batch of the tag workers' results (none without ``tag_results``)."""
        if self.tag_results is None:
            return 0
        done = self.tag_results.store_batch()
        self.totals.tags_stored = self.tag_results.stored
        return done

    def mark_replies(self, every: float = MARK_EVERY_SECONDS) -> None:
        """``answered`` / ``vendor_responded`` on the stored sources' mentions, as a crawl does
        when it ends: when the stream is empty, and at least every ``every`` seconds (a reply
        and its parent may come in different batches, in either order)."""
        if self.unmarked and time.monotonic() - self.marked_at >= every:
            for source in sorted(self.unmarked):
                mark_thread_replies(self.db, source, self.vendor_accounts.get(source, ()))
            self.unmarked, self.marked_at = set(), time.monotonic()

    def run(self, idle_exit: float = 0.0, stop=None) -> WriterTotals:
        """Write batches until ``stop`` is set, or (``idle_exit``) until nothing at all waits
        in Redis (no job, request, lease, stream entry, mention to tag or tag result) for that
        many seconds. While tag results come in, it does not wait for mentions."""
        idle, tagged = IdleClock(idle_exit), 0
        while not (stop and stop.is_set()):
            stored = self.write_batch(block_ms=None if tagged else 1000)
            tagged = self.store_tags()
            if stored or tagged:
                self.mark_replies()
                idle.reset()
                continue
            self.mark_replies(every=0)
            if idle.expired(lambda: fleet_has_nothing(self.client)):
                break
        self.mark_replies(every=0)
        self.totals.claimed = self.reader.claimed
        return self.totals
