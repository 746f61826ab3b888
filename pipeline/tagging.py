"""The tagging pipeline: named stages over batches of untagged mentions.

clean → language → dedupe → monitors → sentiment → topics → keyphrases. Models load once per
process (``Tagger`` holds them). Each batch is written in one transaction together with its
``tagged_at`` stamp, so a run killed midway resumes at the first untagged batch; raw mention
columns are never rewritten, tags go beside them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import sqlite_utils
from threadpoolctl import threadpool_limits

from pipeline.store import utc_now

MAX_TEXT_CHARS = 2000
UNLOADED = object()  # a lazily loaded component not looked at yet


def mention_text(mention: dict) -> str:
    """The text the models read: title and body, whitespace-collapsed, capped in length."""
    parts = [mention.get("title") or "", mention.get("body") or ""]
    text = " ".join(" ".join(p.split()) for p in parts if p).strip()
    return text[:MAX_TEXT_CHARS]


def rating_sentiment(rating: float | None) -> str | None:
    """What a star rating says: ≤ 2 negative, 3 neutral, ≥ 4 positive."""
    if rating is None:
        return None
    return "negative" if rating <= 2 else "neutral" if rating < 4 else "positive"


@dataclass
class MentionTags:
    mention_id: str
    columns: dict
    topics: list[dict] = field(default_factory=list)
    keyphrases: list[dict] = field(default_factory=list)
    monitors: list[dict] = field(default_factory=list)


@dataclass
class TaggedBatch:
    mentions: list[MentionTags]
    # duplicate_of for the batch, and for earlier originals that now point at an older copy
    duplicates: dict[str, str | None]


class Tagger:
    """Every stage's components, loaded once; ``tag(batch)`` runs the stages in order."""

    def __init__(self, config, sentiment_model=None, topic_tagger=None, db=None) -> None:
        from pipeline.monitors import MonitorMatcher

        self.config = config
        self.monitors = MonitorMatcher(config.monitor)
        self._sentiment = sentiment_model
        self._topics = topic_tagger
        injected = sentiment_model is not None or topic_tagger is not None
        self._shared = None if injected else UNLOADED
        self.deduplicator = self.load_deduplicator(db)
        self.model_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="models")

    @staticmethod
    def load_deduplicator(db):
        from pipeline.dedupe import Deduplicator

        return Deduplicator.from_db(db) if db is not None else Deduplicator()

    @property
    def shared(self):
        """One ONNX pass per text for every model stage (``models/shared_encoder.py``), when the
        shipped models are configured and ONNX Runtime serves them; None otherwise."""
        if self._shared is UNLOADED:
            from models.shared_encoder import load_shared_encoder, serves_config

            model = self.config.model
            self._shared = load_shared_encoder(model.shared_graph) if serves_config(model) else None
        return self._shared

    @property
    def sentiment(self):
        if self._sentiment is None:
            from models.sentiment import load_sentiment_model

            self._sentiment = load_sentiment_model(self.config.model.sentiment)
        return self._sentiment

    @property
    def topics(self):
        if self._topics is None:
            from models.encoder import load_encoder
            from pipeline.topics import topic_tagger_from_config

            if self.shared is not None:
                self._topics = topic_tagger_from_config(self.config.topic, self.shared)
            else:
                encoder = load_encoder(self.config.model.encoder)
                self._topics = topic_tagger_from_config(self.config.topic, encoder, self.sentiment)
        return self._topics

    def predict_sentiment(self, texts: list[str]) -> list:
        """The sentiment ``tag`` stores for each text (what ``groundswell eval`` checks)."""
        from models.sentiment import normalize_text

        if self.shared is None:
            return self.sentiment.predict(texts)
        results = []
        for start in range(0, len(texts), self.config.model.batch_size):
            batch = [normalize_text(t) for t in texts[start : start + self.config.model.batch_size]]
            results += self.shared.sentiments(self.shared.encode(batch))
        return results

    def model_tags(self, texts: list[str]) -> tuple[list, list, list]:
        """(sentiment, topic hits, keyphrases) for each text."""
        from models.sentiment import normalize_text
        from pipeline.keyphrases import extract_keyphrases

        if self.shared is None:
            return self.sentiment.predict(texts), self.topics.tag(texts), extract_keyphrases(texts)
        prepared = [normalize_text(t) for t in texts]
        encoded = self.shared.encode(prepared)
        # spans of a few dozen tokens: a second BLAS thread only spins beside ONNX Runtime
        with threadpool_limits(limits=1, user_api="blas"):
            return (
                self.shared.sentiments(encoded),
                self.topics.tag(prepared, encoded),
                extract_keyphrases(prepared, encoded=encoded),
            )

    def tag(self, batch: list[dict]) -> TaggedBatch:
        from pipeline.language import detect_languages, is_out_of_domain

        texts = [mention_text(m) for m in batch]
        # the model stages run beside the others: ONNX Runtime leaves the GIL while it computes
        model_results = self.model_thread.submit(self.model_tags, texts)
        langs = detect_languages(texts)
        for mention, lang in zip(batch, langs, strict=True):
            mention["lang"] = lang
        duplicates = self.deduplicator.assign(batch)
        monitors_by_mention: dict[str, list[dict]] = {}
        for row in self.monitors.match(batch):
            monitors_by_mention.setdefault(row["mention_id"], []).append(row)
        sentiments, topic_hits, phrases = model_results.result()
        now = utc_now()
        results = []
        for i, mention in enumerate(batch):
            sentiment = sentiments[i]
            columns = {
                "lang": langs[i],
                "sentiment": sentiment.label, "sentiment_score": round(sentiment.score, 4),
                "sentiment_confidence": round(sentiment.confidence, 4),
                "sentiment_model": sentiment.model_version,
                "rating_sentiment": rating_sentiment(mention.get("rating")),
                "out_of_domain": int(is_out_of_domain(langs[i])), "tagged_at": now,
            }  # fmt: skip
            results.append(MentionTags(
                mention["id"], columns,
                topics=[{"mention_id": mention["id"], "topic": h.name, "score": round(h.score, 4),
                         "sentiment": h.sentiment} for h in topic_hits[i]],
                keyphrases=[{"mention_id": mention["id"], "phrase": p, "score": round(s, 4)}
                            for p, s in phrases[i]],
                monitors=monitors_by_mention.get(mention["id"], []),
            ))  # fmt: skip
        return TaggedBatch(results, duplicates)


