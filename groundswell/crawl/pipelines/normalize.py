"""Normalise a validated mention: trimmed text, a stable id, a content hash, raw as JSON.

Dates and ratings are checked and converted (ISO 8601 UTC, 0–5) by the validation step that
runs before this one (``groundswell/crawl/pipelines/validate.py``)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from dateutil import parser as date_parser
from itemadapter import ItemAdapter
from w3lib.url import canonicalize_url

from groundswell.crawl.items import MentionItem


def to_utc_iso(value) -> str | None:
    """A datetime, ISO/human date string or unix seconds → 'YYYY-MM-DDTHH:MM:SSZ' (UTC)."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        seconds = float(value) / (1000 if float(value) > 1e11 else 1)
        moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    elif isinstance(value, datetime):
        moment = value
    else:
        moment = date_parser.parse(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def plain_text(value: str | None) -> str | None:
    """Parsers return plain text already (``html_to_text``): only trim it here, so text that
    merely looks like markup (``git push <remote>``, a hostile ``<script>``) is kept as typed."""
    if value is None:
        return None
    return str(value).strip() or None


def mention_id(source_kind: str, site_id: str | None, url: str | None) -> str:
    """Stable id: hash of the platform + the site's own id, else of the canonical URL."""
    key = (
        f"{source_kind}:{site_id}"
        if site_id
        else f"url:{canonicalize_url(url or '', keep_fragments=True)}"
    )
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def content_hash(title: str | None, body: str | None) -> str:
    text = " ".join(f"{title or ''} {body or ''}".lower().split())
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class NormalizePipeline:
    def process_item(self, item, spider=None):
        if not isinstance(item, MentionItem):
            return item
        adapter = ItemAdapter(item)
        adapter["title"] = plain_text(adapter.get("title"))
        adapter["body"] = plain_text(adapter.get("body"))
        adapter["vendor_response"] = plain_text(adapter.get("vendor_response"))
        adapter["id"] = mention_id(adapter["source_kind"], adapter["site_id"], adapter.get("url"))
        parent = adapter.get("parent_site_id")
        adapter["parent_id"] = (
            mention_id(adapter["source_kind"], str(parent), None) if parent else None
        )
        adapter["content_hash"] = content_hash(adapter.get("title"), adapter.get("body"))
        if adapter.get("raw") is not None and not isinstance(adapter["raw"], str):
            adapter["raw"] = json.dumps(adapter["raw"], ensure_ascii=False, default=str)
        return item
