"""Store mentions from a local file (a saved page, an API export, a webhook payload such as
Trustpilot's service-review events) through the same parsers and item pipelines as a crawl."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from itemadapter import ItemAdapter

from groundswell.crawl.items import MENTION_FIELDS, MentionItem
from groundswell.crawl.parsers.registry import detect_parser, parser_for_kind
from groundswell.crawl.pipelines.normalize import NormalizePipeline
from groundswell.crawl.pipelines.validate import validate_mention
from groundswell.store import SaveCounts, save_mentions


def parse_file(path: Path, kind: str, base_url: str | None = None) -> tuple[str, list[dict]]:
    """(parser kind, mention dicts) for the file at ``path``."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    url = base_url or path.resolve().as_uri()
    parser = parser_for_kind(kind) if kind != "auto" else detect_parser(url, "", text)
    if parser is None:
        raise ValueError("no parser recognised this file; name one with --kind")
    return parser.KIND, parser.parse(text, url)


def normalised_rows(mentions: list[dict], kind: str, source: str) -> tuple[list[dict], int]:
    """Mentions as stored rows (validated as a crawl's are: a malformed field is nulled), and
    how many were dropped (nothing to read, nothing to identify them by)."""
    normalize = NormalizePipeline()
    fetched = datetime.now(timezone.utc).isoformat()
    rows, dropped = [], 0
    for mention in mentions:
        item = MentionItem(source=source, source_kind=kind, fetched_at=fetched,
                           **{k: v for k, v in mention.items() if k in MENTION_FIELDS})  # fmt: skip
        if validate_mention(ItemAdapter(item)).dropped:
            dropped += 1
            continue
        rows.append(ItemAdapter(normalize.process_item(item)).asdict())
    return rows, dropped


def ingest_file(
    db, path: Path, kind: str, source: str, base_url: str | None = None
) -> tuple[SaveCounts, int]:
    parser_kind, mentions = parse_file(path, kind, base_url)
    rows, dropped = normalised_rows(mentions, parser_kind, source)
    return save_mentions(db, rows), dropped
