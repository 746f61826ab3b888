"""``groundswell tag-worker``: tag the mentions the writer queued, beside any number of others.

A tag worker loads the models once, then takes batches from ``groundswell:to-tag`` in the
``taggers`` consumer group and runs every configured stage but ``dedupe`` (the one that needs
the database: the writer runs it when it stores the results). One Lua step acknowledges each
entry and, only if this worker's acknowledgement was the one that counted, adds its result to
``groundswell:tags``: a batch taken over from a worker that turned out to be only slow is
published once. Like ``groundswell tag`` it reads a batch ahead, so it holds at most two
batches; a worker killed mid-batch leaves their entries pending, and another takes them over
after ``claim_after`` seconds (XAUTOCLAIM).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from groundswell.scaleout.keys import (
    TAG_QUEUE_KEY,
    TAGGER_GROUP,
    TAGS_KEY,
    IdleClock,
    fleet_has_nothing,
)
from groundswell.scaleout.streams import GroupReader
from groundswell.scaleout.tag_queue import read_tag_entry, result_fields

TIDY_EVERY_SECONDS = 60.0
GONE_AFTER_SECONDS = 3600.0  # a consumer idle this long, holding nothing, has gone
# KEYS: the queue, the results; ARGV: the group, then (entry id, tags JSON, vector) triples
ACK_AND_PUBLISH = """
local published = 0
for i = 2, #ARGV, 3 do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XADD', KEYS[2], '*', 'tags', ARGV[i + 1], 'vector', ARGV[i + 2])
    published = published + 1
  end
  redis.call('XDEL', KEYS[1], ARGV[i])
end
return published
"""


def worker_stages(config) -> list[str]:
    """The configured stages a tag worker runs: all but ``dedupe`` (it reads every stored
    mention; the writer runs it)."""
    return [name for name in config.tagging.stages if name != "dedupe"]


@dataclass
class TagWorkerTotals:
    batches: int = 0
    tagged: int = 0
    published: int = 0
    claimed: int = 0


class TagWorker:
    def __init__(self, client, tagger, consumer: str, batch: int = 64,
                 claim_after: float = 30.0) -> None:  # fmt: skip
        self.client, self.tagger = client, tagger
        self.reader = GroupReader(client, TAG_QUEUE_KEY, TAGGER_GROUP, consumer, batch,
                                  claim_after)  # fmt: skip
        self.ack_and_publish = client.register_script(ACK_AND_PUBLISH)
        self.totals = TagWorkerTotals()

    def tag_waiting(self, block_ms: int = 1000, stop=None) -> int:
        """Tag and publish batches while entries wait (waiting up to ``block_ms`` for a first
        one), reading one batch ahead as ``groundswell tag`` does (``Tagger.tag_batches``: the
        next batch's model pass runs while this one's stages do); stops taking batches once
        ``stop`` is set, finishing those taken. Returns how many mentions (0: none waited)."""
        held: deque[tuple[list, list[dict]]] = deque()  # batches taken, not yet published

        def waiting_batches() -> Iterator[list[dict]]:
            wait = block_ms
            while not (stop and stop.is_set()):
                holding = {entry_id for entries, _ in held for entry_id, _ in entries}
                entries = self.reader.next_entries(wait, holding)
                if not entries:
                    return
                mentions = [read_tag_entry(fields) for _, fields in entries]
                held.append((entries, mentions))
                wait = None  # a batch is read ahead only if it already waits
                yield mentions

        tagged_count = 0
        for tagged in self.tagger.tag_batches(waiting_batches()):
            entries, mentions = held.popleft()
            results = [result_fields(tags, mention.get("content_hash"))
                       for tags, mention in zip(tagged.mentions, mentions, strict=True)]  # fmt: skip
            self.publish([entry_id for entry_id, _ in entries], results)
            self.totals.batches += 1
            self.totals.tagged += len(entries)
            tagged_count += len(entries)
        return tagged_count

    def publish(self, entry_ids: list, results: list[tuple[str, bytes]]) -> None:
        args: list = [TAGGER_GROUP]
        for entry_id, (tags, vector) in zip(entry_ids, results, strict=True):
            args += [entry_id, tags, vector]
        self.totals.published += self.ack_and_publish(keys=[TAG_QUEUE_KEY, TAGS_KEY], args=args)

    def run(self, idle_exit: float = 0.0, stop=None) -> TagWorkerTotals:
        """Tag batches until ``stop`` is set (the batches taken are finished first), or
        (``idle_exit``) until nothing at all waits in Redis for that many seconds."""
        idle, tidied_at = IdleClock(idle_exit), time.monotonic()
        while not (stop and stop.is_set()):
            if self.tag_waiting(stop=stop):
                idle.reset()
                continue
            if time.monotonic() - tidied_at >= TIDY_EVERY_SECONDS:
                self.reader.forget_idle_consumers(GONE_AFTER_SECONDS)
                tidied_at = time.monotonic()
            if idle.expired(lambda: fleet_has_nothing(self.client)):
                break
        self.totals.claimed = self.reader.claimed
        return self.totals
