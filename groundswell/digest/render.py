"""Render a ``DigestData``: the week's story as HTML and Markdown, the tag cloud and trend PNGs.

Every piece of text that came from a crawled site (titles, bodies, authors, sources, topics,
keyphrases, URLs) goes through ``html_text``/``markdown_text``; links are kept only for
http(s) URLs. The HTML is a single self-contained page with inline-friendly styles, so the same
markup works as a file, in Datasette and in an email client.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from groundswell.chart_style import RATING_COLOUR, SENTIMENT_COLOURS, UNREAD, week_labels
from groundswell.digest.data import (
    DigestData,
    NewNegativity,
    PendingResponse,
    ReviewHighlight,
    TopicChange,
    VoiceShare,
    WeekStats,
)

UP, DOWN, SAME = "▲", "▼", "■"
MINUS = "−"
EXCERPT_CHARS = 220
STEADY_POINTS = 3  # sentiment shares moving less than this many points read as "steady"
STORY_NAMES_LIMIT = 3
NEGATIVE_RGB = (200, 35, 45)
NEUTRAL_RGB = (125, 132, 140)
POSITIVE_RGB = (25, 135, 70)
TONE_COLOURS = {"good": "#19874a", "bad": "#c8232d", "neutral": "#5f6b76"}
# the readability rules and colours the web pages' charts follow too (groundswell.chart_style)
CHART_COLOURS = {**SENTIMENT_COLOURS, "rating": RATING_COLOUR}
CLOUD_SIZE = (1200, 560)
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
CLOUD_COLOURS = 128


# --- numbers and words ---------------------------------------------------------------------


@dataclass
class Change:
    """A week-over-week change as a reader sees it: ``▲ 18%`` in green or red."""

    text: str
    tone: str = "neutral"  # good, bad or neutral


def signed(value: float, digits: int = 2) -> str:
    text = f"{abs(value):.{digits}f}"
    return f"+{text}" if value > 0 else f"{MINUS}{text}" if value < 0 else text


def percent(fraction: float | None) -> str:
    return "–" if fraction is None else f"{round(fraction * 100)}%"


def stars(rating: float | None) -> str:
    return "–" if rating is None else f"{rating:.1f}★"


def star_bar(rating: float | None) -> str:
    if rating is None:
        return ""
    full = max(0, min(5, round(rating)))
    return "★" * full + "☆" * (5 - full)


def tone_for(direction: int, good_when_up: bool | None) -> str:
    if direction == 0 or good_when_up is None:
        return "neutral"
    return "good" if (direction > 0) == good_when_up else "bad"


def count_change(now: int, before: int, good_when_up: bool | None = None) -> Change:
    if now == before:
        return Change(f"{SAME} no change")
    if before == 0:
        return Change(f"{UP} new", tone_for(1, good_when_up))
    ratio = (now - before) / before
    arrow = UP if ratio > 0 else DOWN
    return Change(f"{arrow} {abs(round(ratio * 100))}%", tone_for(now - before, good_when_up))


def points_change(now: float | None, before: float | None, good_when_up: bool | None) -> Change:
    if now is None or before is None:
        return Change("–")
    points = round((now - before) * 100)
    if points == 0:
        return Change(f"{SAME} no change")
    arrow = UP if points > 0 else DOWN
    unit = "pt" if abs(points) == 1 else "pts"
    return Change(f"{arrow} {abs(points)} {unit}", tone_for(points, good_when_up))


def rating_change(now: float | None, before: float | None) -> Change:
    if now is None or before is None:
        return Change("–")
    delta = round(now - before, 1)
    if delta == 0:
        return Change(f"{SAME} no change")
    arrow = UP if delta > 0 else DOWN
    return Change(f"{arrow} {abs(delta):.1f}★", tone_for(1 if delta > 0 else -1, True))


def sentiment_word(score: float | None) -> str:
    if score is None:
        return "untagged"
    return "negative" if score <= -0.2 else "positive" if score >= 0.2 else "neutral"


def excerpt(text: str | None, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return f"{cut}…"


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) (never ``javascript:`` and friends), else None."""
    if url and re.match(r"^https?://[^\s]+$", url.strip(), flags=re.IGNORECASE):
        return url.strip()
    return None


def week_span(data: DigestData) -> str:
    start, end = data.week.start, data.week.end
    last = end.fromordinal(end.toordinal() - 1)
    if start.month == last.month:
        return f"{start.day}–{last.day} {last:%b %Y}"
    return f"{start.day} {start:%b} – {last.day} {last:%b %Y}"


def scope_text(data: DigestData) -> str:
    if data.monitor:
        return f"Mentions matching the monitor “{data.monitor}”"
    return "All mentions of your brand (competitor-only mentions left out)"


def quoted(name: str) -> str:
    return f"“{name}”"


