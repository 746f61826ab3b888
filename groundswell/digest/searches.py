"""The daily email of a saved search: its mentions since the last email, through ``[smtp]``.

``email_saved_searches(db, config, now)`` sends one message per saved search that has an
address and new matches (first stored since its last email, or in the last day the first time),
then records ``last_emailed_at``; a search with nothing new sends nothing. The message is text
and HTML, every value escaped, with a link to each mention on its site.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape

import sqlite_utils

from groundswell.alerts.messages import iso, safe_link, utc
from groundswell.config import Config
from groundswell.digest.send import send_digest_email
from groundswell.store.saved_searches import list_searches, mark_emailed, search_matches

FIRST_WINDOW = timedelta(days=1)


@dataclass
class SearchEmail:
    search: str
    address: str
    mentions: int


def message_for(search: dict, mentions: list[dict], sender: str) -> EmailMessage:
    subject = f"{len(mentions)} new mention(s) for your saved search “{search['name']}”"
    lines, items = [subject, ""], []
    for m in mentions:
        title = m["atom_title"] or "(no title)"
        link = safe_link(m.get("atom_link"))
        lines += [f"- {title} ({m['source']}, {m['atom_updated']})", f"  {link or ''}"]
        shown = escape(title)
        if link:
            shown = f'<a href="{escape(link, quote=True)}">{shown}</a>'
        items.append(f"<li>{shown} <small>({escape(m['source'] or '')}, "
                     f"{escape(m['atom_updated'] or '')})</small></li>")  # fmt: skip
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, sender, search["email"]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="groundswell.searches")
    message.set_content("\n".join(lines))
    message.add_alternative(f"<p>{escape(subject)}</p><ul>{''.join(items)}</ul>", subtype="html")
    return message


def email_saved_searches(db: sqlite_utils.Database, config: Config,
                         now: datetime | None = None) -> list[SearchEmail]:  # fmt: skip
    """Send each saved search's new matches to its address; return what was sent."""
    now = utc(now)
    sent = []
    for search in list_searches(db):
        if not search.get("email"):
            continue
        since = search.get("last_emailed_at") or iso(now - FIRST_WINDOW)
        mentions = [m for m in search_matches(db, search["name"], since)
                    if (m["found_at"] or "") > since or not search.get("last_emailed_at")]  # fmt: skip
        if mentions:
            message = message_for(search, mentions, config.smtp.sender)
            send_digest_email(config.smtp, [search["email"]], message)
            sent.append(SearchEmail(search["name"], search["email"], len(mentions)))
        mark_emailed(db, search["name"], iso(now))
    return sent
