"""The shared scrapy-redis queue, with a lease on every request a worker takes.

scrapy-redis pops a request from the shared queue into one worker's memory: a worker killed
then loses it for good (its fingerprint is in the duplicate filter, so nobody fetches it
again). Here a pop moves the request into the worker's ``inflight`` hash in the same Redis
step; the stream pipeline deletes it in the same transaction that sends the page's mentions.
Each worker keeps a heartbeat key alive; any worker puts a dead worker's leased requests back
on the queue, so a kill -9 loses no page (it may be fetched twice: the writer's upserts are
idempotent).
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import socket
from collections import Counter
from urllib.parse import urlsplit

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from groundswell.scaleout.keys import (
    ALIVE_KEY,
    DUPEFILTER_KEY,
    INFLIGHT_KEY,
    JOB_TTL_SECONDS,
    JOBS_KEY,
    PREFIX,
)

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 1.0
WATCH_SECONDS = 0.2  # how often an idle worker looks for new jobs and queued requests
ALIVE_SECONDS = 10  # a worker silent this long is dead: its leases go back on the queue
HOST = socket.gethostname().replace(":", "-")
TURN_KEY = f"{PREFIX}:turn"  # + ":<host>": the host's last turn in the queue
CANDIDATES = 64  # requests a pop looks at for one whose host this worker has room for
POP_AND_LEASE = """
local busy = {}
for i = 2, #ARGV do busy[ARGV[i]] = true end
local candidates = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
for _, member in ipairs(candidates) do
  local host = string.match(member, '^([^\\n]*)\\n')
  if not busy[host] then
    redis.call('ZREM', KEYS[1], member)
    redis.call('HSET', KEYS[2], redis.sha1hex(member), member)
    return member
  end