def untagged_batches(db: sqlite_utils.Database, batch_size: int) -> Iterator[list[dict]]:
    """Untagged mentions, oldest first, a batch at a time (re-queried: resumable)."""
    sql = """select id, source, source_kind, kind, url, author, title, body, rating,
             published_at, content_hash from mentions where tagged_at is null
             order by published_at, id limit ?"""
    while True:
        batch = [dict(row) for row in db.query(sql, [batch_size])]
        if not batch:
            return
        yield batch


def save_tags(db: sqlite_utils.Database, tagged: TaggedBatch, deduplicator=None) -> None:
    """Write one batch's tags (replacing earlier tags of these mentions).

    Duplicates first, then every other tag with ``tagged_at`` in one transaction: a kill in
    between leaves the batch untagged, and re-tagging it gives the same result."""
    from pipeline.dedupe import save_duplicates

    save_duplicates(db, tagged.duplicates, deduplicator)
    results = tagged.mentions
    ids = [r.mention_id for r in results]
    marks = ",".join("?" * len(ids))
    with db.conn:
        for table in ("mention_topics", "keyphrases", "mention_monitors"):
            db.execute(f"delete from {table} where mention_id in ({marks})", ids)
        db["mention_topics"].insert_all(
            [t for r in results for t in r.topics], pk=("mention_id", "topic"), replace=True
        )
        db["keyphrases"].insert_all(
            [k for r in results for k in r.keyphrases], pk=("mention_id", "phrase"), replace=True
        )
        db["mention_monitors"].insert_all(
            [m for r in results for m in r.monitors], pk=("mention_id", "monitor"), replace=True
        )
        for result in results:
            db["mentions"].update(result.mention_id, result.columns)


def count_untagged(db: sqlite_utils.Database) -> int:
    return db.execute("select count(*) from mentions where tagged_at is null").fetchone()[0]


def tag_untagged(db: sqlite_utils.Database, tagger: Tagger, batch_size: int = 64,
                 on_batch: Callable[[int], None] | None = None) -> int:  # fmt: skip
    """Tag every untagged mention; returns how many were tagged."""
    done = 0
    for batch in untagged_batches(db, batch_size):
        save_tags(db, tagger.tag(batch), tagger.deduplicator)
        done += len(batch)
        if on_batch:
            on_batch(len(batch))
    return done
