"""The weekly digest: a tag cloud and the week's story for people who never open Datasette.

``build_digest(db, config, week, monitor)`` queries one ISO week (``digest_data``) and renders
it (``digest_render``); then ``write_digest`` writes digest.html, digest.md, cloud.png and
trend.png to a folder, ``save_digest`` upserts a row into the ``digests`` table and
``send_digest`` emails it to ``[digest] recipients`` with the images inline.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import sqlite_utils

from groundswell.digest.data import DigestData, DigestError, IsoWeek, collect_digest_data
from groundswell.digest.render import (
    ImageLinks,
    clean,
    headline,
    render_html,
    render_markdown,
    tag_cloud_png,
    trend_chart_png,
)
from groundswell.digest.send import build_message, cid_reference, content_id, send_digest_email
from groundswell.store import utc_now
from groundswell.store.transaction import transaction

__all__ = [
    "Digest", "DigestError", "IsoWeek", "build_digest", "digest_email", "parse_week",
    "save_digest", "send_digest", "write_digest",
]  # fmt: skip

ImageMode = Literal["files", "inline"]


@dataclass
class Digest:
    """One rendered digest: its numbers, Markdown and images; HTML rendered on demand."""

    data: DigestData
    markdown: str
    cloud_png: bytes
    trend_png: bytes

    @property
    def period(self) -> str:
        return self.data.week.label

    @property
    def headline(self) -> str:
        return headline(self.data)

    @property
    def subject(self) -> str:
        scope = f" ({self.data.monitor})" if self.data.monitor else ""
        return " ".join(clean(f"Weekly digest {self.period}{scope}: {self.headline}").split())

    def html(self, images: ImageMode = "files") -> str:
        """``files``: cloud.png/trend.png next to the page; ``inline``: data URIs."""
        if images == "inline":
            return render_html(self.data, ImageLinks(data_uri(self.cloud_png),
                                                     data_uri(self.trend_png)))  # fmt: skip
        return render_html(self.data, ImageLinks())


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def parse_week(text: str | None, today: date | None = None) -> IsoWeek:
    """``2026-W47`` → that week; None → the last full ISO week before ``today``."""
    if text is None:
        return IsoWeek.last_full_before(today or date.today())
    return IsoWeek.parse(text)


def build_digest(
    db: sqlite_utils.Database, config, week: str | None = None, monitor: str | None = None,
    today: date | None = None,
) -> Digest:  # fmt: skip
    """The digest for ``week`` (default: the last full week); raises ``DigestError``."""
    data = collect_digest_data(db, config, parse_week(week, today), monitor)
    return Digest(data=data, markdown=render_markdown(data), cloud_png=tag_cloud_png(data),
                  trend_png=trend_chart_png(data.trend))  # fmt: skip


def write_digest(digest: Digest, out_dir: str | Path) -> list[Path]:
    """Write digest.html, digest.md, cloud.png and trend.png into ``out_dir``."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "digest.html": digest.html("files").encode("utf-8"),
        "digest.md": digest.markdown.encode("utf-8"),
        "cloud.png": digest.cloud_png,
        "trend.png": digest.trend_png,
    }
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return [folder / name for name in files]


def save_digest(db: sqlite_utils.Database, digest: Digest) -> None:
    """Upsert the ``digests`` row for this period (and monitor) with its images."""
    row = {
        "period": digest.period, "monitor": digest.data.monitor or "", "created_at": utc_now(),
        "mentions": digest.data.current.volume, "headline": digest.headline,
        "html": digest.html("inline"), "markdown": digest.markdown,
        "cloud_png": digest.cloud_png, "trend_png": digest.trend_png,
    }  # fmt: skip
    with transaction(db):
        db["digests"].upsert(row, pk=("period", "monitor"))


def digest_email(digest: Digest, sender: str, recipients: Sequence[str]):
    """The email: text part, HTML part, and the images it shows attached inline by cid."""
    cloud_cid, trend_cid = content_id("cloud"), content_id("trend")
    html = render_html(digest.data, ImageLinks(cid_reference(cloud_cid),
                                               cid_reference(trend_cid)))  # fmt: skip
    images = {trend_cid: digest.trend_png}
    if digest.data.cloud_words:
        images = {cloud_cid: digest.cloud_png, **images}
    markdown = render_markdown(digest.data, ImageLinks(cloud="", trend=""))
    return build_message(digest.subject, sender, recipients, markdown, html, images)


def send_digest(digest: Digest, config, recipients: Sequence[str] | None = None) -> list[str]:
    """Email the digest to ``recipients`` (default ``[digest] recipients``) via ``[smtp]``."""
    to = list(recipients if recipients is not None else config.digest.recipients)
    send_digest_email(config.smtp, to, digest_email(digest, config.smtp.sender, to))
    return to
