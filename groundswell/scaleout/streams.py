"""Reading a Redis stream as one consumer of a consumer group, so that nothing read is lost.

The writer (mentions, tag results) and the tag workers (mentions to tag) read their streams
the same way: their own pending entries first (a process restarted under the same name after
a kill), then entries another consumer has left pending longer than ``claim_after`` seconds
(XAUTOCLAIM: that consumer died), then new entries. A reader acknowledges and deletes entries
only once what it made of them is committed.
"""

from __future__ import annotations

from collections.abc import Set

from redis.exceptions import ResponseError


def ensure_group(client, stream: str, group: str) -> None:
    """``group`` on ``stream`` (created empty if need be), reading from its first entry."""
    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


class GroupReader:
    def __init__(self, client, stream: str, group: str, consumer: str, count: int,
                 claim_after: float) -> None:  # fmt: skip
        self.client, self.stream, self.group, self.consumer = client, stream, group, consumer
        self.count, self.claim_after_ms = count, int(claim_after * 1000)
        self.claimed = 0  # entries taken over from other consumers
        self.redelivered = False  # the last entries were read before (own pending, or claimed)
        ensure_group(client, stream, group)

    def next_entries(self, block_ms: int | None, holding: Set = frozenset()) -> list[tuple]:
        """Up to ``count`` (entry id, fields): own pending, then claimed, then new ones
        (waiting up to ``block_ms`` for them; None: no wait). ``holding``: the ids of entries
        this consumer has read and not acknowledged yet (a batch read ahead), not read again."""
        self.redelivered = True
        own = self.read("0", block_ms=None, count=self.count + len(holding))
        own = [entry for entry in own if entry[0] not in holding][: self.count]
        if own:
            return own
        _, claimed, *_ = self.client.xautoclaim(self.stream, self.group, self.consumer,
                                                self.claim_after_ms, "0-0", count=self.count)  # fmt: skip
        # deleted entries come back empty; an entry held here (slow to tag) is ours already
        claimed = [entry for entry in claimed if entry[1] and entry[0] not in holding]
        if claimed:
            self.claimed += len(claimed)
            return claimed
        self.redelivered = False
        return self.read(">", block_ms=block_ms)

    def read(self, start: str, block_ms: int | None, count: int | None = None) -> list[tuple]:
        answer = self.client.xreadgroup(self.group, self.consumer, {self.stream: start},
                                        count=count or self.count, block=block_ms)  # fmt: skip
        return [entry for _, entries in answer or [] for entry in entries if entry[1]]

    def acknowledge(self, pipe, entry_ids: list) -> None:
        """Queue on ``pipe`` (a transaction) the XACK and XDEL of ``entry_ids``."""
        pipe.xack(self.stream, self.group, *entry_ids).xdel(self.stream, *entry_ids)

    def forget_idle_consumers(self, idle_seconds: float) -> int:
        """Remove the group's consumers holding nothing and idle that long (workers that have
        gone: each process joins under a new name); a live one is re-added when it reads."""
        consumers = self.client.xinfo_consumers(self.stream, self.group)
        gone = [c["name"] for c in consumers if not c["pending"] and c["idle"] >= idle_seconds * 1000
                and c["name"] not in (self.consumer, self.consumer.encode())]  # fmt: skip
        for name in gone:
            self.client.xgroup_delconsumer(self.stream, self.group, name)
        return len(gone)