def names_list(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


# --- the week's story ----------------------------------------------------------------------


@dataclass
class StoryLine:
    """One sentence of the story: a bold ``lead`` then the ``rest``; tone colours its marker."""

    lead: str
    rest: str
    tone: str = "neutral"


def volume_line(data: DigestData) -> StoryLine:
    now, before = data.current.volume, data.previous.volume
    if now == 0:
        rest = f" (last week: {before})." if before else ", and none last week either."
        return StoryLine("No mentions this week", rest)
    lead = plural(now, "mention")
    if before == 0:
        return StoryLine(lead, " this week, and none the week before.")
    if now == before:
        return StoryLine(lead, " this week, the same as last week.")
    direction = "up" if now > before else "down"
    change = abs(round((now - before) / before * 100))
    return StoryLine(lead, f" this week, {direction} {change}% from {before} last week.")


def rating_line(data: DigestData) -> StoryLine | None:
    now, before = data.current.avg_rating, data.previous.avg_rating
    if now is None:
        return None
    rated = f" across {plural(data.current.rated, 'rated mention')}"
    if before is None:
        return StoryLine(f"Average rating {now:.1f}★", f"{rated}.")
    delta = round(now - before, 1)
    if delta == 0:
        return StoryLine(f"Average rating held at {now:.1f}★", f"{rated}.")
    verb, tone = ("rose", "good") if delta > 0 else ("fell", "bad")
    return StoryLine(
        f"Average rating {verb} {abs(delta):.1f}★",
        f" to {now:.1f}★ (from {before:.1f}★){rated}.",
        tone,
    )


def sentiment_line(data: DigestData) -> StoryLine | None:
    """The negative share's move, else the positive share's (a week can lose a third of its
    praise to neutral with the negative share flat), else "steady"."""
    negative, positive = data.current.share("negative"), data.current.share("positive")
    if negative is None or positive is None:
        return None
    mix = f"{percent(negative)} negative, {percent(positive)} positive"
    negative_before = data.previous.share("negative")
    positive_before = data.previous.share("positive")
    if negative_before is None or positive_before is None:
        return StoryLine("Sentiment", f": {mix}.")
    if abs(negative - negative_before) * 100 >= STEADY_POINTS:
        up = negative > negative_before
        return StoryLine(f"Negative share {'up' if up else 'down'} to {percent(negative)}",
                         f" from {percent(negative_before)}; {percent(positive)} positive.",
                         "bad" if up else "good")  # fmt: skip
    if abs(positive - positive_before) * 100 >= STEADY_POINTS:
        up = positive > positive_before
        return StoryLine(f"Positive share {'up' if up else 'down'} to {percent(positive)}",
                         f" from {percent(positive_before)}; {percent(negative)} negative.",
                         "good" if up else "bad")  # fmt: skip
    return StoryLine("Sentiment steady", f": {mix}.")


def topic_to_watch(rising: list[TopicChange]) -> TopicChange | None:
    """Of the sharp rises, the one with the most negative mentions (a surge of complaints is
    what a team must see first; then the bigger rise); without a sharp rise, the biggest rise."""
    sharp = [change for change in rising if change.sharp]
    if sharp:
        return max(sharp, key=lambda change: (change.negative, change.change))
    return rising[0] if rising else None


def topic_line(data: DigestData) -> StoryLine | None:
    top = topic_to_watch(data.topics_rising)
    if top is None:
        return None
    negative = f", {percent(top.negative / top.count)} negative" if top.count else ""
    lead = "Topic to watch: " if top.sharp else "Rising: "
    tone = "bad" if top.count and top.negative / top.count >= 0.5 else "neutral"
    return StoryLine(f"{lead}{quoted(top.topic)}",
                     f", {plural(top.count, 'mention')} (up from {top.previous}){negative}.",
                     tone)  # fmt: skip


def negativity_line(data: DigestData) -> StoryLine | None:
    if not data.new_negativity:
        return None
    shown = data.new_negativity[:STORY_NAMES_LIMIT]
    names = [f"{'' if item.kind == 'source' else 'topic '}{quoted(item.name)} ({item.negative})"
             for item in shown]  # fmt: skip
    more = len(data.new_negativity) - len(shown)
    tail = f" and {more} more" if more else ""
    return StoryLine("New negativity", f" from {names_list(names)}{tail}, all quiet in the "
                     "4 weeks before.", "bad")  # fmt: skip


def voice_line(data: DigestData) -> StoryLine | None:
    own = [s for s in data.share_of_voice if not s.competitor]
    rivals = [s for s in data.share_of_voice if s.competitor]
    if not own or not rivals or not any(s.mentions for s in data.share_of_voice):
        return None
    chosen = next((s for s in own if s.monitor == data.monitor), own[0])
    change = points_change(chosen.share, chosen.previous_share, True)
    moved = f" ({change.text} on last week)" if chosen.previous_share is not None else ""
    return StoryLine(f"{quoted(chosen.monitor)} share of voice {percent(chosen.share)}",
                     f" against {plural(len(rivals), 'competitor')}{moved}.",
                     change.tone)  # fmt: skip


def switching_line(data: DigestData) -> StoryLine | None:
    """Who customers left this week: the competitors passed over (good news) and your own
    monitors passed over (a customer leaving, or choosing a rival)."""
    left = sorted((s for s in data.share_of_voice if s.passed_over),
                  key=lambda s: (-s.passed_over, s.monitor))  # fmt: skip
    if not left:
        return None
    own = [s for s in left if not s.competitor]
    rivals = [s for s in left if s.competitor]
    parts = []
    if rivals:
        count = sum(s.passed_over for s in rivals)
        named = names_list([f"{s.monitor} {s.passed_over}" for s in rivals])
        parts.append(f"{plural(count, 'mention')} passed over a competitor ({named})")
    if own:
        named = names_list([f"{quoted(s.monitor)} {s.passed_over}" for s in own])
        parts.append(f"{sum(s.passed_over for s in own)} passed over you ({named})")
    return StoryLine("Switching", f": {'; '.join(parts)}.", "bad" if own else "good")


def pending_line(data: DigestData) -> StoryLine:
    total = data.needs_response_total
    if total == 0:
        return StoryLine("Nothing waiting", " for a response.", "good")
    overdue = f" ({data.needs_response_overdue} overdue)" if data.needs_response_overdue else ""
    return StoryLine(f"{plural(total, 'review or question', 'reviews and questions')}",
                     f" still {'needs' if total == 1 else 'need'} a response{overdue}.",
                     "bad")  # fmt: skip


def amplify_line(data: DigestData) -> StoryLine | None:
    if not data.to_amplify:
        return None
    count = len(data.to_amplify)
    return StoryLine(f"{plural(count, 'happy reviewer')}", " worth thanking and sharing.", "good")


def week_story(data: DigestData) -> list[StoryLine]:
    """Short sentences, most important first; an empty week gets the honest minimum."""
    if data.is_empty:
        return [volume_line(data), pending_line(data)]
    lines = [volume_line(data), rating_line(data), sentiment_line(data), topic_line(data),
             negativity_line(data), voice_line(data), switching_line(data), pending_line(data),
             amplify_line(data)]  # fmt: skip
    return [line for line in lines if line is not None]


def headline(data: DigestData) -> str:
    """One line for an email subject or a list of digests."""
    parts = [f"{plural(data.current.volume, 'mention')}"]
    if data.current.avg_rating is not None:
        parts.append(f"rating {stars(data.current.avg_rating)}")
        change = rating_change(data.current.avg_rating, data.previous.avg_rating)
        if change.text != "–" and SAME not in change.text:
            parts[-1] += f" ({change.text})"
    top = topic_to_watch(data.topics_rising)
    if top is not None and top.sharp:
        parts.append(f"{top.topic} rising")
    if data.needs_response_total:
        parts.append(f"{data.needs_response_total} to answer")
    return ", ".join(parts)


@dataclass
class KeyNumber:
    label: str
    now: str
    before: str
    change: Change


def key_numbers(data: DigestData) -> list[KeyNumber]:
    now, before = data.current, data.previous
    return [
        KeyNumber("Mentions", str(now.volume), str(before.volume),
                  count_change(now.volume, before.volume)),
        KeyNumber("Average rating", stars(now.avg_rating), stars(before.avg_rating),
                  rating_change(now.avg_rating, before.avg_rating)),
        KeyNumber("Positive", percent(now.share("positive")), percent(before.share("positive")),
                  points_change(now.share("positive"), before.share("positive"), True)),
        KeyNumber("Negative", percent(now.share("negative")), percent(before.share("negative")),
                  points_change(now.share("negative"), before.share("negative"), False)),
    ]  # fmt: skip


# --- HTML ----------------------------------------------------------------------------------


@dataclass
class ImageLinks:
    """Where the HTML finds its images: file names, ``cid:`` references or data URIs."""

    cloud: str = "cloud.png"
    trend: str = "trend.png"


def clean(value: object) -> str:
    """Text without control or format characters (bidi overrides, zero-width, NUL...)."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or unicodedata.category(char) not in HIDDEN_CATEGORIES
    )


def html_text(value: object) -> str:
    return html.escape(clean(value), quote=True)


def html_change(change: Change) -> str:
    return (f'<span class="chg" style="color:{TONE_COLOURS[change.tone]}">'
            f"{html_text(change.text)}</span>")  # fmt: skip


def html_link(url: str | None, label: str) -> str:
    target = safe_url(url)
    if target is None:
        return html_text(label)
    return f'<a href="{html_text(target)}">{html_text(label)}</a>'


def html_table(headers: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    """``rows`` hold already-escaped cell HTML; columns from ``numeric_from`` align right."""

    def cell(tag: str, index: int, content: str) -> str:
        align = ' class="num"' if index >= numeric_from else ""
        return f"<{tag}{align}>{content}</{tag}>"

    head = "".join(cell("th", i, html_text(h)) for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def html_section(title: str, content: str, note: str = "") -> str:
    note_html = f'<p class="note">{html_text(note)}</p>' if note else ""
    return f"<section><h2>{html_text(title)}</h2>{note_html}{content}</section>"


def html_story(data: DigestData) -> str:
    items = "".join(
        f'<li><span class="dot" style="background:{TONE_COLOURS[line.tone]}"></span>'
        f"<strong>{html_text(line.lead)}</strong>{html_text(line.rest)}</li>"
        for line in week_story(data)
    )
    return f'<section class="story"><h2>The week’s story</h2><ul>{items}</ul></section>'


def html_key_numbers(data: DigestData) -> str:
    cells = "".join(
        f'<td class="kpi"><div class="kpi-label">{html_text(n.label)}</div>'
        f'<div class="kpi-value">{html_text(n.now)}</div>'
        f"<div>{html_change(n.change)}</div>"
        f'<div class="kpi-before">last week {html_text(n.before)}</div></td>'
        for n in key_numbers(data)
    )
    return f'<table class="kpis" role="presentation"><tr>{cells}</tr></table>'


def html_cloud(data: DigestData, images: ImageLinks) -> str:
    if not data.cloud_words:
        message = ("No mentions this week, so there is no tag cloud." if data.is_empty else
                   "This week’s mentions have no keyphrases or topics yet (not tagged).")  # fmt: skip
        return html_section("What people talked about", f"<p>{html_text(message)}</p>")
    alt = (f"Tag cloud of the week’s {len(data.cloud_words)} most mentioned keyphrases and "
           "topics; the same words are listed with their counts at the end.")  # fmt: skip
    legend = ('<div class="legend"><span>negative</span><span class="ramp"></span>'
              "<span>positive</span> · bigger words, more mentions</div>")  # fmt: skip
    image = (
        f'<img class="cloud" src="{html_text(images.cloud)}" alt="{html_text(alt)}" width="720">'
    )
    return html_section("What people talked about", image + legend)


def html_trend(data: DigestData, images: ImageLinks) -> str:
    alt = "Chart of mentions per week by sentiment, with the average rating, " + ", ".join(
        f"{w.week.label}: {w.volume} mentions, rating {stars(w.avg_rating)}" for w in data.trend
    )
    image = (
        f'<img class="chart" src="{html_text(images.trend)}" alt="{html_text(alt)}" width="720">'
    )
    return html_section(f"Sentiment over the last {len(data.trend)} weeks", image,
                        "Top: average star rating. Bottom: mentions by sentiment.")  # fmt: skip


def topic_rows_html(changes: list[TopicChange], good_when_up: bool | None) -> list[list[str]]:
    return [
        [html_text(c.topic) + (' <span class="tag">sharp rise</span>' if c.sharp else ""),
         str(c.count), str(c.previous),
         html_change(Change(f"{UP if c.change > 0 else DOWN} {abs(c.change)}",
                            tone_for(c.change, good_when_up))),
         percent(c.negative / c.count) if c.count else "–"]
        for c in changes
    ]  # fmt: skip


def html_topics(data: DigestData) -> str:
    if not data.topics_rising and not data.topics_falling:
        return ""
    headers = ["Topic", "This week", "Last week", "Change", "Negative"]
    parts = []
    if data.topics_rising:
        parts.append("<h3>Rising</h3>" + html_table(headers, topic_rows_html(data.topics_rising,
                                                                              None)))  # fmt: skip
    if data.topics_falling:
        parts.append("<h3>Falling</h3>" + html_table(headers, topic_rows_html(data.topics_falling,
                                                                               None)))  # fmt: skip
    return html_section("Topics on the move", "".join(parts), "Mentions per topic, week on week.")


def negativity_text(item: NewNegativity) -> tuple[str, str]:
    return f"{item.kind.capitalize()} {quoted(item.name)}", (
        f": {plural(item.negative, 'negative mention')}, none in the 4 weeks before."
    )


def html_negativity(data: DigestData) -> str:
    if not data.new_negativity:
        return ""
    items = "".join(
        f"<li><strong>{html_text(lead)}</strong>{html_text(rest)}</li>"
        for lead, rest in map(negativity_text, data.new_negativity)
    )
    return html_section("New sources of negativity", f"<ul>{items}</ul>")


VOICE_HEADERS = ["Monitor", "Mentions", "Share", "Change", "Positive", "Negative", "Passed over"]


def voice_label(share: VoiceShare) -> str:
    return f"{share.monitor} (competitor)" if share.competitor else share.monitor


def html_voice(data: DigestData) -> str:
    if not data.share_of_voice:
        return ""
    rows = [
        [f"<strong>{html_text(s.monitor)}</strong>" if not s.competitor else html_text(s.monitor),
         str(s.mentions),
         f'<div class="bar"><span style="width:{round(s.share * 100)}%"></span></div> '
         f"{percent(s.share)}",
         html_change(points_change(s.share, s.previous_share, None)),
         percent(s.positive_share), percent(s.negative_share), str(s.passed_over)]
        for s in data.share_of_voice
    ]  # fmt: skip
    table = html_table(VOICE_HEADERS, rows)
    return html_section("Share of voice", table,
                        "Monitored mentions this week; your own monitors in bold. Positive and "
                        "negative are toward each monitor; passed over: mentions that left it "
                        "or chose another.")  # fmt: skip


def html_sources(data: DigestData) -> str:
    if not data.sources:
        return ""
    rows = [
        [html_text(s.source), str(s.volume),
         html_change(count_change(s.volume, s.previous_volume)),
         stars(s.avg_rating), html_change(rating_change(s.avg_rating, s.previous_avg_rating)),
         str(s.negative)]
        for s in data.sources
    ]  # fmt: skip
    headers = ["Source", "Mentions", "vs last week", "Avg rating", "vs last week", "Negative"]
    return html_section("By source", html_table(headers, rows))


def days_between(earlier: str, later: str) -> int | None:
    try:
        return (date.fromisoformat(later[:10]) - date.fromisoformat(earlier[:10])).days
    except ValueError:
        return None


def pending_meta(item: PendingResponse, now: str) -> str:
    waited = days_between(item.published_at, now)
    posted = item.published_at[:10]
    if waited is not None and waited > 0:
        posted += f" (waiting {plural(waited, 'day')})"
    parts = [item.source, posted]
    if item.author:
        parts.insert(0, f"by {item.author}")
    if item.advocate:
        parts.append(f"owner {item.advocate}")
    if item.due_at:
        parts.append(f"{'overdue since' if item.overdue else 'due'} {item.due_at[:16]}")
    return " · ".join(parts)


def pending_label(item: PendingResponse) -> str:
    return item.title or excerpt(item.body, 80) or "(no text)"


def html_pending(data: DigestData) -> str:
    if not data.needs_response_total:
        return html_section("Needs a response", "<p>Nothing is waiting for a response.</p>")
    items = "".join(
        f'<li><span class="tag{" overdue" if item.overdue else ""}">{html_text(item.reason)}'
        f"</span> <strong>{html_link(item.url, pending_label(item))}</strong>"
        f'<div class="quote">{html_text(excerpt(item.body))}</div>'
        f'<div class="meta">{html_text(pending_meta(item, data.generated_at))}</div></li>'
        for item in data.needs_response
    )
    shown = len(data.needs_response)
    more = data.needs_response_total - shown
    tail = f'<p class="note">…and {more} more.</p>' if more else ""
    source = ("open alerts" if data.needs_response_from == "alerts" else
              "low-rated reviews and unanswered questions of the last 4 weeks with no vendor reply")  # fmt: skip
    return html_section(f"Needs a response ({data.needs_response_total})",
                        f'<ol class="items">{items}</ol>{tail}', f"From {source}.")  # fmt: skip


def highlight_meta(review: ReviewHighlight) -> str:
    parts = [f"— {review.author or 'anonymous'} on {review.source}"]
    if review.helpful_votes:
        parts.append(f"{plural(review.helpful_votes, 'helpful vote')}")
    return " · ".join(parts)


def html_amplify(data: DigestData) -> str:
    if not data.to_amplify:
        return ""
    cards = "".join(
        f'<blockquote><div class="stars">{html_text(star_bar(r.rating))}</div>'
        f"<strong>{html_text(r.title or '')}</strong> {html_text(excerpt(r.body))}"
        f'<div class="meta">{html_text(highlight_meta(r))} · {html_link(r.url, "open")}</div>'
        "</blockquote>"
        for r in data.to_amplify
    )
    return html_section("Thank and amplify", cards,
                        "The week’s most helpful positive reviews: thank the author, share them.")  # fmt: skip


def html_words(data: DigestData) -> str:
    if not data.cloud_words:
        return ""
    rows = [
        [html_text(w.word), str(w.count),
         html_text(f"{signed(w.avg_sentiment) if w.avg_sentiment is not None else '–'} "
                   f"({sentiment_word(w.avg_sentiment)})")]
        for w in data.cloud_words
    ]  # fmt: skip
    table = html_table(["Word", "Mentions", "Average sentiment"], rows).replace(
        '<table class="data">',
        '<table class="data words"><caption>Words in the tag cloud, most mentioned first; '
        "sentiment runs from −1 (negative) to +1 (positive).</caption>",
    )
    return html_section("Words in the tag cloud", table)


def idea_meta(idea) -> str:
    asked = plural(idea.authors, "person", "people")
    where = f" on {', '.join(idea.sources)}" if idea.sources else ""
    return f"{plural(idea.mentions, 'request')} from {asked}{where}"


def defence_meta(defence) -> str:
    critic = f" answering {defence.critic}" if defence.critic else ""
    return f"— {defence.defender}{critic}, about {defence.monitor}, {defence.at[:10]}"


def html_community(data: DigestData) -> str:
    section = data.community
    if section.is_empty:
        return ""
    parts = []
    if section.new_ideas:
        items = "".join(
            f'<li>{html_link(i.url, i.name)}<div class="meta">{html_text(idea_meta(i))} · '
            f"{html_text(i.id)}</div></li>"
            for i in section.new_ideas
        )
        parts.append(f'<h3>New ideas this week</h3><ol class="items">{items}</ol>')
    if section.defences:
        cards = "".join(
            f'<blockquote>{html_text(excerpt(d.text))}<div class="meta">'
            f"{html_text(defence_meta(d))} · {html_link(d.url, 'open')}</div></blockquote>"
            for d in section.defences
        )
        parts.append(f"<h3>A defender stepped in</h3>{cards}")
    return html_section("Community", "".join(parts),
                        "Feature requests first asked this week, grouped into ideas; customers "
                        "who answered a negative post about you with a positive one.")  # fmt: skip


def markdown_community(data: DigestData) -> list[str]:
    section = data.community
    if section.is_empty:
        return []
    lines = ["## Community", ""]
    if section.new_ideas:
        lines += ["### New ideas this week", ""]
        for number, idea in enumerate(section.new_ideas, start=1):
            lines.append(f"{number}. {markdown_link(idea.url, idea.name)} "
                         f"_{markdown_text(idea_meta(idea))}_ ({markdown_text(idea.id)})")  # fmt: skip
        lines.append("")
    if section.defences:
        lines += ["### A defender stepped in", ""]
        for defence in section.defences:
            lines += [f"> {markdown_text(excerpt(defence.text))}  ",
                      f"> {markdown_text(defence_meta(defence))} · "
                      f"{markdown_link(defence.url, 'open')}", ""]  # fmt: skip
    return lines


STYLE = """
body{margin:0;background:#f3f5f7;color:#1f2933;
 font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:15px;
 line-height:1.45}
.page{max-width:760px;margin:0 auto;background:#fff;padding:28px 32px 36px}
header{border-bottom:3px solid #1f3a93;padding-bottom:12px;margin-bottom:8px}
.brand{color:#1f3a93;font-weight:700;letter-spacing:.06em;text-transform:uppercase;font-size:12px}
h1{font-size:26px;margin:4px 0 2px}
.scope{color:#5f6b76;font-size:13px}
h2{font-size:19px;margin:28px 0 8px;padding-top:14px;border-top:1px solid #e3e6ea}
h3{font-size:15px;margin:14px 0 6px;color:#3d4852}
.story h2{border-top:0;padding-top:0}
.story ul{list-style:none;padding:0;margin:0}
.story li{margin:7px 0;font-size:16px}
.dot{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:9px}
.kpis{width:100%;border-collapse:separate;border-spacing:8px 0;margin:18px -8px 0}
.kpi{background:#f6f8fa;border-radius:8px;padding:12px 14px;vertical-align:top;width:25%}
.kpi-label{font-size:12px;color:#5f6b76;text-transform:uppercase;letter-spacing:.04em}
.kpi-value{font-size:28px;font-weight:700;margin:2px 0}
.kpi-before{font-size:12px;color:#7b8794}
.chg{font-weight:600;white-space:nowrap}
.note{color:#5f6b76;font-size:13px;margin:0 0 8px}
img.cloud,img.chart{width:100%;height:auto;display:block;border:1px solid #e3e6ea;
 border-radius:6px}
.legend{font-size:12px;color:#5f6b76;margin-top:6px}
.ramp{display:inline-block;width:120px;height:9px;margin:0 6px;border-radius:4px;
 background:linear-gradient(90deg,rgb(200,35,45),rgb(125,132,140),rgb(25,135,70))}
table.data{border-collapse:collapse;width:100%;font-size:14px;table-layout:fixed}
table.data th:first-child{width:34%}
table.data th{text-align:left;color:#5f6b76;font-weight:600;border-bottom:2px solid #e3e6ea;
 padding:5px 8px}
table.data td{border-bottom:1px solid #eef0f2;padding:5px 8px}
table.data .num{text-align:right}
table.words{font-size:13px}
caption{text-align:left;color:#5f6b76;font-size:13px;padding-bottom:6px}
.bar{display:inline-block;width:90px;height:8px;background:#eef0f2;border-radius:4px;
 vertical-align:middle}
.bar span{display:block;height:8px;background:#1f3a93;border-radius:4px}
.tag{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;
 background:#fdecea;color:#a61b24;border-radius:4px;padding:1px 6px}
.tag.overdue{background:#a61b24;color:#fff}
ol.items{padding-left:22px}
ol.items li{margin:0 0 12px}
.quote{color:#3d4852;margin-top:2px}
.meta{color:#7b8794;font-size:12px;margin-top:2px}
blockquote{margin:0 0 12px;padding:10px 14px;background:#f1f9f4;border-left:4px solid #19874a;
 border-radius:4px}
.stars{color:#e0a100;letter-spacing:2px}
footer{margin-top:30px;color:#7b8794;font-size:12px;border-top:1px solid #e3e6ea;padding-top:10px}
a{color:#1f3a93}
"""


def html_footer(data: DigestData) -> str:
    return (
        f"<footer>Generated by groundswell at {html_text(data.generated_at)} for "
        f"{html_text(data.week.label)}. Each mention counts once (duplicates are left out); "
        "sentiment is the model’s, or the star rating’s when a mention is not tagged yet or "
        "is in a language the models do not read."
        "</footer>"
    )


def render_html(data: DigestData, images: ImageLinks | None = None) -> str:
    """The digest as one HTML page; ``images`` says how it refers to cloud.png and trend.png."""
    images = images or ImageLinks()
    title = f"Weekly digest · {data.week.label} ({week_span(data)})"
    sections = [html_story(data), html_key_numbers(data), html_cloud(data, images),
                html_trend(data, images)]  # fmt: skip
    if not data.is_empty:
        sections += [html_topics(data), html_negativity(data)]
    sections += [html_pending(data), html_amplify(data), html_community(data)]
    if not data.is_empty:
        sections += [html_voice(data), html_sources(data)]
    sections.append(html_words(data))
    body = "".join(section for section in sections if section)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html_text(title)}</title><style>{STYLE}</style></head>"
        f'<body><div class="page"><header><div class="brand">groundswell · weekly digest</div>'
        f'<h1>{html_text(title)}</h1><div class="scope">{html_text(scope_text(data))}</div>'
        f"</header>{body}{html_footer(data)}</div></body></html>\n"
    )


# --- Markdown ------------------------------------------------------------------------------

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")
MARKDOWN_LINE_START = re.compile(r"^([#>+\-=]|\d+[.)])(?=\s|$|[#>+\-=])")


def markdown_text(value: object, line_start: bool = False) -> str:
    """Text that Markdown shows as written: HTML and Markdown syntax escaped, one line.

    ``line_start``: the text begins a line, so a leading ``#``, ``>``, ``-``, ``1.`` is escaped.
    A leading or trailing space survives (so ``**lead** rest`` keeps its space).
    """
    text = clean(value)
    flat = " ".join(text.split())
    flat = html.escape(flat, quote=False)
    flat = MARKDOWN_SPECIAL.sub(r"\\\1", flat)
    if line_start:
        flat = MARKDOWN_LINE_START.sub(lambda m: m[0][:-1] + "\\" + m[0][-1], flat)
    before = " " if text[:1].isspace() and flat else ""
    after = " " if text[-1:].isspace() and flat else ""
    return f"{before}{flat}{after}"


def markdown_url(url: str | None) -> str | None:
    target = safe_url(url)
    if target is None:
        return None
    for char, code in (("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), (" ", "%20")):
        target = target.replace(char, code)
    return target


def markdown_link(url: str | None, label: str) -> str:
    target = markdown_url(url)
    text = markdown_text(label)
    return f"[{text}]({target})" if target else text


def markdown_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """``rows`` hold already-escaped cells."""
    lines = ["| " + " | ".join(markdown_text(h) for h in headers) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|"]  # fmt: skip
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def markdown_story(data: DigestData) -> list[str]:
    lines = ["## The week’s story", ""]
    lines += [f"- **{markdown_text(s.lead)}**{markdown_text(s.rest)}" for s in week_story(data)]
    return lines + [""]


def markdown_key_numbers(data: DigestData) -> list[str]:
    rows = [[markdown_text(n.label), markdown_text(n.now), markdown_text(n.before),
             markdown_text(n.change.text)] for n in key_numbers(data)]  # fmt: skip
    return ["## Key numbers", "", *markdown_table(["", "This week", "Last week", "Change"], rows)]


def markdown_image(alt: str, link: str) -> str:
    """An image, or where images are left out (plain-text email) a pointer to the HTML."""
    return f"![{alt}]({link})" if link else f"({alt}: see the HTML version)"


def markdown_images(data: DigestData, images: ImageLinks) -> list[str]:
    lines = ["## What people talked about", ""]
    if data.cloud_words:
        lines += [markdown_image("Tag cloud of the week’s keyphrases and topics", images.cloud),
                  "", "Bigger words, more mentions; red negative, grey neutral, green positive. "
                  "The words are listed at the end.", ""]  # fmt: skip
    else:
        lines += ["No tag cloud: " + ("no mentions this week." if data.is_empty else
                                      "this week’s mentions are not tagged yet."), ""]  # fmt: skip
    lines += [f"## Sentiment over the last {len(data.trend)} weeks", "",
              markdown_image("Mentions per week by sentiment, with the average rating",
                             images.trend), ""]  # fmt: skip
    return lines


def markdown_topics(data: DigestData) -> list[str]:
    if not data.topics_rising and not data.topics_falling:
        return []
    headers = ["Topic", "This week", "Last week", "Change", "Negative"]
    lines = ["## Topics on the move", ""]
    for name, changes in (("Rising", data.topics_rising), ("Falling", data.topics_falling)):
        if changes:
            rows = [[markdown_text(c.topic) + (" (sharp rise)" if c.sharp else ""),
                     str(c.count), str(c.previous),
                     f"{UP if c.change > 0 else DOWN} {abs(c.change)}",
                     percent(c.negative / c.count) if c.count else "–"] for c in changes]  # fmt: skip
            lines += [f"**{name}**", "", *markdown_table(headers, rows)]
    return lines


def markdown_negativity(data: DigestData) -> list[str]:
    if not data.new_negativity:
        return []
    lines = ["## New sources of negativity", ""]
    for lead, rest in map(negativity_text, data.new_negativity):
        lines.append(f"- **{markdown_text(lead)}**{markdown_text(rest)}")
    return lines + [""]


def markdown_voice(data: DigestData) -> list[str]:
    if not data.share_of_voice:
        return []
    rows = [[markdown_text(voice_label(s)), str(s.mentions), percent(s.share),
             points_change(s.share, s.previous_share, None).text, percent(s.positive_share),
             percent(s.negative_share), str(s.passed_over)]
            for s in data.share_of_voice]  # fmt: skip
    return ["## Share of voice", "", *markdown_table(VOICE_HEADERS, rows)]


def markdown_sources(data: DigestData) -> list[str]:
    if not data.sources:
        return []
    rows = [[markdown_text(s.source), str(s.volume),
             count_change(s.volume, s.previous_volume).text, stars(s.avg_rating),
             rating_change(s.avg_rating, s.previous_avg_rating).text, str(s.negative)]
            for s in data.sources]  # fmt: skip
    headers = ["Source", "Mentions", "vs last week", "Avg rating", "vs last week", "Negative"]
    return ["## By source", "", *markdown_table(headers, rows)]


def markdown_pending(data: DigestData) -> list[str]:
    lines = [f"## Needs a response ({data.needs_response_total})", ""]
    if not data.needs_response_total:
        return lines + ["Nothing is waiting for a response.", ""]
    for number, item in enumerate(data.needs_response, start=1):
        lines.append(f"{number}. **{markdown_text(item.reason)}**: "
                     f"{markdown_link(item.url, pending_label(item))}  ")  # fmt: skip
        lines.append(f"   {markdown_text(excerpt(item.body), line_start=True)}  ")
        lines.append(f"   _{markdown_text(pending_meta(item, data.generated_at))}_")
    more = data.needs_response_total - len(data.needs_response)
    return lines + (["", f"…and {more} more."] if more else []) + [""]


def markdown_amplify(data: DigestData) -> list[str]:
    if not data.to_amplify:
        return []
    lines = ["## Thank and amplify", ""]
    for review in data.to_amplify:
        lines += [f"> {star_bar(review.rating)} **{markdown_text(review.title or '')}** "
                  f"{markdown_text(excerpt(review.body))}  ",
                  f"> {markdown_text(highlight_meta(review))} · "
                  f"{markdown_link(review.url, 'open')}", ""]  # fmt: skip
    return lines


def markdown_words(data: DigestData) -> list[str]:
    if not data.cloud_words:
        return []
    rows = [[markdown_text(w.word), str(w.count),
             markdown_text(f"{signed(w.avg_sentiment) if w.avg_sentiment is not None else '–'} "
                           f"({sentiment_word(w.avg_sentiment)})")]
            for w in data.cloud_words]  # fmt: skip
    return ["## Words in the tag cloud", "",
            *markdown_table(["Word", "Mentions", "Average sentiment"], rows)]  # fmt: skip


def markdown_parts(data: DigestData) -> list[Callable[[DigestData], list[str]]]:
    """The sections after the images, in the HTML's order; an empty week skips most."""
    if data.is_empty:
        return [markdown_pending, markdown_amplify, markdown_community, markdown_words]
    return [markdown_topics, markdown_negativity, markdown_pending, markdown_amplify,
            markdown_community, markdown_voice, markdown_sources, markdown_words]  # fmt: skip


def render_markdown(data: DigestData, images: ImageLinks | None = None) -> str:
    images = images or ImageLinks()
    lines = [f"# Weekly digest · {data.week.label} ({week_span(data)})", "",
             f"_{markdown_text(scope_text(data))}_", ""]  # fmt: skip
    lines += markdown_story(data) + markdown_key_numbers(data) + markdown_images(data, images)
    for part in markdown_parts(data):
        lines += part(data)
    lines.append(f"_Generated by groundswell at {data.generated_at}. Each mention counts once._")
    return "\n".join(lines) + "\n"


# --- images --------------------------------------------------------------------------------


def font_path(bold: bool = True) -> str:
    """DejaVu Sans from matplotlib's own data (always installed with it)."""
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name)


def sentiment_rgb(score: float | None) -> tuple[int, int, int]:
    """Red (−1) through grey (0) to green (+1)."""
    if score is None:
        return NEUTRAL_RGB
    amount = max(-1.0, min(1.0, score))
    target = NEGATIVE_RGB if amount < 0 else POSITIVE_RGB
    weight = abs(amount)
    return tuple(round(n + (t - n) * weight) for n, t in zip(NEUTRAL_RGB, target, strict=True))


def png_bytes(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def placeholder_png(message: str, size: tuple[int, int] = (1200, 200)) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(font_path(bold=False), 32)
    draw.text((size[0] // 2, size[1] // 2), message, fill=NEUTRAL_RGB, font=font, anchor="mm")
    return png_bytes(image)


def tag_cloud_png(data: DigestData, size: tuple[int, int] = CLOUD_SIZE) -> bytes:
    """Words sized by mentions and coloured by average sentiment; a note when there are none."""
    if not data.cloud_words:
        return placeholder_png("No keyphrases or topics this week")
    from wordcloud import WordCloud

    colours = {w.word: "rgb({}, {}, {})".format(*sentiment_rgb(w.avg_sentiment))
               for w in data.cloud_words}  # fmt: skip

    def colour(word: str, **_: object) -> str:
        return colours.get(word, "rgb({}, {}, {})".format(*NEUTRAL_RGB))

    cloud = WordCloud(
        width=size[0], height=size[1], background_color="white", font_path=font_path(),
        max_words=len(data.cloud_words), prefer_horizontal=0.92, relative_scaling=0.5,
        min_font_size=14, margin=6, random_state=7, color_func=colour, collocations=False,
    )  # fmt: skip
    cloud.generate_from_frequencies({w.word: w.count for w in data.cloud_words})
    return png_bytes(small_palette(cloud.to_image()))


def small_palette(image):
    """The cloud in 128 colours: a third of the bytes (email, Datasette), no visible change."""
    from PIL import Image

    return image.convert("RGB").quantize(colors=CLOUD_COLOURS, method=Image.Quantize.MEDIANCUT,
                                         dither=Image.Dither.NONE)  # fmt: skip


def trend_chart_png(trend: list[WeekStats]) -> bytes:
    """Two panels over the weeks: the average rating on top, mentions by sentiment below."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.6, 3.6), dpi=150)
    FigureCanvasAgg(figure)
    rating_axes, bar_axes = figure.subplots(2, 1, sharex=True,
                                            gridspec_kw={"height_ratios": [1, 2.2]})  # fmt: skip
    positions = list(range(len(trend)))
    plot_rating_line(rating_axes, trend, positions)
    plot_sentiment_bars(bar_axes, trend, positions)
    bar_axes.set_xticks(positions, week_labels([w.week.start for w in trend]), fontsize=8)
    bar_axes.get_xticklabels()[-1].set_fontweight("bold")
    bar_axes.set_xlabel("Week starting (Monday)", fontsize=8, color="#3d4852")
    figure.tight_layout(h_pad=0.6)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def quiet_axes(axes, ylabel: str, colour: str) -> None:
    axes.set_ylabel(ylabel, fontsize=8, color=colour)
    axes.tick_params(axis="y", labelsize=7, colors=colour)
    axes.tick_params(axis="x", length=0)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def plot_sentiment_bars(axes, trend: list[WeekStats], positions: list[int]) -> None:
    bottom = [0] * len(trend)
    extra = {UNREAD: lambda w: w.unread, "untagged": lambda w: w.untagged}
    for label in ("negative", "neutral", "positive", *extra):
        heights = [extra[label](w) if label in extra else w.sentiment_counts[label] for w in trend]
        if label in extra and not any(heights):
            continue
        axes.bar(positions, heights, bottom=bottom, color=CHART_COLOURS[label], width=0.62,
                 label=label)  # fmt: skip
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    for x, total in zip(positions, bottom, strict=True):
        if total:
            axes.annotate(str(total), (x, total), ha="center", va="bottom", fontsize=7,
                          xytext=(0, 2), textcoords="offset points", color="#3d4852")  # fmt: skip
    axes.set_ylim(0, max(max(bottom, default=0) * 1.2, 1))
    quiet_axes(axes, "Mentions per week", "#5f6b76")
    axes.legend(loc="upper left", fontsize=7, frameon=False, ncol=4)


def plot_rating_line(axes, trend: list[WeekStats], positions: list[int]) -> None:
    points = [(x, w.avg_rating) for x, w in zip(positions, trend, strict=True)
              if w.avg_rating is not None]  # fmt: skip
    quiet_axes(axes, "Average rating (★)", CHART_COLOURS["rating"])
    axes.set_ylim(0.5, 5.9)
    axes.set_yticks([1, 3, 5])
    axes.grid(axis="y", color="#eef0f2", linewidth=0.8)
    if not points:
        axes.text(0.5, 0.5, "no ratings", transform=axes.transAxes, ha="center", va="center",
                  fontsize=8, color="#7b8794")  # fmt: skip
        return
    xs, ys = zip(*points, strict=True)
    axes.plot(xs, ys, color=CHART_COLOURS["rating"], marker="o", markersize=3.5, linewidth=1.8)
    for x, y in points:
        axes.annotate(f"{y:.1f}", (x, y), ha="center", va="bottom", fontsize=7, xytext=(0, 4),
                      textcoords="offset points", color=CHART_COLOURS["rating"],
                      fontweight="bold")  # fmt: skip
