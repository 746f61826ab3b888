"""The Redis keys a fleet shares, and the one way to connect to its Redis.

Every key starts with ``groundswell:``, so one Redis can serve a fleet beside other users.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from groundswell.errors import GroundswellError

PREFIX = "groundswell"
JOBS_KEY = f"{PREFIX}:jobs"  # crawl jobs (JSON) waiting for a worker: the spider's start urls
QUEUE_KEY = f"{PREFIX}:requests"  # scrapy-redis' shared request queue (a sorted set)
DUPEFILTER_KEY = f"{PREFIX}:seen"  # + ":<job id>": request fingerprints, one set per job
BUDGET_KEY = f"{PREFIX}:budget"  # + ":<job id>:<listing|thread>": pages taken fleet-wide
INFLIGHT_KEY = f"{PREFIX}:inflight"  # + ":<worker>": requests a worker holds, until done
ALIVE_KEY = f"{PREFIX}:alive"  # + ":<worker>": the worker's heartbeat (expires when it dies)
STREAM_KEY = f"{PREFIX}:items"  # mentions from the workers, drained by the writer
WRITER_GROUP = "writers"  # the consumer group of the writer's streams (items, tags)
TAG_QUEUE_KEY = f"{PREFIX}:to-tag"  # mentions the writer stored, waiting for a tag worker
TAGGER_GROUP = "taggers"  # the tag workers' consumer group on TAG_QUEUE_KEY
TAGS_KEY = f"{PREFIX}:tags"  # the tag workers' results, stored by the writer
ROBOTS_KEY = f"{PREFIX}:robots"  # + ":<scheme>://<host:port>": the site's robots.txt body
ROBOTS_TTL_SECONDS = 86_400  # a site's stored robots.txt is fetched again after a day
JOB_TTL_SECONDS = 7 * 86_400  # a job's fingerprints and budget counters expire after a week
OUTAGE_SECONDS = 60  # how long a worker or writer waits for Redis to come back


class RedisUnavailableError(GroundswellError):
    """Redis cannot be reached (wrong URL, not running)."""


def redis_params() -> dict:
    """redis-py connection options: retry for about a minute while Redis restarts."""
    return {
        "retry": Retry(ExponentialBackoff(cap=5, base=0.2), retries=OUTAGE_SECONDS // 5 + 8),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        "health_check_interval": 10,
        "socket_timeout": 30,
    }


def connect(url: str, check: bool = True) -> redis.Redis:
    """A client for ``url`` (redis://HOST:PORT/DB); ``check`` pings it now (one-line error)."""
    try:
        client = redis.Redis.from_url(url, **redis_params())
        if check:  # once, without the retries: a wrong URL fails at once
            with redis.Redis.from_url(url, socket_connect_timeout=5) as probe:
                probe.ping()
    except ValueError as error:
        raise RedisUnavailableError(f"--redis {url}: {error}") from None
    except (RedisConnectionError, RedisTimeoutError) as error:
        raise RedisUnavailableError(f"cannot reach Redis at {url}: {error}") from None
    return client


def stream_backlog(client: redis.Redis) -> dict:
    """What waits in Redis: crawl jobs, queued requests, requests held by workers, items not
    yet stored, stream entries delivered to a writer but not acknowledged, mentions waiting
    for (or held by) a tag worker, and tag results not yet stored."""
    inflight = sum(client.hlen(key) for key in client.scan_iter(f"{INFLIGHT_KEY}:*"))
    pending = 0
    if client.exists(STREAM_KEY):
        groups = {g["name"]: g for g in client.xinfo_groups(STREAM_KEY)}
        group = groups.get(WRITER_GROUP.encode()) or groups.get(WRITER_GROUP)
        pending = group["pending"] if group else 0
    return {"jobs": client.llen(JOBS_KEY), "requests": client.zcard(QUEUE_KEY),
            "inflight": inflight, "items": client.xlen(STREAM_KEY), "pending": pending,
            "to_tag": client.xlen(TAG_QUEUE_KEY), "tags": client.xlen(TAGS_KEY)}  # fmt: skip


def fleet_has_nothing(client: redis.Redis) -> bool:
    """Nothing at all waits in Redis (``stream_backlog`` empty everywhere)."""
    return not any(stream_backlog(client).values())


class IdleClock:
    """``--exit-when-idle``: true once the fleet has had nothing to do for ``seconds`` in a
    row (0: never). ``is_idle`` is asked only when ``seconds`` is set."""

    def __init__(self, seconds: float) -> None:
        self.seconds = float(seconds)
        self.since: float | None = None

    def reset(self) -> None:
        self.since = None

    def expired(self, is_idle: Callable[[], bool]) -> bool:
        if not (self.seconds and is_idle()):
            self.since = None
            return False
        self.since = self.since or time.monotonic()
        return time.monotonic() - self.since >= self.seconds
