"""``groundswell tag-worker``: tag the mentions the writer queued, beside any number of others.

A tag worker loads the models once, then takes batches from ``groundswell:to-tag`` in the
``taggers`` consumer group and runs every configured stage but ``dedupe`` (the one that needs
the database: the writer runs it when it stores the results). One Lua step acknowledges each
entry and, only if this worker's acknowledgement was the one that counted, adds its result to
``groundswell:tags``: a batch taken over from a worker that turned out to be only slow is
published once. A worker killed mid-batch leaves its entries pending; another takes them over
after ``claim_after`` seconds (XAUTOCLAIM).
"""

from __future__ import annotations

import time
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

    def tag_batch(self, block_ms: int = 1000) -> int:
        """Tag one batch and publish its results; returns its size (0: nothing waiting)."""
        entries = self.reader.next_entries(block_ms)
        if not entries:
            return 0
        mentions = [read_tag_entry(fields) for _, fields in entries]
        hashes = [mention.get("content_hash") for mention in mentions]
        tagged = self.tagger.tag(mentions)
        results = [result_fields(tags, content_hash)
                   for tags, content_hash in zip(tagged.mentions, hashes, strict=True)]  # fmt: skip
        self.publish([entry_id for entry_id, _ in entries], results)
        self.totals.batches += 1
        self.totals.tagged += len(entries)
        return len(entries)

    def publish(self, entry_ids: list, results: list[tuple[str, bytes]]) -> None:
        args: list = [TAGGER_GROUP]
        for entry_id, (tags, vector) in zip(entry_ids, results, strict=True):
            args += [entry_id, tags, vector]
        self.totals.published += self.ack_and_publish(keys=[TAG_QUEUE_KEY, TAGS_KEY], args=args)

    def run(self, idle_exit: float = 0.0, stop=None) -> TagWorkerTotals:
        """Tag batches until ``stop`` is set (the current batch is finished first), or
        (``idle_exit``) until nothing at all waits in Redis for that many seconds."""
        idle, tidied_at = IdleClock(idle_exit), time.monotonic()
        while not (stop and stop.is_set()):
            if self.tag_batch():
                idle.reset()
                continue
            if time.monotonic() - tidied_at >= TIDY_EVERY_SECONDS:
                self.reader.forget_idle_consumers(GONE_AFTER_SECONDS)
                tidied_at = time.monotonic()
            if idle.expired(lambda: fleet_has_nothing(self.client)):
                break
        self.totals.claimed = self.reader.claimed
        return self.totals
