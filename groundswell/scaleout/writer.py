"""``groundswell writer``: drain the fleet's stream of mentions into SQLite.

A consumer group (``writers``) delivers each entry to one writer. A batch is stored with the
idempotent ``save_mentions`` upsert in one transaction, and only then acknowledged and deleted
from the stream. A writer killed mid-batch leaves its entries pending: on start it reads its
own pending entries first, and any writer takes over (XAUTOCLAIM) entries another consumer has
left pending longer than ``claim_after`` seconds. Storing an entry twice changes nothing.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from redis.exceptions import ResponseError

from groundswell.scaleout.keys import STREAM_KEY, WRITER_GROUP, stream_backlog
from groundswell.store import mark_thread_replies, save_mentions

MARK_EVERY_SECONDS = 30.0


@dataclass
class WriterTotals:
    batches: int = 0
    stored: int = 0
    new: int = 0
    claimed: int = 0
    sources: set[str] = field(default_factory=set)


def ensure_group(client) -> None:
    """The writers' consumer group, reading the stream from its first entry."""
    try:
        client.xgroup_create(STREAM_KEY, WRITER_GROUP, id="0", mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


class StreamWriter:
    def __init__(self, client, db, consumer: str = "writer", batch: int = 500,
                 claim_after: float = 30.0, vendor_accounts: dict | None = None) -> None:  # fmt: skip
        self.client, self.db, self.consumer = client, db, consumer
        self.batch, self.claim_after_ms = batch, int(claim_after * 1000)
        self.vendor_accounts = vendor_accounts or {}  # source name -> its vendor accounts
        self.totals = WriterTotals()
        self.unmarked: set[str] = set()  # sources stored since replies were last marked
        self.marked_at = time.monotonic()
        ensure_group(client)

    def next_entries(self, block_ms: int) -> list[tuple]:
        """Entries to store: this consumer's own pending ones (a restart after a kill), then
        others' pending ones idle for ``claim_after``, then new ones."""
        own = self.read("0", block_ms=None)
        if own:
            return own
        _, claimed, *_ = self.client.xautoclaim(STREAM_KEY, WRITER_GROUP, self.consumer,
                                                self.claim_after_ms, "0-0", count=self.batch)  # fmt: skip
        claimed = [entry for entry in claimed if entry[1]]  # deleted entries come back empty
        if claimed:
            self.totals.claimed += len(claimed)
            return claimed
        return self.read(">", block_ms=block_ms)

    def read(self, start: str, block_ms: int | None) -> list[tuple]:
        answer = self.client.xreadgroup(WRITER_GROUP, self.consumer, {STREAM_KEY: start},
                                        count=self.batch, block=block_ms)  # fmt: skip
        return [entry for _, entries in answer or [] for entry in entries if entry[1]]

    def write_batch(self, block_ms: int = 1000) -> int:
        """Store one batch; returns how many entries it stored (0: nothing waiting)."""
        entries = self.next_entries(block_ms)
        if not entries:
            return 0
        mentions = [json.loads(fields[b"mention"]) for _, fields in entries]
        counts = save_mentions(self.db, mentions)  # committed when this returns
        self.unmarked.update(m["source"] for m in mentions)
        ids = [entry_id for entry_id, _ in entries]
        with self.client.pipeline(transaction=True) as pipe:
            pipe.xack(STREAM_KEY, WRITER_GROUP, *ids).xdel(STREAM_KEY, *ids).execute()
        self.totals.batches += 1
        self.totals.stored += len(entries)
        self.totals.new += counts.new
        self.totals.sources.update(m["source"] for m in mentions)
        return len(entries)

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
        in Redis (no job, request, lease, stream entry) for that many seconds."""
        idle_since = None
        while not (stop and stop.is_set()):
            if self.write_batch():
                self.mark_replies()
                idle_since = None
                continue
            self.mark_replies(every=0)
            if idle_exit and not any(stream_backlog(self.client).values()):
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= idle_exit:
                    break
            else:
                idle_since = None
        self.mark_replies(every=0)
        return self.totals
