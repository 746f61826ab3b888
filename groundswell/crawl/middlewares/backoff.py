"""Retries with exponential backoff on 429/5xx, honouring ``Retry-After``."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.utils.response import response_status_message


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def backoff_delay(attempt: int, base: float, cap: float, retry_after: float | None) -> float:
    if retry_after is not None:
        return min(retry_after, cap)
    return min(base * (2 ** max(attempt - 1, 0)), cap)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("GROUNDSWELL_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("GROUNDSWELL_BACKOFF_MAX")

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        attempt = request.meta.get("retry_times", 0) + 1
        retry = get_retry_request(
            request,
            spider=spider or self.crawler.spider,
            reason=response_status_message(response.status),
            max_retry_times=self.max_retry_times,
        )
        if retry is None:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        await asyncio.sleep(backoff_delay(attempt, self.backoff_base, self.backoff_max, wait))
        return retry
