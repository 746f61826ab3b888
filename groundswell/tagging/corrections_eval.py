"""How the tagger does on people's corrections (``groundswell eval --from-corrections``).

A correction (``groundswell/store/corrections.py``) says what a mention's sentiment or topics
should have been. Each corrected mention is tagged again with the configured models and compared
with the latest correction: sentiment as the text model reads it (``text_sentiment``) and as it
is shown (stars combined, ``sentiment``); topics as micro precision / recall / F1 and per topic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlite_utils

from groundswell.models.evaluate import evaluate, format_report
from groundswell.store.corrections import corrections_of

BATCH = 64


@dataclass
class TopicCounts:
    true_positive: dict[str, int] = field(default_factory=dict)
    false_positive: dict[str, int] = field(default_factory=dict)
    false_negative: dict[str, int] = field(default_factory=dict)

    def add(self, truth: set[str], predicted: set[str]) -> None:
        for name, counts in ((predicted & truth, self.true_positive),
                             (predicted - truth, self.false_positive),
                             (truth - predicted, self.false_negative)):  # fmt: skip
            for topic in name:
                counts[topic] = counts.get(topic, 0) + 1

    def scores(self, topic: str | None = None) -> tuple[float, float, float]:
        """(precision, recall, F1) of ``topic``, or over every topic (micro) when None."""

        def total(counts: dict[str, int]) -> int:
            return counts.get(topic, 0) if topic else sum(counts.values())

        tp, fp, fn = (
            total(self.true_positive),
            total(self.false_positive),
            total(self.false_negative),
        )
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def tag_corrected(tagger, rows: list[dict]) -> list:
    """The tagger's ``MentionTags`` for corrected mentions (rows of ``corrections_of``)."""
    tagged = []
    for start in range(0, len(rows), BATCH):
        mentions = [{"id": r["mention_id"], "title": r["title"], "body": r["body"],
                     "rating": r["rating"]} for r in rows[start : start + BATCH]]  # fmt: skip
        tagged += tagger.tag(mentions).mentions
    return tagged


def sentiment_report(db: sqlite_utils.Database, tagger) -> str:
    rows = corrections_of(db, "sentiment")
    if not rows:
        return "sentiment: no corrections yet"
    tagged = tag_corrected(tagger, rows)
    truth = [r["new"] for r in rows]
    text = evaluate(truth, [t.columns["text_sentiment"] for t in tagged])
    shown = evaluate(truth, [t.columns["sentiment"] for t in tagged])
    return (
        f"sentiment: {len(rows)} corrected mention(s)\n"
        f"-- the text model (text_sentiment)\n{format_report(text)}\n"
        f"-- as shown (the stars decide for 1-2 and 4-5 star reviews): "
        f"macro recall {shown['macro_recall']:.4f}, accuracy {shown['accuracy']:.4f}"
    )


def topic_report(db: sqlite_utils.Database, tagger) -> str:
    rows = corrections_of(db, "topics")
    if not rows:
        return "topics: no corrections yet"
    counts = TopicCounts()
    for row, tags in zip(rows, tag_corrected(tagger, rows), strict=True):
        counts.add(set(json.loads(row["new"])), {t["topic"] for t in tags.topics})
    names = sorted({*counts.true_positive, *counts.false_positive, *counts.false_negative})
    lines = [f"topics: {len(rows)} corrected mention(s)",
             f"  {'topic':<24}{'precision':>10}{'recall':>8}{'F1':>8}"]  # fmt: skip
    for name in [*names, None]:
        precision, recall, f1 = counts.scores(name)
        lines.append(f"  {name or 'micro':<24}{precision:>10.3f}{recall:>8.3f}{f1:>8.3f}")
    return "\n".join(lines)


def corrections_report(db: sqlite_utils.Database, config) -> str:
    """Sentiment and topic reports on every corrected mention of ``db``."""
    from groundswell.tagging.tagger import Tagger

    tagger = Tagger(config, stages=["sentiment", "topics"])
    return f"{sentiment_report(db, tagger)}\n\n{topic_report(db, tagger)}"