end
return false
"""


def new_worker_id() -> str:
    """host-pid-random: unique across machines, no ':' (key parts are split on it)."""
    return f"{HOST}-{os.getpid()}-{secrets.token_hex(3)}"


def is_dead(server, worker: str) -> bool:
    """No heartbeat for ``ALIVE_SECONDS``, or a process of this machine that has exited
    (a worker restarted by systemd gets its predecessor's pages back at once)."""
    if not server.exists(f"{ALIVE_KEY}:{worker}"):
        return True
    host, _, rest = worker.rpartition("-")[0].rpartition("-")
    pid = int(rest) if rest.isdigit() else 0
    if host != HOST or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's process: alive
        return False
    return False


def lease_id(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def owner_of(inflight_key: str) -> str:
    """The worker holding an inflight hash: ``groundswell:inflight:<worker>[:<suffix>]``."""
    return inflight_key.split(":")[2]


class LeasedScheduler(Scheduler):
    """scrapy-redis' scheduler (shared queue, shared duplicate filter) with leases."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        return scheduler

    def open(self, spider):
        super().open(spider)
        self.worker = spider.worker_id
        self.inflight_key = f"{INFLIGHT_KEY}:{self.worker}"
        self.pop_and_lease = self.server.register_script(POP_AND_LEASE)
        self.heartbeat = task.LoopingCall(self.beat)
        self.heartbeat.start(HEARTBEAT_SECONDS, now=True)
        self.watch = task.LoopingCall(self.look_for_work)
        self.watch.start(WATCH_SECONDS, now=False)

    def beat(self) -> None:
        """Say this worker is alive; put dead workers' leased requests back on the queue."""
        try:
            self.server.set(f"{ALIVE_KEY}:{self.worker}", 1, ex=ALIVE_SECONDS)
            returned = requeue_dead_leases(self.server, self.queue, self.worker)
        except Exception as error:  # Redis restarting: the next beat tries again
            logger.warning("heartbeat failed: %s", error)
            return
        if returned:
            self.stats.inc_value("groundswell/requeued_from_dead_workers", returned)
            logger.warning("put %d request(s) of dead workers back on the queue", returned)
        self.wake_engine()

    def look_for_work(self) -> None:
        """Take a waiting crawl job even while busy (scrapy-redis only looks when idle), and
        wake the engine for requests other workers queued, within ``WATCH_SECONDS``."""
        try:
            if self.server.llen(JOBS_KEY):
                self.spider.schedule_next_requests()
        except Exception:  # Redis restarting: the heartbeat says so
            return
        self.wake_engine()

    def wake_engine(self) -> None:
        """An idle Scrapy engine asks its scheduler again only every 5 s; requests other
        workers queued are taken within ``WATCH_SECONDS`` instead."""
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and len(self.queue):
            slot.nextcall.schedule()

    def next_request(self):
        data = self.pop_and_lease(keys=[self.queue.key, self.inflight_key],
                                  args=[CANDIDATES, *self.busy_hosts()])  # fmt: skip
        if not data:
            return None
        request = self.queue._decode_request(data)
        request.meta["gs_lease"] = lease_id(data)
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def busy_hosts(self) -> list[str]:
        """Hosts this worker already downloads as many pages of as it may at once (waiting
        for the fleet's politeness token included): taking another would only make it wait
        here while another worker could fetch it."""
        downloader = self.crawler.engine.downloader
        limit = self.crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1)
        active = Counter(host_of(request.url) for request in downloader.active)
        return [host for host, count in active.items() if count >= limit]

    def has_pending_requests(self) -> bool:
        return len(self) > 0

    def close(self, reason):
        """A clean stop: requests still leased go back on the queue for another worker."""
        for loop in (self.heartbeat, self.watch):
            if loop.running:
                loop.stop()
        returned = requeue_leases(self.server, self.queue, self.inflight_key)
        if returned:
            logger.info("put %d unfinished request(s) back on the queue", returned)
        self.server.delete(f"{ALIVE_KEY}:{self.worker}")
        super().close(reason)


def requeue_dead_leases(server, queue, me: str) -> int:
    """Move every dead worker's inflight hash to one of ``me`` (atomic RENAME: one worker
    wins), then put its requests back on the queue."""
    returned = 0
    for key in list(server.scan_iter(f"{INFLIGHT_KEY}:*")):
        key = key.decode() if isinstance(key, bytes) else key
        dead = owner_of(key)
        if dead == me or not is_dead(server, dead):
            continue
        claimed = f"{INFLIGHT_KEY}:{me}:from-{dead}-{secrets.token_hex(2)}"
        try:
            server.rename(key, claimed)
        except Exception:  # another worker took it first
            continue
        returned += requeue_leases(server, queue, claimed)
    return returned


def requeue_leases(server, queue, inflight_key: str) -> int:
    """Push each leased request back on the queue, then forget the lease."""
    leases = server.hgetall(inflight_key)
    for lease, data in leases.items():
        queue.push(queue._decode_request(data))
        server.hdel(inflight_key, lease)
    return len(leases)


class HostRoundRobinQueue(PriorityQueue):
    """scrapy-redis' priority queue, hosts taking turns within one priority, each request
    stored after its host (``host\\n`` + the serialised request) so a pop can pass over the
    hosts a worker is busy with.

    scrapy-redis' sorted set breaks ties by the serialised request, and a worker takes up to
    CONCURRENT_REQUESTS at once: all from one host, waiting on that host's politeness while
    the other hosts' pages sit in the queue. Here each host numbers its requests (a Redis
    counter); the score is the priority, then that number: a page of every host, then the
    next; and ``LeasedScheduler`` skips hosts whose download slot is full."""

    def push(self, request) -> None:
        turn = self.server.incr(f"{TURN_KEY}:{host_of(request.url)}")
        score = -request.priority * 1e9 + turn % 1e9
        self.server.execute_command("ZADD", self.key, score, self._encode_request(request))

    def _encode_request(self, request) -> bytes:
        return host_of(request.url).encode() + b"\n" + super()._encode_request(request)

    def _decode_request(self, encoded_request: bytes):
        return super()._decode_request(encoded_request.split(b"\n", 1)[1])


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


class JobDupeFilter(RFPDupeFilter):
    """scrapy-redis' fleet-wide duplicate filter, one fingerprint set per crawl job: a page is
    fetched once per crawl across every worker, and again by the next scheduled crawl. Each
    set expires a week after its job last added to it."""

    @classmethod
    def from_spider(cls, spider):
        from scrapy_redis.connection import get_redis_from_settings

        return cls(get_redis_from_settings(spider.settings), key=DUPEFILTER_KEY)

    def request_seen(self, request) -> bool:
        job = request.meta.get("gs_job", {}).get("id", "none")
        key = f"{self.key}:{job}"
        with self.server.pipeline() as pipe:
            added, _ = pipe.sadd(key, self.request_fingerprint(request)).expire(
                key, JOB_TTL_SECONDS
            ).execute()  # fmt: skip
        return added == 0

    def close(self, reason=""):
        pass  # the fingerprints are the fleet's, not this worker's
